// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IStakingErrors} from "./IStakingErrors.sol";
import {IStakingEvents} from "./IStakingEvents.sol";

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

    /// @notice Sets the contract told (`IStakeObserver.onStakeChanged`) after every change of a delegator's
    /// bonded shares by register, delegate, undelegate and redelegate (both sides); only the admin.
    /// @dev Zero switches the calls off. The observer is trusted: a revert in it reverts the staking call.
    /// Slashes are not reported (they change share values, not holdings, for every delegator at once).
    /// @param observer The observer (governance's vote tracker, `StakeVotes`), or zero.
    function setStakeObserver(address observer) external;

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

    /// @notice The contract told of every change of a delegator's bonded shares (zero when none).
    /// @return The observer.
    function stakeObserver() external view returns (address);
}
