// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Amounts in events stay unindexed: they are read, not filtered on.
// solhint-disable gas-indexed-events

/// @title IFlowTypes
/// @notice The structs of the Flow contract: a file's submission (0G's format) and an epoch's mining context.
interface IFlowTypes {
    /// @notice One subtree of a submission: the root of `2^height` sectors.
    struct SubmissionNode {
        bytes32 root;
        uint256 height;
    }

    /// @notice A file: its length in bytes, free-form tags and its subtrees, strictly decreasing in height,
    /// exactly the binary decomposition of the file's padded sector count (0G's padding rule).
    struct Submission {
        uint256 length;
        bytes tags;
        SubmissionNode[] nodes;
    }

    /// @notice What miners of an epoch work against; fixed once, readable forever (no `blockhash` window).
    struct MineContext {
        uint256 epoch;
        uint256 startBlock;
        bytes32 blockHash;
        bytes32 flowRoot;
        uint256 flowLength;
        bytes32 digest;
    }
}

/// @title IFlowErrors
/// @notice The custom errors of the Flow contract.
interface IFlowErrors {
    /// @notice Thrown when a submission has length zero or no nodes.
    error FlowEmptySubmission();
    /// @notice Thrown when a submission's nodes are not the split of its padded length (or it is too large).
    /// @param length The submission's length in bytes.
    error FlowInvalidSubmission(uint256 length);
    /// @notice Thrown when the value sent is less than the fee.
    /// @param required The fee.
    /// @param paid The value sent.
    error FlowInsufficientFee(uint256 required, uint256 paid);
    /// @notice Thrown when a batch holds no submission.
    error FlowEmptyBatch();
    /// @notice Thrown when an account withdraws a refund it does not have.
    error FlowNoRefund();
    /// @notice Thrown when paying out a refund fails.
    error FlowTransferFailed();
    /// @notice Thrown when an epoch has no mining context.
    /// @param epoch The epoch asked for.
    error FlowUnknownContext(uint256 epoch);
    /// @notice Thrown when a parameter is zero or out of bounds.
    error FlowInvalidParams();
}

/// @title IFlowEvents
/// @notice The events of the Flow contract. `Submit` and `NewEpoch` keep 0G's names: storage nodes follow them.
interface IFlowEvents {
    /// @notice Emitted when a file entered the flow.
    /// @param sender Who submitted and paid.
    /// @param dataRoot The file root (0G clients' root of the same bytes).
    /// @param submissionIndex Sequence number of the submission.
    /// @param startPos First flow sector of the file.
    /// @param length Sectors the file occupies (padded).
    /// @param fee What was charged.
    /// @param submission The submission itself.
    event Submit(
        address indexed sender,
        bytes32 indexed dataRoot,
        uint256 submissionIndex,
        uint256 startPos,
        uint256 length,
        uint256 fee,
        IFlowTypes.Submission submission
    );
    /// @notice Emitted when an epoch's mining context was fixed.
    /// @param sender Whose call fixed it.
    /// @param epoch The epoch.
    /// @param flowRoot The flow root at that moment.
    /// @param flowLength The flow length in sectors.
    /// @param blockHash The block hash mixed in.
    /// @param digest keccak256(abi.encode(blockHash, flowRoot, flowLength)).
    event NewEpoch(
        address indexed sender,
        uint256 indexed epoch,
        bytes32 flowRoot,
        uint256 flowLength,
        bytes32 blockHash,
        bytes32 digest
    );
    /// @notice Emitted when pushing back an overpayment failed and it was kept for `withdrawRefund`.
    /// @param account Who is owed.
    /// @param amount The amount kept.
    event RefundDeferred(address indexed account, uint256 amount);
    /// @notice Emitted when a kept refund was withdrawn.
    /// @param account Who withdrew.
    /// @param amount The amount.
    event RefundWithdrawn(address indexed account, uint256 amount);
}

