// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IDASamplerTypes
/// @notice The structs the DA sampler takes and returns.
interface IDASamplerTypes {
    /// @notice The parameters the admin may change.
    /// @param sampleEpochs How many finished epochs' blobs are sampled: epochs current − sampleEpochs .. current − 1.
    /// @param targetAnswersPerRound Accepted answers per round the target adjusts toward.
    /// @param maxAnswersPerRound Most answers accepted in one round (≥ targetAnswersPerRound).
    /// @param roundsPerEpoch Rounds in one DA epoch; an answer's pool share is pool / (target answers × rounds).
    /// @param baseReward Wei added to every answer from the base pool while it lasts.
    struct SamplerParams {
        uint32 sampleEpochs;
        uint32 targetAnswersPerRound;
        uint32 maxAnswersPerRound;
        uint32 roundsPerEpoch;
        uint128 baseReward;
    }

    /// @notice A signer's answer: the subline at (lineIndex, sublineIndex) of a verified blob, with the shape that
    /// hashes to its data root and the merkle proof up to `rowsRoot` (docs/da-encoding.md).
    struct SampleAnswer {
        bytes32 dataRoot;
        uint64 epoch;
        uint64 quorumId;
        bytes32 rowsRoot;
        uint32 cols;
        uint32 dataRows;
        uint32 codedRows;
        uint32 lineIndex;
        uint32 sublineIndex;
        bytes data;
        bytes32[] proof;
    }

    /// @notice A sampling round: its seed (zero until fixed) and the answers accepted in it.
    struct Round {
        bytes32 seed;
        uint256 target;
        uint32 answers;
    }

    /// @notice An epoch's reward pool once pulled from the entrance.
    struct EpochPool {
        uint120 total;
        uint120 remaining;
        bool pulled;
    }
}

/// @title IDASamplerErrors
/// @notice The custom errors of the DA sampler.
interface IDASamplerErrors {
    /// @notice Thrown when the entrance address is zero.
    error DASamplerZeroAddress();

    /// @notice Thrown when a parameter is outside its bounds.
    /// @param name The parameter.
    /// @param value The value given.
    error DASamplerInvalidParam(string name, uint256 value);

    /// @notice Thrown when `startRound` is called for a round whose seed is already fixed.
    /// @param round The round.
    error DASamplerRoundStarted(uint256 round);

    /// @notice Thrown when the round's seed cannot be fixed: round 0 (its start block is genesis), or still in the
    /// round's start block (its hash is not known yet).
    /// @param round The round.
    error DASamplerSeedUnavailable(uint256 round);

    /// @notice Thrown when the round already accepted its maximum of answers.
    /// @param round The round.
    /// @param maximum The cap.
    error DASamplerRoundFull(uint256 round, uint256 maximum);

    /// @notice Thrown when the blob's epoch is not one of the last `sampleEpochs` finished epochs.
    /// @param epoch The blob's epoch.
    /// @param current The current epoch.
    error DASamplerEpochOutOfRange(uint256 epoch, uint256 current);

    /// @notice Thrown when the blob has no verified certificate in the entrance.
    /// @param dataRoot The root.
    /// @param epoch The epoch.
    /// @param quorumId The quorum.
    error DASamplerNotVerified(bytes32 dataRoot, uint256 epoch, uint256 quorumId);

    /// @notice Thrown when the caller is not the signer the line is assigned to.
    /// @param caller The caller.
    /// @param assigned Member (lineIndex mod size) of the blob's quorum in its epoch.
    error DASamplerNotAssigned(address caller, address assigned);

    /// @notice Thrown when the same (round, blob, line, subline) was already rewarded.
    /// @param key keccak256(abi.encode(round, dataRoot, epoch, quorumId, lineIndex, sublineIndex)).
    error DASamplerDuplicateAnswer(bytes32 key);

    /// @notice Thrown when the answer's quality is above the round's target.
    /// @param quality The answer's quality.
    /// @param target The round's target.
    error DASamplerQualityTooLow(uint256 quality, uint256 target);

    /// @notice Thrown when an epoch's pool is recycled while its blobs may still be sampled.
    /// @param epoch The epoch.
    /// @param current The current epoch.
    error DASamplerPoolNotExpired(uint256 epoch, uint256 current);

