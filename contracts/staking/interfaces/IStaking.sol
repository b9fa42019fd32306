// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IStakingTypes
/// @notice The structs the staking contract stores and returns.
interface IStakingTypes {
    /// @notice Where a validator is in its life: unknown, active (registered, counted against `maxValidators`)
    /// or exited (its operator took out all of its self-stake; it never comes back).
    enum ValidatorStatus {
        None,
        Active,
        Exited
    }

    /// @notice A pool of native value owned pro rata by share holders. `stake` is real value; the price of a
    /// share is `(stake + 1) / (shares + 1e3)` (a virtual offset that defeats first-deposit inflation).
    struct Pool {
        uint256 stake;
        uint256 shares;
    }

    /// @notice Governance-set parameters; `setParams` checks every bound.
    struct Params {
        uint256 minSelfStake;
        uint256 minDelegation;
        uint256 maxEffectiveStake;
        uint64 unbondingDelay;
        uint64 jailPeriod;
        uint64 epochLength;
        uint32 maxValidators;
        uint32 maxCommissionPpm;
        uint32 communityTaxPpm;
        uint32 doubleSignSlashPpm;
        uint32 downtimeSlashPpm;
        uint32 downtimeThreshold;
    }

    /// @notice A validator, keyed by its operator's address.
    // The enum packs into one byte next to the other small fields (one slot); the rule counts it as 32 bytes.
    // solhint-disable-next-line gas-struct-packing
    struct Validator {
        Pool bonded;
        Pool unbonding;
        uint64 lastCommissionChangeAt;
        uint64 jailedUntil;
        uint32 commissionPpm;
        uint32 maxCommissionPpm;
        uint32 maxCommissionChangePerDayPpm;
        ValidatorStatus status;
        bool jailed;
        bytes consensusPubKey;
    }

    /// @notice A withdrawal entry: shares of its validator's unbonding pool, paid out after `completionTime`.
    struct Withdrawal {
        address owner;
        uint64 completionTime;
        bool claimed;
        address validator;
        uint256 shares;
    }

    /// @notice An unmatured redelegation: `shares` of `dst` that stay locked, and answer for slashes of `src`,
    /// until `completionTime`.
    struct Redelegation {
        address delegator;
        uint64 completionTime;
        address src;
        address dst;
        uint256 shares;
    }

    /// @notice A protocol service that validators opt into and that may slash them.
    struct Service {
        bool registered;
        bool active;
        uint32 maxSlashPpmPerEpoch;
        string name;
    }

    /// @notice A validator's opt-in to a service; `optOutAt` is 0 until the operator asks to leave.
    struct OptIn {
        uint64 optedInAt;
        uint64 optOutAt;
    }

    /// @notice How much of its per-epoch cap a service has used against one validator.
    struct SlashWindow {
        uint64 epoch;
        uint32 usedPpm;
    }
}

/// @title IStakingErrors
/// @notice The custom errors of the staking contract.
interface IStakingErrors {
    /// @notice Thrown when a value is below the minimum (a delegation under `minDelegation`, a zero reward, an
    /// undelegation worth 0 wei, or a deposit that would mint no shares).
    /// @param amount The value given.
    /// @param minimum The smallest value accepted.
    error StakingAmountTooSmall(uint256 amount, uint256 minimum);

    /// @notice Thrown when an operator registers a second validator.
    /// @param validator The operator's address.
    error StakingValidatorAlreadyRegistered(address validator);

    /// @notice Thrown when an address that never registered is used as a validator.
    /// @param validator The address given.
    error StakingUnknownValidator(address validator);

    /// @notice Thrown when an exited validator is asked to take stake, rewards, opt-ins or settings.
    /// @param validator The exited validator.
    error StakingValidatorNotActive(address validator);

    /// @notice Thrown when a jailed validator is delegated to (by anyone but its operator) or rewarded.
    /// @param validator The jailed validator.
    error StakingValidatorJailed(address validator);

