// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BN254} from "../../common/libraries/BN254.sol";

/// @title IDAChallengeTypes
/// @notice The structs the DA challenge contract takes and returns.
interface IDAChallengeTypes {
    /// @notice Where a challenge stands.
    /// @param None No such challenge.
    /// @param Open Waiting for the subline until the deadline.
    /// @param Answered The subline was shown; the bond went to the signer.
    /// @param Slashed Nobody answered; the signer was slashed and the bond returned to the challenger.
    /// @param Unslashed Nobody answered but Staking refused the slash (cap reached, opted out, service off); the
    /// bond returned to the challenger.
    enum ChallengeStatus {
        None,
        Open,
        Answered,
        Slashed,
        Unslashed
    }

    /// @notice The changeable parameters.
    /// @param bond Wei a challenger posts; the signer gets it when it answers.
    /// @param responseWindow Blocks the signer has to answer.
    /// @param slashPpm The fraction of the signer's stake slashed when it does not (within Staking's service cap).
    /// @param challengeEpochs A blob may be challenged while current epoch ≤ its epoch + challengeEpochs.
    /// @param jail Whether a slash also jails the validator.
    struct ChallengeParams {
        uint96 bond;
        uint32 responseWindow;
        uint32 slashPpm;
        uint32 challengeEpochs;
        bool jail;
    }

    /// @notice A challenge: a blob's position (with the shape that hashes to its data root) and the certificate
    /// that shows the assigned signer signed it (its key is not among the non-signers).
    struct ChallengeRequest {
        bytes32 dataRoot;
        uint64 epoch;
        uint64 quorumId;
        bytes32 rowsRoot;
        uint32 cols;
        uint32 dataRows;
        uint32 codedRows;
        uint32 lineIndex;
        uint32 sublineIndex;
        BN254.G1Point commitment;
        BN254.G1Point[] nonSignerPubkeys;
    }

    /// @notice A stored challenge.
    struct Challenge {
        address challenger;
        uint64 deadline;
        ChallengeStatus status;
        address signer;
        uint96 bond;
        bytes32 dataRoot;
        bytes32 rowsRoot;
        uint64 epoch;
        uint64 quorumId;
        uint32 cols;
        uint32 codedRows;
        uint32 lineIndex;
        uint32 sublineIndex;
    }
}

/// @title IDAChallengeErrors
/// @notice The custom errors of the DA challenge contract.
interface IDAChallengeErrors {
    /// @notice Thrown when the entrance address is zero.
    error DAChallengeZeroAddress();

    /// @notice Thrown when a parameter is outside its bounds.
    /// @param name The parameter.
    /// @param value The value given.
    error DAChallengeInvalidParam(string name, uint256 value);

    /// @notice Thrown when the value sent is not the bond.
    /// @param sent The value sent.
    /// @param bond The bond.
    error DAChallengeWrongBond(uint256 sent, uint256 bond);

    /// @notice Thrown when the blob's epoch is more than `challengeEpochs` behind the current one.
    /// @param epoch The blob's epoch.
    /// @param current The current epoch.
    error DAChallengeEpochOutOfRange(uint256 epoch, uint256 current);

    /// @notice Thrown when the commitment and non-signers are not the blob's verified certificate (or the blob is
    /// not verified).
    /// @param dataRoot The root.
    /// @param epoch The epoch.
    /// @param quorumId The quorum.
    error DAChallengeCertificateMismatch(bytes32 dataRoot, uint256 epoch, uint256 quorumId);

    /// @notice Thrown when the line's assigned signer is among the certificate's non-signers.
    /// @param signer The signer.
    error DAChallengeSignerDidNotSign(address signer);

    /// @notice Thrown when the same position of the same blob is already under an open challenge.
    /// @param challengeId The open challenge.
    error DAChallengeAlreadyOpen(uint256 challengeId);

    /// @notice Thrown when a challenge is not open (unknown, answered or finalized).
    /// @param challengeId The challenge.
    error DAChallengeNotOpen(uint256 challengeId);

    /// @notice Thrown when an answer comes after the deadline.
    /// @param challengeId The challenge.
    /// @param deadline The last block an answer counted in.
    error DAChallengeWindowClosed(uint256 challengeId, uint256 deadline);

    /// @notice Thrown when a challenge is finalized before its deadline has passed.
    /// @param challengeId The challenge.
    /// @param deadline The last block an answer counts in.
    error DAChallengeWindowOpen(uint256 challengeId, uint256 deadline);

    /// @notice Thrown when `withdraw` finds nothing credited.
    /// @param account The caller.
    error DAChallengeNothingToWithdraw(address account);

    /// @notice Thrown when a bond transfer fails.
    /// @param to The recipient.
    error DAChallengeTransferFailed(address to);
}

// solhint-disable gas-indexed-events
/// @title IDAChallengeEvents
/// @notice The events of the DA challenge contract.
interface IDAChallengeEvents is IDAChallengeTypes {
    /// @notice Emitted when a challenge opens; the signer must answer by `deadline` (a block number).
    /// @param challengeId The challenge.
    /// @param signer The challenged signer.
    /// @param dataRoot The blob's data root.
    /// @param challenger Who posted the bond.
    /// @param epoch The blob's epoch.
    /// @param quorumId The blob's quorum.
    /// @param lineIndex The line.
    /// @param sublineIndex The subline.
    /// @param deadline The last block an answer counts in.
    event ChallengeOpened(
        uint256 indexed challengeId,
        address indexed signer,
        bytes32 indexed dataRoot,
        address challenger,
        uint256 epoch,
        uint256 quorumId,
        uint256 lineIndex,
        uint256 sublineIndex,
        uint256 deadline
    );