    /// @notice Thrown when value arrives from anyone but the entrance outside `fundBasePool`.
    /// @param from The sender.
    error DASamplerUnexpectedValue(address from);

    /// @notice Thrown when `claim` finds nothing owed.
    /// @param account The caller.
    error DASamplerNothingToClaim(address account);

    /// @notice Thrown when a reward transfer fails.
    /// @param to The recipient.
    error DASamplerTransferFailed(address to);
}

// solhint-disable gas-indexed-events
/// @title IDASamplerEvents
/// @notice The events of the DA sampler.
interface IDASamplerEvents is IDASamplerTypes {
    /// @notice Emitted when a round's seed is fixed and its target set.
    /// @param round The round (block.number / samplePeriod).
    /// @param seed blockhash(round × samplePeriod).
    /// @param previousTarget The target before the adjustment.
    /// @param target The round's target.
    event RoundStarted(uint256 indexed round, bytes32 seed, uint256 previousTarget, uint256 target);

    /// @notice Emitted for every accepted answer.
    /// @param signer The signer credited.
    /// @param round The round.
    /// @param dataRoot The blob's data root.
    /// @param epoch The blob's epoch.
    /// @param quorumId The blob's quorum.
    /// @param lineIndex The line.
    /// @param sublineIndex The subline.
    /// @param poolReward The share of the epoch's pool.
    /// @param baseReward The base reward.
    event AnswerRewarded(
        address indexed signer,
        uint256 indexed round,
        bytes32 indexed dataRoot,
        uint256 epoch,
        uint256 quorumId,
        uint256 lineIndex,
        uint256 sublineIndex,
        uint256 poolReward,
        uint256 baseReward
    );

    /// @notice Emitted when an epoch's fees arrive from the entrance as its reward pool.
    /// @param epoch The epoch.
    /// @param amount The pool.
    event EpochPoolFunded(uint256 indexed epoch, uint256 amount);

    /// @notice Emitted when the base pool is funded.
    /// @param from The funder.
    /// @param amount The value added.
    event BasePoolFunded(address indexed from, uint256 amount);

    /// @notice Emitted when what is left of an expired epoch's pool moves to the base pool.
    /// @param epoch The epoch.
    /// @param amount The value moved.
    event PoolRecycled(uint256 indexed epoch, uint256 amount);

    /// @notice Emitted when a signer claims its rewards.
    /// @param signer The signer.
    /// @param amount The value paid.
    event RewardClaimed(address indexed signer, uint256 amount);

    /// @notice Emitted when the parameters change.
    /// @param params The new parameters.
    event ParamsUpdated(SamplerParams params);
}

/// @title IDASampler
/// @notice Sampling rewards of the data-availability layer: every `samplePeriod` blocks a round's seed (a block
/// hash) picks, through a quality ≤ target condition, which sublines of verified blobs their assigned signers may
/// prove they hold; each accepted answer earns a share of its blob epoch's fees plus a base reward.
interface IDASampler is IDASamplerErrors, IDASamplerEvents {
    /// @notice Sets roles and parameters once, behind the proxy.
    /// @param admin Gets DEFAULT_ADMIN_ROLE (sets the parameters) and UPGRADER_ROLE.
    /// @param pauser Gets PAUSER_ROLE when non-zero.
    /// @param entrance The DA entrance (its registry assigns lines; it releases epoch fees to this contract).
    /// @param samplePeriod Blocks per round, 2..256 (so a round's start block hash is readable all round long);
    /// fixed for life.
    /// @param initialTarget The first round's quality target (≥ 1).
    /// @param params The changeable parameters (bounds as in `setParams`).
    function initialize(
        address admin,
        address pauser,
        address entrance,
        uint64 samplePeriod,
        uint256 initialTarget,
        SamplerParams calldata params
    ) external;

    /// @notice Fixes the current round's seed to blockhash(round × samplePeriod) and moves the target toward
    /// `targetAnswersPerRound` given the answers of the last started round (×2 / ÷2 at most). A round nobody starts
    /// is skipped. `submitSamplingResponse` starts the round itself when needed.
    /// @dev Requirements: not paused; the seed not fixed yet; not round 0; not in the round's start block.
    /// @return round The round.
    /// @return seed Its seed.
    function startRound() external returns (uint256 round, bytes32 seed);