/// @title IFlow
/// @notice The append-only log of data roots that 0G Storage builds on: files enter as whole subtrees of
/// 256-byte sectors, pay the market price per sector, and every `blocksPerEpoch` blocks a mining context is fixed.
interface IFlow is IFlowTypes, IFlowErrors, IFlowEvents {
    /// @notice Appends a file, charging `pricePerSector × padded sectors` through the market; any excess value is
    /// sent back in the same call (kept for `withdrawRefund` when the push fails).
    /// @param submission The file's submission (see `offchain/storage/core`).
    /// @return index The submission's sequence number.
    /// @return dataRoot The file root.
    /// @return startPos The first flow sector of the file.
    /// @return sectors The padded sectors charged for.
    function submit(
        Submission calldata submission
    ) external payable returns (uint256 index, bytes32 dataRoot, uint256 startPos, uint256 sectors);

    /// @notice Appends several files in order, paying for all of them at once; excess value is refunded.
    /// @param submissions The files.
    /// @return indexes Their sequence numbers.
    /// @return dataRoots Their file roots.
    /// @return startPositions Their first flow sectors.
    /// @return lengths Their padded sectors.
    function batchSubmit(
        Submission[] calldata submissions
    )
        external
        payable
        returns (
            uint256[] memory indexes,
            bytes32[] memory dataRoots,
            uint256[] memory startPositions,
            uint256[] memory lengths
        );

    /// @notice Fixes the current epoch's mining context if it is not fixed yet (anyone may call).
    function makeContext() external;

    /// @notice Pays out a refund kept after a failed push.
    function withdrawRefund() external;

    /// @notice The market that prices and collects fees.
    /// @return The market's address.
    function market() external view returns (address);

    /// @notice The epoch of the current block.
    /// @return The epoch number.
    function epoch() external view returns (uint256);

    /// @notice Blocks per epoch.
    /// @return The number of blocks.
    function blocksPerEpoch() external view returns (uint256);

    /// @notice The last epoch whose context is fixed.
    /// @return The epoch number.
    function lastContextEpoch() external view returns (uint256);

    /// @notice An epoch's mining context; reverts with `FlowUnknownContext` when it was never fixed.
    /// @param epochNumber The epoch.
    /// @return The context.
    function getContext(uint256 epochNumber) external view returns (MineContext memory);

    /// @notice The first fixed context whose flow covers `sector`: the seal context of the data there.
    /// @param sector A flow sector.
    /// @return The context; reverts with `FlowUnknownContext(type(uint256).max)` when none covers it yet.
    function contextCovering(uint256 sector) external view returns (MineContext memory);

    /// @notice The current flow root.
    /// @return The root.
    function root() external view returns (bytes32);

    /// @notice The flow length in sectors, padding included.
    /// @return The length.
    function flowLength() external view returns (uint256);

    /// @notice Submissions so far.
    /// @return The count.
    function submissionCount() external view returns (uint256);

    /// @notice The flow root right after submission `index`, while it is among the last 256.
    /// @param index The submission's sequence number.
    /// @return The root, or zero when it has left the ring.
    function rootAfter(uint256 index) external view returns (bytes32);

    /// @notice The fee the market charges for `sectors` sectors now.
    /// @param sectors Padded sectors.
    /// @return The fee in wei.
    function fee(uint256 sectors) external view returns (uint256);

    /// @notice Refund kept for `account`.
    /// @param account The account.
    /// @return The amount.
    function refundOf(address account) external view returns (uint256);

    /// @notice Whether `leaf`, a subtree root at `index` among subtrees of its height, is under `flowRoot_`.
    /// @param flowRoot_ A flow root.
    /// @param leaf The subtree root.
    /// @param index Its index among subtrees of its height.
    /// @param proof Siblings bottom to top.
    /// @return True when the proof holds.
    function verifyFlowProof(
        bytes32 flowRoot_,
        bytes32 leaf,
        uint256 index,
        bytes32[] calldata proof
    ) external pure returns (bool);
}