    /// @notice Thrown when an operator unjails a validator that is not jailed.
    /// @param validator The validator.
    error StakingNotJailed(address validator);

    /// @notice Thrown when an operator unjails before the jail period ends.
    /// @param validator The validator.
    /// @param until When the jail period ends.
    error StakingStillJailed(address validator, uint64 until);

    /// @notice Thrown when a validator is evicted that is not jailed, or whose operator may still unjail it.
    /// @param validator The validator.
    /// @param evictableAt When it becomes evictable if it stays jailed (0 when it is not jailed).
    error StakingNotEvictable(address validator, uint64 evictableAt);

    /// @notice Thrown when a consensus public key is empty or longer than 128 bytes.
    /// @param length The key's length in bytes.
    error StakingInvalidPubKey(uint256 length);

    /// @notice Thrown when a consensus public key is already registered by another validator.
    /// @param owner The validator that holds the key.
    error StakingPubKeyInUse(address owner);

    /// @notice Thrown when a description is longer than 256 bytes.
    /// @param length The description's length in bytes.
    /// @param maximum The longest accepted.
    error StakingDescriptionTooLong(uint256 length, uint256 maximum);

    /// @notice Thrown when a commission rate (or a maximum, or a maximum daily change) is above what its
    /// ceiling allows: the validator's own maximum, or the global `maxCommissionPpm`.
    /// @param ppm The rate given.
    /// @param maximum The ceiling it exceeds.
    error StakingCommissionAboveMax(uint256 ppm, uint256 maximum);

    /// @notice Thrown when a commission change is larger than the validator's maximum change per day.
    /// @param change The size of the change in ppm.
    /// @param maximum The validator's maximum change per day.
    error StakingCommissionChangeTooLarge(uint256 change, uint256 maximum);

    /// @notice Thrown when the commission is changed twice within 24 hours.
    /// @param nextAllowedAt When the next change is allowed.
    error StakingCommissionChangeTooSoon(uint64 nextAllowedAt);

    /// @notice Thrown when registering would exceed `maxValidators` active validators.
    /// @param maximum The cap.
    error StakingTooManyValidators(uint256 maximum);

    /// @notice Thrown when an operator's self-stake would be (or is) below `minSelfStake`: at registration,
    /// after a partial self-undelegation, or at unjail.
    /// @param selfStake The self-stake it would have.
    /// @param minimum `minSelfStake`.
    error StakingSelfStakeTooLow(uint256 selfStake, uint256 minimum);

    /// @notice Thrown when a delegation would push a validator's bonded stake above `maxEffectiveStake`.
    /// @param totalStake The bonded stake the delegation would produce.
    /// @param cap `maxEffectiveStake`.
    error StakingStakeCapExceeded(uint256 totalStake, uint256 cap);

    /// @notice Thrown when zero shares are undelegated or redelegated.
    error StakingZeroShares();

    /// @notice Thrown when more shares are undelegated or redelegated than the caller holds.
    /// @param requested The shares asked for.
    /// @param available The shares held.
    error StakingInsufficientShares(uint256 requested, uint256 available);

    /// @notice Thrown when shares still locked by an unmatured redelegation are undelegated or redelegated.
    /// @param requested The shares asked for.
    /// @param unlocked The shares free to move.
    error StakingSharesLocked(uint256 requested, uint256 unlocked);

    /// @notice Thrown when a redelegation names the same validator as source and destination.
    error StakingSameValidator();

    /// @notice Thrown when a source validator or a delegator already has the most unmatured redelegations.
    /// @param account The source validator or the delegator whose list is full.
    /// @param maximum The cap on that list.
    error StakingTooManyRedelegations(address account, uint256 maximum);

    /// @notice Thrown when a withdrawal id was never issued.
    /// @param id The id given.
    error StakingWithdrawalNotFound(uint256 id);

    /// @notice Thrown when a withdrawal is claimed before its unbonding delay ends.
    /// @param id The entry.
    /// @param completionTime When it can be claimed.
    error StakingWithdrawalNotReady(uint256 id, uint64 completionTime);