    /// @notice Accepts a signer's sampling answer for the current round and credits its reward.
    /// @dev Effects: starts the round when needed; marks (round, blob, line, subline) rewarded; counts the answer;
    /// pulls the blob epoch's fees from the entrance on its first answer; credits the caller pool share
    /// min(remaining, pool / (targetAnswersPerRound × roundsPerEpoch)) plus min(baseReward, base pool); emits
    /// `AnswerRewarded`. Requirements, each a named error: not paused; the round's seed can be fixed; fewer than
    /// `maxAnswersPerRound` answers in the round; the epoch among the last `sampleEpochs` finished ones; the blob
    /// verified in the entrance; the shape hashes to the data root and holds the position (SampleLib errors);
    /// the caller is member (lineIndex mod size) of the quorum in that epoch; not rewarded yet this round;
    /// quality ≤ target; the data is 1024 bytes and its proof reaches rowsRoot (SampleLib errors).
    /// @param answer The answer.
    function submitSamplingResponse(SampleAnswer calldata answer) external;

    /// @notice Pays the caller its rewards; works while paused.
    /// @return amount The value paid.
    function claim() external returns (uint256 amount);

    /// @notice Adds msg.value to the base pool that pays the base reward.
    function fundBasePool() external payable;

    /// @notice Moves what is left of an epoch's pool, once its blobs can no longer be sampled, to the base pool
    /// (pulling the epoch's fees from the entrance first if nobody did).
    /// @dev Requirements: epoch + sampleEpochs < current epoch.
    /// @param epoch The epoch.
    function recycleExpiredPool(uint256 epoch) external;

    /// @notice Sets the changeable parameters; only the admin.
    /// @dev Bounds: sampleEpochs 1..1000; targetAnswersPerRound 1..1e6; maxAnswersPerRound
    /// targetAnswersPerRound..1e6; roundsPerEpoch ≥ 1.
    /// @param params The parameters.
    function setParams(SamplerParams calldata params) external;

    /// @notice The round `block.number` is in.
    /// @return The round.
    function currentRound() external view returns (uint256);

    /// @notice A round's seed (zero until started), target and answers.
    /// @param round The round.
    /// @return The round.
    function getRound(uint256 round) external view returns (Round memory);

    /// @notice The target of the last started round (the next round starts from it).
    /// @return The target.
    function qualityTarget() external view returns (uint256);

    /// @notice Blocks per round.
    /// @return The period.
    function samplePeriod() external view returns (uint64);

    /// @notice The changeable parameters.
    /// @return The parameters.
    function getParams() external view returns (SamplerParams memory);

    /// @notice The epochs whose blobs may be sampled now: current − sampleEpochs .. current − 1 (empty when
    /// first > last).
    /// @return first The oldest.
    /// @return last The newest.
    function sampleRange() external view returns (uint256 first, uint256 last);

    /// @notice The signer a blob's line is assigned to: member (lineIndex mod size) of its quorum in its epoch.
    /// @param epoch The blob's epoch.
    /// @param quorumId The blob's quorum.
    /// @param lineIndex The line.
    /// @return The signer.
    function assignedSigner(uint256 epoch, uint256 quorumId, uint256 lineIndex) external view returns (address);

    /// @notice An epoch's reward pool (zero until its first answer or recycle pulls it).
    /// @param epoch The epoch.
    /// @return The pool.
    function epochPool(uint256 epoch) external view returns (EpochPool memory);

    /// @notice The base pool.
    /// @return Wei.
    function basePool() external view returns (uint256);

    /// @notice What a signer can claim.
    /// @param signer The signer.
    /// @return Wei.
    function owed(address signer) external view returns (uint256);

    /// @notice Whether (round, blob, line, subline) was rewarded.
    /// @param round The round.
    /// @param dataRoot The blob's data root.
    /// @param epoch The blob's epoch.
    /// @param quorumId The blob's quorum.
    /// @param lineIndex The line.
    /// @param sublineIndex The subline.
    /// @return True once rewarded.
    function isRewarded(
        uint256 round,
        bytes32 dataRoot,
        uint256 epoch,
        uint256 quorumId,
        uint256 lineIndex,
        uint256 sublineIndex
    ) external view returns (bool);

    /// @notice The entrance.
    /// @return Its address.
    function entrance() external view returns (address);
}
