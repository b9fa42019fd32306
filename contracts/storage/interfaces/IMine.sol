// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Amounts in events stay unindexed: they are read, not filtered on.
// solhint-disable gas-indexed-events

/// @title IMine
/// @notice 0G's Proof of Random Access mine: registered miners answer an epoch's mining context with a sealed
/// 4 KiB seal of flow data whose quality meets the target, and are paid the pricing chunk's released reward.
interface IMine {
    /// @notice A PoRA answer.
    struct PoraAnswer {
        uint256 epoch;
        bytes32 minerId;
        bytes32 nonce;
        uint256 startPosition;
        uint256 mineLength;
        uint256 recallPosition;
        uint256 sealOffset;
        bytes32[128] sealedData;
        bytes32[] merkleProof;
    }

    /// @notice Thrown when a parameter is zero or out of bounds.
    error MineInvalidParams();
    /// @notice Thrown when a miner id is taken.
    /// @param minerId The id.
    error MineMinerExists(bytes32 minerId);
    /// @notice Thrown when a miner id is unknown, or the caller does not own it.
    /// @param minerId The id.
    error MineUnknownMiner(bytes32 minerId);
    /// @notice Thrown when the answer's epoch is not the current one.
    /// @param epoch The answer's epoch.
    /// @param current The current epoch.
    error MineAnswerExpired(uint256 epoch, uint256 current);
    /// @notice Thrown when a miner answers an epoch twice.
    /// @param minerId The miner.
    /// @param epoch The epoch.
    error MineDuplicateAnswer(bytes32 minerId, uint256 epoch);
    /// @notice Thrown when the mining range is unaligned, empty, too long or beyond the context's flow.
    error MineInvalidRange();
    /// @notice Thrown when the recall position or seal offset is not the one the scratchpad selects.
    /// @param expected The position the nonce selects.
    error MineRecallMismatch(uint256 expected);
    /// @notice Thrown when the quality is above the target.
    /// @param quality The answer's quality.
    /// @param target The target.
    error MineQualityTooLow(uint256 quality, uint256 target);
    /// @notice Thrown when the unsealed data is not in the context's flow root.
    error MineInvalidProof();

    /// @notice Emitted when a miner id was registered.
    /// @param minerId The id.
    /// @param owner Who registered it.
    /// @param beneficiary Who its rewards go to.
    event MinerRegistered(bytes32 indexed minerId, address indexed owner, address beneficiary);
    /// @notice Emitted when an answer was accepted and paid.
    /// @param epoch The epoch.
    /// @param minerId The miner.
    /// @param recallPosition The seal's flow position.
    /// @param quality Its quality.
    /// @param reward What was credited.
    event AnswerAccepted(
        uint256 indexed epoch,
        bytes32 indexed minerId,
        uint256 recallPosition,
        uint256 quality,
        uint256 reward
    );
    /// @notice Emitted when the target changed at an epoch's first answer.
    /// @param epoch The new epoch.
    /// @param oldTarget The previous target.
    /// @param newTarget The new target.
    event TargetAdjusted(uint256 indexed epoch, uint256 oldTarget, uint256 newTarget);

    /// @notice Registers the miner id keccak256(abi.encode(msg.sender, seed)), paying `beneficiary`.
    /// @param seed Any value.
    /// @param beneficiary Who is paid.
    /// @return minerId The id.
    function registerMiner(bytes32 seed, address beneficiary) external returns (bytes32 minerId);

    /// @notice Checks an answer (context, range, recall, quality, unsealed data under the flow root) and pays the
    /// recalled pricing chunk's released reward to the miner's beneficiary. The caller must own the miner id.
    /// @param answer The answer.
    function submit(PoraAnswer calldata answer) external;

    /// @notice Sets the answers per epoch the target aims at (admin).
    /// @param answers The number.
    function setTargetAnswers(uint256 answers) external;

    /// @notice The current target: a quality must be ≤ target × mineLength / flowLength.
    /// @return The target.
    function poraTarget() external view returns (uint256);

    /// @notice The beneficiary of a miner id (zero when unregistered).
    /// @param minerId The id.
    /// @return The beneficiary.
    function beneficiaryOf(bytes32 minerId) external view returns (address);

    /// @notice Answers accepted in `epoch`.
    /// @param epoch The epoch.
    /// @return The count.
    function answersIn(uint256 epoch) external view returns (uint256);
}