    /// @notice Thrown when a withdrawal is claimed a second time.
    /// @param id The entry.
    error StakingWithdrawalAlreadyClaimed(uint256 id);

    /// @notice Thrown when an account claims a withdrawal entry it does not own.
    /// @param id The entry.
    /// @param owner The entry's owner.
    error StakingNotEntryOwner(uint256 id, address owner);

    /// @notice Thrown when `withdraw` is given no entries.
    error StakingEmptyBatch();

    /// @notice Thrown when sending native value to a recipient fails (the recipient reverted).
    /// @param to The recipient.
    /// @param amount The value.
    error StakingTransferFailed(address to, uint256 amount);

    /// @notice Thrown when there is no commission or treasury balance to claim.
    error StakingNothingToClaim();

    /// @notice Thrown when the zero address is given where an account is needed.
    error StakingZeroAddress();

    /// @notice Thrown when the caller (as a slasher) or the named service is not a registered service.
    /// @param service The address.
    error StakingServiceNotRegistered(address service);

    /// @notice Thrown when a service is registered twice.
    /// @param service The service.
    error StakingServiceAlreadyRegistered(address service);

    /// @notice Thrown when a deactivated service slashes, is opted into, or is deactivated again.
    /// @param service The service.
    error StakingServiceNotActive(address service);

    /// @notice Thrown when a service slashes, or an operator opts out of, a service the validator is not
    /// opted into.
    /// @param validator The validator.
    /// @param service The service.
    error StakingNotOptedIn(address validator, address service);

    /// @notice Thrown when an operator opts into a service it is already opted into.
    /// @param validator The validator.
    /// @param service The service.
    error StakingAlreadyOptedIn(address validator, address service);

    /// @notice Thrown when an operator opts out of a service twice.
    /// @param validator The validator.
    /// @param service The service.
    /// @param effectiveAt When the pending opt-out takes effect.
    error StakingOptOutPending(address validator, address service, uint64 effectiveAt);

    /// @notice Thrown when a slash fraction, or a service's per-epoch cap, is 0 or above 1e6 ppm.
    /// @param ppm The fraction given.
    error StakingInvalidSlashPpm(uint256 ppm);

    /// @notice Thrown when a service's slashes of one validator within one epoch would exceed its cap.
    /// @param usedPpm What the service already slashed this validator this epoch.
    /// @param ppm The slash asked for.
    /// @param capPpm The service's `maxSlashPpmPerEpoch`.
    error StakingSlashCapExceeded(uint256 usedPpm, uint256 ppm, uint256 capPpm);

    /// @notice Thrown when double-sign evidence is reported a second time.
    /// @param evidenceHash The evidence.
    error StakingEvidenceAlreadyUsed(bytes32 evidenceHash);

    /// @notice Thrown when a missed-block window is reported a second time.
    /// @param window The window.
    error StakingWindowAlreadyReported(uint64 window);

    /// @notice Thrown when the validator and missed-block arrays differ in length.
    /// @param validators The validators' length.
    /// @param missed The counts' length.
    error StakingLengthMismatch(uint256 validators, uint256 missed);

    /// @notice Thrown when a parameter is out of its bounds.
    /// @param name The parameter's name as in `Params`, as a bytes32 short string ("minDelegation").
    /// @param value The value given.
    /// @param minimum The smallest accepted.
    /// @param maximum The largest accepted.
    error StakingParamOutOfBounds(bytes32 name, uint256 value, uint256 minimum, uint256 maximum);
}