    /// @notice Emitted when a challenge is answered with the subline; the bond is credited to the signer.
    /// @param challengeId The challenge.
    /// @param signer The signer.
    /// @param responder Who sent the answer.
    /// @param bond The bond credited.
    event ChallengeAnswered(uint256 indexed challengeId, address indexed signer, address responder, uint256 bond);

    /// @notice Emitted when an unanswered challenge is finalized; the bond is credited back to the challenger.
    /// @param challengeId The challenge.
    /// @param signer The signer.
    /// @param slashed Whether Staking took the slash.
    /// @param ppm The fraction asked for.
    /// @param slashError Staking's revert data when it refused (empty when slashed).
    event ChallengeFinalized(
        uint256 indexed challengeId,
        address indexed signer,
        bool slashed,
        uint256 ppm,
        bytes slashError
    );

    /// @notice Emitted when an account withdraws its credited bonds.
    /// @param account The account.
    /// @param amount The value paid.
    event BondWithdrawn(address indexed account, uint256 amount);

    /// @notice Emitted when the parameters change.
    /// @param params The new parameters.
    event ParamsUpdated(ChallengeParams params);
}

/// @title IDAChallenge
/// @notice Slashing for unavailable blobs: anyone may challenge the signer assigned to a line of a blob it signed,
/// posting a bond; the signer shows the subline with its merkle proof within the window and takes the bond, or
/// anyone finalizes and the signer's validator is slashed in Staking through the signer registry (the DA service).
interface IDAChallenge is IDAChallengeErrors, IDAChallengeEvents {
    /// @notice Sets roles and parameters once, behind the proxy.
    /// @param admin Gets DEFAULT_ADMIN_ROLE (sets the parameters) and UPGRADER_ROLE.
    /// @param pauser Gets PAUSER_ROLE when non-zero.
    /// @param entrance The DA entrance (certificates; its registry assigns lines and slashes, and must grant this
    /// contract SLASHER_ROLE).
    /// @param params The parameters (bounds as in `setParams`).
    function initialize(address admin, address pauser, address entrance, ChallengeParams calldata params) external;

    /// @notice Challenges the signer assigned to `req.lineIndex` to show the subline `req.sublineIndex`.
    /// @dev Effects: stores an open challenge with deadline block.number + responseWindow, emits
    /// `ChallengeOpened`. Requirements, each a named error: not paused; msg.value == bond; the blob's epoch
    /// + challengeEpochs ≥ current epoch; (commitment, nonSignerPubkeys) is the blob's verified certificate; the
    /// shape hashes to the data root and holds the position (SampleLib errors); the assigned signer (member
    /// lineIndex mod size of the quorum in that epoch) is not a non-signer; no open challenge on that position.
    /// @param req The challenge.
    /// @return challengeId The new challenge's id (from 1).
    function openChallenge(ChallengeRequest calldata req) external payable returns (uint256 challengeId);

    /// @notice Answers an open challenge with the subline and its proof; anyone may send it, the bond is credited
    /// to the signer. Works while paused, so a pause never makes a signer miss its window.
    /// @dev Requirements: the challenge is open; block.number ≤ deadline; data is 1024 bytes and its proof reaches
    /// the blob's rows root at the challenged position (SampleLib errors).
    /// @param challengeId The challenge.
    /// @param data The subline's 1024 bytes.
    /// @param proof The siblings from the subline root up to the rows root, bottom first.
    function respondChallenge(uint256 challengeId, bytes calldata data, bytes32[] calldata proof) external;

    /// @notice Finalizes an unanswered challenge after its deadline: slashes the signer through the registry's
    /// `slashSigner` (reason `UNAVAILABLE_REASON`) and credits the bond back to the challenger. When Staking
    /// refuses the slash the challenge ends `Unslashed` and the bond is still returned.
    /// @dev Requirements: not paused; the challenge is open; block.number > deadline.
    /// @param challengeId The challenge.
    function finalizeChallenge(uint256 challengeId) external;

    /// @notice Pays the caller its credited bonds; works while paused.
    /// @return amount The value paid.
    function withdraw() external returns (uint256 amount);

    /// @notice Sets the parameters for challenges opened from now on; only the admin.
    /// @dev Bounds: bond ≥ 1 wei; responseWindow 1..1e6 blocks; slashPpm 1..1e6; challengeEpochs 1..1000.
    /// @param params The parameters.
    function setParams(ChallengeParams calldata params) external;

    /// @notice A challenge.
    /// @param challengeId The challenge.
    /// @return The record (status None when unknown).
    function getChallenge(uint256 challengeId) external view returns (Challenge memory);

    /// @notice The open challenge on a position, or 0.
    /// @param dataRoot The blob's data root.
    /// @param epoch The blob's epoch.
    /// @param quorumId The blob's quorum.
    /// @param lineIndex The line.
    /// @param sublineIndex The subline.
    /// @return The challenge id.
    function openChallengeAt(
        bytes32 dataRoot,
        uint256 epoch,
        uint256 quorumId,
        uint256 lineIndex,
        uint256 sublineIndex
    ) external view returns (uint256);

    /// @notice How many challenges were opened.
    /// @return The count (the last id).
    function challengeCount() external view returns (uint256);

    /// @notice Bonds credited to an account.
    /// @param account The account.
    /// @return Wei.
    function credited(address account) external view returns (uint256);

    /// @notice The parameters.
    /// @return The parameters.
    function getParams() external view returns (ChallengeParams memory);

    /// @notice The entrance.
    /// @return Its address.
    function entrance() external view returns (address);
}
