// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

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