// Amounts and rates are log data, not search keys: indexing them would cost a topic each and hide their values
// from decoders that read only the data.
// solhint-disable gas-indexed-events
/// @title IStakingEvents
/// @notice The events of the staking contract.
interface IStakingEvents is IStakingTypes {
    /// @notice Emitted when an operator registers a validator with its self-stake.
    /// @param validator The operator, which is also the validator's id.
    /// @param consensusPubKey The consensus public key.
    /// @param commissionPpm The commission rate.
    /// @param maxCommissionPpm The validator's commission ceiling.
    /// @param maxCommissionChangePerDayPpm The most the commission moves per change (one change a day).
    /// @param selfStake The value staked.
    /// @param shares The shares minted to the operator.
    event ValidatorRegistered(
        address indexed validator,
        bytes consensusPubKey,
        uint32 commissionPpm,
        uint32 maxCommissionPpm,
        uint32 maxCommissionChangePerDayPpm,
        uint256 selfStake,
        uint256 shares
    );

    /// @notice Emitted when a validator's description is set (at registration and by `setDescription`).
    /// @param validator The validator.
    /// @param description The new description.
    event DescriptionUpdated(address indexed validator, string description);

    /// @notice Emitted when an operator changes its commission.
    /// @param validator The validator.
    /// @param oldPpm The previous rate.
    /// @param newPpm The new rate.
    event CommissionUpdated(address indexed validator, uint32 oldPpm, uint32 newPpm);

    /// @notice Emitted when an operator takes out all of its self-stake and the validator leaves for good.
    /// @param validator The validator.
    event ValidatorExited(address indexed validator);

    /// @notice Emitted when value is delegated.
    /// @param delegator Who delegated.
    /// @param validator To whom.
    /// @param amount The value.
    /// @param shares The shares minted.
    event Delegated(address indexed delegator, address indexed validator, uint256 amount, uint256 shares);

    /// @notice Emitted when shares are undelegated into a withdrawal entry.
    /// @param delegator Who undelegated (the entry's owner).
    /// @param validator From whom.
    /// @param entryId The withdrawal entry.
    /// @param shares The bonded shares burned.
    /// @param amount Their value, moved into the unbonding pool.
    /// @param completionTime When the entry can be withdrawn.
    event Undelegated(
        address indexed delegator,
        address indexed validator,
        uint256 indexed entryId,
        uint256 shares,
        uint256 amount,
        uint64 completionTime
    );

    /// @notice Emitted for each withdrawal entry paid out.
    /// @param entryId The entry.
    /// @param owner Who was paid.
    /// @param validator The entry's validator.
    /// @param amount The value paid (after any slashes during the delay).
    event Withdrawn(uint256 indexed entryId, address indexed owner, address indexed validator, uint256 amount);

    /// @notice Emitted when shares move from one validator to another without waiting.
    /// @param delegator Who redelegated.
    /// @param src The source validator.
    /// @param dst The destination validator.
    /// @param redelegationId The redelegation entry that locks the new shares.
    /// @param srcShares The source shares burned.
    /// @param amount The value moved.
    /// @param dstShares The destination shares minted (locked until `completionTime`).
    /// @param completionTime When the lock ends.
    event Redelegated(
        address indexed delegator,
        address indexed src,
        address indexed dst,
        uint256 redelegationId,
        uint256 srcShares,
        uint256 amount,
        uint256 dstShares,
        uint64 completionTime
    );

    /// @notice Emitted when a reward is pushed to a validator.
    /// @param validator The validator.
    /// @param from Who pushed it.
    /// @param amount The value pushed.
    /// @param tax The community tax owed to the treasury.
    /// @param commission The operator's commission.
    /// @param toDelegators What raised the share price.
    event RewardsDistributed(
        address indexed validator,
        address indexed from,
        uint256 amount,
        uint256 tax,
        uint256 commission,
        uint256 toDelegators
    );

    /// @notice Emitted when an operator claims its commission.
    /// @param operator The operator.
    /// @param amount The value paid.
    event CommissionClaimed(address indexed operator, uint256 amount);

    /// @notice Emitted when the treasury balance (community tax and slashed value) is paid out.
    /// @param to The recipient.
    /// @param by The treasury role holder.
    /// @param amount The value paid.
    event TreasuryWithdrawn(address indexed to, address indexed by, uint256 amount);

    /// @notice Emitted when governance registers a service.
    /// @param service The service's address (the account that will call `slash`).
    /// @param name A readable name.
    /// @param maxSlashPpmPerEpoch The most it may slash one validator per epoch.
    event ServiceRegistered(address indexed service, string name, uint32 maxSlashPpmPerEpoch);

    /// @notice Emitted when governance deactivates a service.
    /// @param service The service.
    event ServiceDeactivated(address indexed service);

    /// @notice Emitted when a validator opts into a service.
    /// @param validator The validator.
    /// @param service The service.
    event OptedIn(address indexed validator, address indexed service);

    /// @notice Emitted when a validator asks to leave a service.
    /// @param validator The validator.
    /// @param service The service.
    /// @param effectiveAt When it stops being slashable by the service.
    event OptOutRequested(address indexed validator, address indexed service, uint64 effectiveAt);

    /// @notice Emitted for every slash.
    /// @param validator The slashed validator.
    /// @param slasher The service (or the consensus role account).
    /// @param reason Why: a service's code, `DOUBLE_SIGN_REASON` or `DOWNTIME_REASON`.
    /// @param ppm The fraction slashed.
    /// @param bondedAmount Taken from bonded stake.
    /// @param unbondingAmount Taken from pending withdrawal entries.
    /// @param redelegatedAmount Taken from shares redelegated away from the validator and still locked.
    event Slashed(
        address indexed validator,
        address indexed slasher,
        bytes32 indexed reason,
        uint32 ppm,
        uint256 bondedAmount,
        uint256 unbondingAmount,
        uint256 redelegatedAmount
    );

    /// @notice Emitted when a slash of a redelegation's source burns part of its locked destination shares.
    /// @param redelegationId The redelegation.
    /// @param dst The destination validator whose pool lost the value.
    /// @param delegator The delegator whose shares were burned.
    /// @param shares The shares burned.
    /// @param amount Their value, sent to the treasury.
    event RedelegationSlashed(
        uint256 indexed redelegationId,
        address indexed dst,
        address indexed delegator,
        uint256 shares,
        uint256 amount
    );

    /// @notice Emitted when a validator is jailed.
    /// @param validator The validator.
    /// @param until When its operator may unjail it.
    event Jailed(address indexed validator, uint64 until);

    /// @notice Emitted when an operator unjails its validator.
    /// @param validator The validator.
    event Unjailed(address indexed validator);

    /// @notice Emitted when the consensus system reports a double signature.
    /// @param validator The validator.
    /// @param evidenceHash The evidence, usable once.
    event DoubleSignReported(address indexed validator, bytes32 indexed evidenceHash);

    /// @notice Emitted when the consensus system reports a window of missed-block counts.
    /// @param window The window.
    /// @param reported How many validators the report named.
    /// @param penalized How many were over the threshold and were slashed and jailed.
    event MissedBlocksReported(uint64 indexed window, uint256 reported, uint256 penalized);

    /// @notice Emitted when governance sets the parameters (and once at initialization).
    /// @param params The new parameters.
    event ParamsUpdated(Params params);
}

// solhint-enable gas-indexed-events

/// @title IStaking
/// @notice Staking and shared security on the chain's native currency: validators with a self-stake and a
/// commission, delegation by shares with auto-compounding rewards, an unbonding delay that slashes still
/// reach, instant redelegation that stays answerable for the source's slashes, services that validators opt
/// into and that may slash them up to a cap per epoch, and jailing.
interface IStaking is IStakingErrors, IStakingEvents {
    /// @notice Sets roles and parameters once, behind the proxy.
    /// @param admin Gets DEFAULT_ADMIN_ROLE, UPGRADER_ROLE and TREASURY_ROLE.
    /// @param pauser Gets PAUSER_ROLE when non-zero.
    /// @param consensus Gets CONSENSUS_ROLE (reports double signs and downtime) when non-zero.
    /// @param params The initial parameters (bounds as in `setParams`).
    function initialize(address admin, address pauser, address consensus, Params calldata params) external;

    // ------------------------------------------------------------------ validators

    /// @notice Registers the caller as a validator and stakes `msg.value` as its self-stake.
    /// @dev Effects: creates an active validator keyed by `msg.sender`, reserves the public key forever, mints
    /// shares to the operator. Requirements: not paused; not registered; key of 1..128 bytes and
    /// unused; description ≤ 256 bytes; commissionPpm ≤ maxCommissionPpm ≤ params.maxCommissionPpm;
    /// maxCommissionChangePerDayPpm ≤ maxCommissionPpm; fewer than maxValidators active; msg.value ≥
    /// minSelfStake and ≤ maxEffectiveStake.
    /// @param consensusPubKey The consensus public key.
    /// @param description A readable description (emitted in `DescriptionUpdated`, not stored).
    /// @param commissionPpm The commission rate on rewards (1e6 = 100 %).
    /// @param maxCommissionPpm The validator's commission ceiling, fixed for life.
    /// @param maxCommissionChangePerDayPpm The most one change may move the rate, fixed for life.
    /// @return shares The shares minted to the operator.
    function registerValidator(
        bytes calldata consensusPubKey,
        string calldata description,
        uint32 commissionPpm,
        uint32 maxCommissionPpm,
        uint32 maxCommissionChangePerDayPpm
    ) external payable returns (uint256 shares);

    /// @notice Changes the caller's commission rate.
    /// @dev Requirements: caller is an active validator; new rate ≤ its maximum; the change ≤ its maximum daily
    /// change; at least 24 hours since registration or the last change.
    /// @param newCommissionPpm The new rate.
    function setCommission(uint32 newCommissionPpm) external;

    /// @notice Changes the caller's description.
    /// @param description The new description (≤ 256 bytes); it lives in the
    /// `DescriptionUpdated` event only, not in storage.
    function setDescription(string calldata description) external;

    /// @notice Lifts the caller's jail after the jail period.
    /// @dev Requirements: caller is an active, jailed validator; the jail period is over; its self-stake is at
    /// least minSelfStake (top it up with `delegate` first, which the operator may do while jailed).
    function unjail() external;

    /// @notice Exits a validator whose operator left it jailed for a whole jail period after it could have
    /// unjailed, freeing its slot in the validator set; anyone may call it.
    /// @dev Effects: status becomes Exited, the active count drops, `ValidatorExited` is emitted. Its delegators
    /// and operator keep their shares and undelegate as from any exited validator; slashes still reach it.
    /// Requirements: the validator is active and jailed, and `jailedUntil + jailPeriod` has passed.
    /// @param validator The validator to evict.
    function evictValidator(address validator) external;

    // ------------------------------------------------------------------ delegation

    /// @notice Delegates `msg.value` to `validator` for shares of its bonded pool.
    /// @dev Requirements: not paused; validator active and not jailed (its own operator may top up while
    /// jailed); msg.value ≥ minDelegation; bonded stake after ≤ maxEffectiveStake; at least one share minted.
    /// @param validator The validator.
    /// @return shares The shares minted (rounded down).
    function delegate(address validator) external payable returns (uint256 shares);

    /// @notice Burns `shares` of `validator` into a withdrawal entry that completes after `unbondingDelay`.
    /// @dev The entry holds shares of the validator's unbonding pool, so slashes during the delay reach it. An
    /// operator's partial self-undelegation must leave at least minSelfStake; undelegating all of it exits the
    /// validator. Requirements: not paused; shares > 0, held and not locked by a redelegation; worth > 0 wei
    /// unless the validator has exited (so an operator slashed to nothing can still exit).
    /// @param validator The validator.
    /// @param shares The bonded shares to burn.
    /// @return entryId The withdrawal entry.
    function undelegate(address validator, uint256 shares) external returns (uint256 entryId);

    /// @notice Moves `shares` from `src` to `dst` at once; the new shares stay locked, and answer for slashes of
    /// `src`, for `unbondingDelay`.
    /// @dev Requirements: not paused; src ≠ dst; dst accepts delegations as in `delegate`; shares as in
    /// `undelegate`; the value moved ≥ minDelegation; fewer than 32 unmatured redelegations out of src
    /// and fewer than 16 of the caller (MAX_REDELEGATIONS_PER_VALIDATOR / _PER_DELEGATOR).
    /// @param src The source validator.
    /// @param dst The destination validator.
    /// @param shares The source shares to move.
    /// @return redelegationId The redelegation entry.
    function redelegate(address src, address dst, uint256 shares) external returns (uint256 redelegationId);

    /// @notice Pays the caller its matured withdrawal entries; works while paused.
    /// @dev Requirements: at least one id; each exists, is owned by the caller, unclaimed and matured.
    /// @param entryIds The entries.
    /// @return amount The total paid.
    function withdraw(uint256[] calldata entryIds) external returns (uint256 amount);

    // ------------------------------------------------------------------ rewards

    /// @notice Pushes `msg.value` as a reward to `validator`: the community tax to the treasury, then the
    /// commission to the operator, the rest to the bonded pool (raising the share price).
    /// @dev Requirements: not paused; validator active and not jailed; msg.value > 0. Whoever pushes rewards
    /// sizes them by `effectiveStake`, so stake above the cap earns nothing more.
    /// @param validator The validator.
    function distributeRewards(address validator) external payable;

    /// @notice Pays the caller its accrued commission; works while paused.
    /// @return amount The value paid.
    function claimCommission() external returns (uint256 amount);

    /// @notice Pays the whole treasury balance (community tax and slashed value) to `to`; only TREASURY_ROLE.
    /// @param to The recipient.
    /// @return amount The value paid.
    function withdrawTreasury(address to) external returns (uint256 amount);

    // ------------------------------------------------------------------ services and slashing

    /// @notice Registers a service that validators may opt into and that may slash them; only the admin.
    /// @param service The account that will call `slash`.
    /// @param name A readable name.
    /// @param maxSlashPpmPerEpoch The most it may slash one validator per epoch, in 1..1e6 ppm.
    function registerService(address service, string calldata name, uint32 maxSlashPpmPerEpoch) external;

    /// @notice Stops a service from slashing and from being opted into; only the admin.
    /// @param service The service.
    function deactivateService(address service) external;

    /// @notice Opts the caller's validator into `service`.
    /// @param service An active registered service.
    function optIn(address service) external;

    /// @notice Asks to leave `service`; the service can still slash until `unbondingDelay` has passed.
    /// @param service A service the caller's validator is opted into.
    function optOut(address service) external;

    /// @notice Slashes `ppm` of a validator's bonded stake, pending withdrawal entries and locked redelegated
    /// shares into the treasury, and optionally jails it. Only a registered, active service the validator is
    /// opted into, within its per-epoch cap.
    /// @param validator The validator.
    /// @param ppm The fraction, 1..1e6.
    /// @param reason The service's code for the fault.
    /// @param jail Whether to jail the validator too.
    function slash(address validator, uint32 ppm, bytes32 reason, bool jail) external;

    /// @notice Consensus system: slashes `doubleSignSlashPpm` and jails a validator that signed twice.
    /// @param validator The validator.
    /// @param evidenceHash A hash of the evidence; each is accepted once.
    function reportDoubleSign(address validator, bytes32 evidenceHash) external;

    /// @notice Consensus system: reports missed-block counts for a window; a validator over
    /// `downtimeThreshold` (and not already jailed) is slashed `downtimeSlashPpm` and jailed.
    /// @param window The window number; each is accepted once.
    /// @param validators The validators reported.
    /// @param missed Their missed-block counts.
    function reportMissedBlocks(uint64 window, address[] calldata validators, uint32[] calldata missed) external;

    /// @notice Sets every parameter at once; only the admin.
    /// @param params The new parameters.
    function setParams(Params calldata params) external;

    // ------------------------------------------------------------------ views

    /// @notice The weight a validator carries: its bonded stake capped at `maxEffectiveStake`, or 0 when jailed
    /// or exited.
    /// @param validator The validator.
    /// @return The effective stake.
    function effectiveStake(address validator) external view returns (uint256);

    /// @notice Whether `validator` is opted into `service` (true until a requested opt-out takes effect).
    /// @param validator The validator.
    /// @param service The service.
    /// @return Whether it is opted in.
    function isOptedIn(address validator, address service) external view returns (bool);

    /// @notice The weight a validator carries for `service`: its effective stake when opted in and the service
    /// is active, else 0.
    /// @param validator The validator.
    /// @param service The service.
    /// @return The stake.
    function serviceStake(address validator, address service) external view returns (uint256);

    /// @notice A validator's record.
    /// @param validator The validator.
    /// @return The record (status None when unknown).
    function getValidator(address validator) external view returns (Validator memory);

    /// @notice How many validators ever registered.
    /// @return The count.
    function validatorCount() external view returns (uint256);

    /// @notice The `index`-th validator ever registered.
    /// @param index 0-based.
    /// @return The validator.
    function validatorAt(uint256 index) external view returns (address);

    /// @notice How many validators are active (jailed ones included).
    /// @return The count.
    function activeValidatorCount() external view returns (uint256);

    /// @notice The shares `delegator` holds in `validator`'s bonded pool.
    /// @param delegator The delegator.
    /// @param validator The validator.
    /// @return The shares.
    function sharesOf(address delegator, address validator) external view returns (uint256);

    /// @notice The shares `delegator` holds in `validator` that unmatured redelegations lock.
    /// @param delegator The delegator.
    /// @param validator The validator.
    /// @return The locked shares.
    function lockedShares(address delegator, address validator) external view returns (uint256);

    /// @notice The value of `shares` of `validator`'s bonded pool (rounded down).
    /// @param validator The validator.
    /// @param shares The shares.
    /// @return The value.
    function sharesToStake(address validator, uint256 shares) external view returns (uint256);

    /// @notice The shares `amount` would buy in `validator`'s bonded pool now (rounded down).
    /// @notice A withdrawal entry.
    /// @param entryId The entry.
    /// @return The entry (owner zero when unknown).
    function getWithdrawal(uint256 entryId) external view returns (Withdrawal memory);

    /// @notice What `withdraw` would pay for an entry now (0 once claimed).
    /// @param entryId The entry.
    /// @return The value.
    function withdrawalValue(uint256 entryId) external view returns (uint256);

    /// @notice A redelegation entry (zeroed once it has matured and been pruned).
    /// @param redelegationId The entry.
    /// @return The entry.
    function getRedelegation(uint256 redelegationId) external view returns (Redelegation memory);

    /// @notice A service's record.
    /// @param service The service.
    /// @return The record.
    function getService(address service) external view returns (Service memory);

    /// @notice A validator's opt-in record for a service.
    /// @param validator The validator.
    /// @param service The service.
    /// @return The record.
    function getOptIn(address validator, address service) external view returns (OptIn memory);

    /// @notice Whether double-sign evidence was already used.
    /// @param evidenceHash The evidence.
    /// @return Whether it was used.
    function isEvidenceUsed(bytes32 evidenceHash) external view returns (bool);

    /// @notice Whether a missed-block window was already reported.
    /// @param window The window.
    /// @return Whether it was reported.
    function isWindowReported(uint64 window) external view returns (bool);

    /// @notice The commission an operator can claim.
    /// @param operator The operator.
    /// @return The value.
    function commissionOwed(address operator) external view returns (uint256);

    /// @notice The four sums the contract's balance is made of.
    /// @return bonded Σ bonded pool stake.
    /// @return unbonding Σ unbonding pool stake (pending withdrawals).
    /// @return commission Σ unclaimed commission.
    /// @return treasury The treasury balance (community tax plus slashed value).
    function totals() external view returns (uint256 bonded, uint256 unbonding, uint256 commission, uint256 treasury);

    /// @notice The current parameters.
    /// @return The parameters.
    function getParams() external view returns (Params memory);
}
