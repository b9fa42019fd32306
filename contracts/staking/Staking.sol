// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IProtocolUpgradeable} from "../common/access/interfaces/IProtocolUpgradeable.sol";
import {IStaking} from "./interfaces/IStaking.sol";
import {IStakeObserver} from "./interfaces/IStakeObserver.sol";
import {StakingSlashing} from "./StakingSlashing.sol";
import {SharesMath} from "./libraries/SharesMath.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title Staking
/// @notice Validators, delegation by shares, unbonding, redelegation and rewards on the chain's native
/// currency, with the shared-security parts inherited from `StakingSlashing`.
/// @dev Balance invariant: `address(this).balance == totalBonded + totalUnbonding + totalCommission +
/// treasuryOwed` (see `totals`), where totalBonded is Σ bonded-pool stake and totalUnbonding is Σ
/// unbonding-pool stake. Only value forced in without a call (a selfdestruct, a coinbase reward) can make the
/// balance larger; nothing can make it smaller. Payouts are pull-based and guarded against reentrancy.
contract Staking is StakingSlashing {
    using SharesMath for Pool;

    /// @inheritdoc IStaking
    function initialize(address admin, address pauser, address consensus, Params calldata params) external initializer {
        __Protocol_init(admin, pauser);
        _grantRole(TREASURY_ROLE, admin);
        if (consensus != address(0)) _grantRole(CONSENSUS_ROLE, consensus);
        _setParams(params);
    }

    /// @inheritdoc IStaking
    function setParams(Params calldata params) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setParams(params);
    }

    /// @inheritdoc IStaking
    function setStakeObserver(address observer) external onlyRole(DEFAULT_ADMIN_ROLE) {
        StakingLayout storage $ = _s();
        address previous = $.stakeObserver;
        $.stakeObserver = observer;
        emit StakeObserverUpdated(previous, observer);
    }

    // ------------------------------------------------------------------ validators

    /// @inheritdoc IStaking
    function registerValidator(
        bytes calldata consensusPubKey,
        string calldata description,
        uint32 commissionPpm,
        uint32 maxCommissionPpm,
        uint32 maxCommissionChangePerDayPpm
    ) external payable whenNotPaused returns (uint256 shares) {
        StakingLayout storage $ = _s();
        Validator storage v = $.validators[msg.sender];
        if (v.status != ValidatorStatus.None) revert StakingValidatorAlreadyRegistered(msg.sender);
        if (consensusPubKey.length == 0 || consensusPubKey.length > MAX_PUBKEY_LENGTH) {
            revert StakingInvalidPubKey(consensusPubKey.length);
        }
        bytes32 keyHash = keccak256(consensusPubKey);
        if ($.pubKeyOwner[keyHash] != address(0)) revert StakingPubKeyInUse($.pubKeyOwner[keyHash]);
        _checkDescription(description);
        if (maxCommissionPpm > $.params.maxCommissionPpm) {
            revert StakingCommissionAboveMax(maxCommissionPpm, $.params.maxCommissionPpm);
        }
        if (commissionPpm > maxCommissionPpm) revert StakingCommissionAboveMax(commissionPpm, maxCommissionPpm);
        if (maxCommissionChangePerDayPpm > maxCommissionPpm) {
            revert StakingCommissionAboveMax(maxCommissionChangePerDayPpm, maxCommissionPpm);
        }
        if ($.activeValidators + 1 > $.params.maxValidators) revert StakingTooManyValidators($.params.maxValidators);
        if (msg.value < $.params.minSelfStake) revert StakingSelfStakeTooLow(msg.value, $.params.minSelfStake);

        v.status = ValidatorStatus.Active;
        v.commissionPpm = commissionPpm;
        v.maxCommissionPpm = maxCommissionPpm;
        v.maxCommissionChangePerDayPpm = maxCommissionChangePerDayPpm;
        v.lastCommissionChangeAt = uint64(block.timestamp);
        v.consensusPubKey = consensusPubKey;
        $.pubKeyOwner[keyHash] = msg.sender;
        $.validatorList.push(msg.sender);
        ++$.activeValidators;
        shares = _bond(msg.sender, v, msg.value);
        emit ValidatorRegistered(
            msg.sender,
            consensusPubKey,
            commissionPpm,
            maxCommissionPpm,
            maxCommissionChangePerDayPpm,
            msg.value,
            shares
        );
        emit DescriptionUpdated(msg.sender, description);
        _notify(msg.sender);
    }

    /// @inheritdoc IStaking
    function setCommission(uint32 newCommissionPpm) external {
        Validator storage v = _active(msg.sender);
        // Governance may lower the global ceiling below what a validator registered with: it binds everyone.
        uint32 ceiling = _commissionCeiling(v);
        if (newCommissionPpm > ceiling) revert StakingCommissionAboveMax(newCommissionPpm, ceiling);
        uint32 old = v.commissionPpm;
        uint256 change = newCommissionPpm > old ? newCommissionPpm - old : old - newCommissionPpm;
        if (change > v.maxCommissionChangePerDayPpm) {
            revert StakingCommissionChangeTooLarge(change, v.maxCommissionChangePerDayPpm);
        }
        uint256 nextAllowedAt = v.lastCommissionChangeAt + COMMISSION_CHANGE_INTERVAL;
        if (block.timestamp < nextAllowedAt) revert StakingCommissionChangeTooSoon(uint64(nextAllowedAt));
        v.commissionPpm = newCommissionPpm;
        v.lastCommissionChangeAt = uint64(block.timestamp);
        emit CommissionUpdated(msg.sender, old, newCommissionPpm);
    }

    /// @inheritdoc IStaking
    function setDescription(string calldata description) external {
        _active(msg.sender);
        _checkDescription(description);
        emit DescriptionUpdated(msg.sender, description);
    }

    // ------------------------------------------------------------------ delegation

    /// @inheritdoc IStaking
    function delegate(address validator) external payable whenNotPaused returns (uint256 shares) {
        Validator storage v = _delegatable(validator);
        shares = _bond(validator, v, msg.value);
        emit Delegated(msg.sender, validator, msg.value, shares);
        _notify(validator);
    }

    /// @inheritdoc IStaking
    /// @dev Not paused: undelegating only moves value into the unbonding pool, which slashes still reach, and a
    /// guardian's pause must not trap delegators while slashes continue.
    function undelegate(address validator, uint256 shares) external returns (uint256 entryId) {
        StakingLayout storage $ = _s();
        Validator storage v = _known(validator);
        uint256 amount = _unbond(validator, v, shares);
        // Worthless shares may leave an exited validator (so an operator slashed to nothing can still exit).
        if (amount == 0 && v.status == ValidatorStatus.Active) revert StakingAmountTooSmall(0, 1);
        // An amount below one unbonding share's value (a few wei at most) mints no share and stays in the pool.
        uint256 unbondingShares = v.unbonding.deposit(amount);
        $.totalUnbonding += amount;
        entryId = ++$.lastWithdrawalId;
        uint64 completionTime = uint64(block.timestamp) + $.params.unbondingDelay;
        $.withdrawals[entryId] = Withdrawal({
            owner: msg.sender,
            completionTime: completionTime,
            claimed: false,
            validator: validator,
            shares: unbondingShares
        });
        emit Undelegated(msg.sender, validator, entryId, shares, amount, completionTime);
        _notify(validator);
    }

    /// @inheritdoc IStaking
    function redelegate(
        address src,
        address dst,
        uint256 shares
    ) external whenNotPaused returns (uint256 redelegationId) {
        StakingLayout storage $ = _s();
        if (src == dst) revert StakingSameValidator();
        Validator storage from = _known(src);
        Validator storage to = _delegatable(dst);
        uint256[] storage bySrc = $.redelegationsBySrc[src];
        _pruneMatured(bySrc);
        if (bySrc.length + 1 > MAX_REDELEGATIONS_PER_VALIDATOR) {
            revert StakingTooManyRedelegations(src, MAX_REDELEGATIONS_PER_VALIDATOR);
        }
        // _unbond prunes the caller's list while it sums the shares that list locks.
        uint256 amount = _unbond(src, from, shares);
        uint256[] storage byDelegator = $.redelegationsByDelegator[msg.sender];
        if (byDelegator.length + 1 > MAX_REDELEGATIONS_PER_DELEGATOR) {
            revert StakingTooManyRedelegations(msg.sender, MAX_REDELEGATIONS_PER_DELEGATOR);
        }
        uint256 dstShares = _bond(dst, to, amount);
        redelegationId = ++$.lastRedelegationId;
        uint64 completionTime = uint64(block.timestamp) + $.params.unbondingDelay;
        $.redelegations[redelegationId] = Redelegation({
            delegator: msg.sender,
            completionTime: completionTime,
            src: src,
            dst: dst,
            shares: dstShares
        });
        bySrc.push(redelegationId);
        byDelegator.push(redelegationId);
        emit Redelegated(msg.sender, src, dst, redelegationId, shares, amount, dstShares, completionTime);
        _notify(src);
        _notify(dst);
    }

    /// @inheritdoc IStaking
    function withdraw(uint256[] calldata entryIds) external nonReentrant returns (uint256 amount) {
        StakingLayout storage $ = _s();
        if (entryIds.length == 0) revert StakingEmptyBatch();
        for (uint256 i = 0; i < entryIds.length; ++i) {
            uint256 id = entryIds[i];
            Withdrawal storage w = $.withdrawals[id];
            if (w.owner == address(0)) revert StakingWithdrawalNotFound(id);
            if (w.owner != msg.sender) revert StakingNotEntryOwner(id, w.owner);
            if (w.claimed) revert StakingWithdrawalAlreadyClaimed(id);
            if (block.timestamp < w.completionTime) revert StakingWithdrawalNotReady(id, w.completionTime);
            uint256 paid = $.validators[w.validator].unbonding.redeem(w.shares);
            w.claimed = true;
            w.shares = 0;
            amount += paid;
            emit Withdrawn(id, msg.sender, w.validator, paid);
        }
        $.totalUnbonding -= amount;
        if (amount != 0) _send(msg.sender, amount);
    }

    // ------------------------------------------------------------------ rewards

    /// @inheritdoc IStaking
    function distributeRewards(address validator) external payable whenNotPaused {
        StakingLayout storage $ = _s();
        Validator storage v = _active(validator);
        if (v.jailed) revert StakingValidatorJailed(validator);
        if (msg.value == 0) revert StakingAmountTooSmall(0, 1);
        // Both parts round down; whatever rounding leaves goes to the delegators, so the three parts sum exactly.
        uint256 tax = (msg.value * $.params.communityTaxPpm) / PPM;
        uint256 commission = ((msg.value - tax) * Math.min(v.commissionPpm, _commissionCeiling(v))) / PPM;
        uint256 toDelegators = msg.value - tax - commission;
        $.treasuryOwed += tax;
        $.commission[validator] += commission;
        $.totalCommission += commission;
        v.bonded.stake += toDelegators;
        $.totalBonded += toDelegators;
        emit RewardsDistributed(validator, msg.sender, msg.value, tax, commission, toDelegators);
    }

    /// @inheritdoc IStaking
    function claimCommission() external nonReentrant returns (uint256 amount) {
        StakingLayout storage $ = _s();
        amount = $.commission[msg.sender];
        if (amount == 0) revert StakingNothingToClaim();
        $.commission[msg.sender] = 0;
        $.totalCommission -= amount;
        emit CommissionClaimed(msg.sender, amount);
        _send(msg.sender, amount);
    }

    /// @inheritdoc IStaking
    function withdrawTreasury(address to) external onlyRole(TREASURY_ROLE) nonReentrant returns (uint256 amount) {
        StakingLayout storage $ = _s();
        if (to == address(0)) revert StakingZeroAddress();
        amount = $.treasuryOwed;
        if (amount == 0) revert StakingNothingToClaim();
        $.treasuryOwed = 0;
        emit TreasuryWithdrawn(to, msg.sender, amount);
        _send(to, amount);
    }

    // ------------------------------------------------------------------ metadata

    /// @inheritdoc IProtocolUpgradeable
    function contractName() public pure override returns (string memory) {
        return "Staking";
    }

    /// @inheritdoc IProtocolUpgradeable
    function version() external pure override returns (string memory) {
        return "1.0.0";
    }

    // ------------------------------------------------------------------ internals

    /// @dev An active validator that accepts delegations from the caller: not jailed, except that its own
    /// operator may top up its self-stake while jailed (to meet minSelfStake before `unjail`).
    function _delegatable(address validator) private view returns (Validator storage v) {
        v = _active(validator);
        if (v.jailed && msg.sender != validator) revert StakingValidatorJailed(validator);
    }

    /// @dev Adds `amount` to the validator's bonded pool for the caller: refuses dust, stake above the cap and
    /// deposits that would mint no share.
    function _bond(address validator, Validator storage v, uint256 amount) private returns (uint256 shares) {
        StakingLayout storage $ = _s();
        if (amount < $.params.minDelegation) revert StakingAmountTooSmall(amount, $.params.minDelegation);
        uint256 newStake = v.bonded.stake + amount;
        if (newStake > $.params.maxEffectiveStake) revert StakingStakeCapExceeded(newStake, $.params.maxEffectiveStake);
        shares = v.bonded.toShares(amount);
        if (shares == 0) revert StakingAmountTooSmall(amount, v.bonded.toStake(1) + 1);
        v.bonded.stake = newStake;
        v.bonded.shares += shares;
        $.shares[validator][msg.sender] += shares;
        $.totalBonded += amount;
    }

    /// @dev Burns the caller's unlocked `shares` of the validator's bonded pool and returns their value. An
    /// operator's partial self-undelegation must leave at least minSelfStake; taking out all of it exits the
    /// validator.
    function _unbond(address validator, Validator storage v, uint256 shares) private returns (uint256 amount) {
        StakingLayout storage $ = _s();
        if (shares == 0) revert StakingZeroShares();
        uint256 held = $.shares[validator][msg.sender];
        if (shares > held) revert StakingInsufficientShares(shares, held);
        uint256 unlocked = held - _lockedShares(validator);
        if (shares > unlocked) revert StakingSharesLocked(shares, unlocked);
        amount = v.bonded.redeem(shares);
        $.shares[validator][msg.sender] = held - shares;
        $.totalBonded -= amount;
        if (msg.sender == validator && v.status == ValidatorStatus.Active) {
            if (held == shares) {
                v.status = ValidatorStatus.Exited;
                --$.activeValidators;
                emit ValidatorExited(validator);
            } else {
                uint256 selfStake = v.bonded.toStake(held - shares);
                if (selfStake < $.params.minSelfStake) revert StakingSelfStakeTooLow(selfStake, $.params.minSelfStake);
            }
        }
    }

    /// @dev The caller's shares of `validator` locked by unmatured redelegations; prunes the caller's list.
    function _lockedShares(address validator) private returns (uint256 locked) {
        StakingLayout storage $ = _s();
        uint256[] storage ids = $.redelegationsByDelegator[msg.sender];
        _pruneMatured(ids);
        for (uint256 i = 0; i < ids.length; ++i) {
            Redelegation storage r = $.redelegations[ids[i]];
            if (r.dst == validator) locked += r.shares;
        }
    }

    /// @dev Tells the observer, if any, that the caller's shares of `validator` changed. Called last, after every
    /// state change and event, so the observer reads settled state; the admin-set observer is trusted.
    function _notify(address validator) private {
        address observer = _s().stakeObserver;
        if (observer != address(0)) IStakeObserver(observer).onStakeChanged(msg.sender, validator);
    }

    function _commissionCeiling(Validator storage v) private view returns (uint32) {
        return uint32(Math.min(v.maxCommissionPpm, _s().params.maxCommissionPpm));
    }

    function _checkDescription(string calldata description) private pure {
        if (bytes(description).length > MAX_DESCRIPTION_LENGTH) {
            revert StakingDescriptionTooLong(bytes(description).length, MAX_DESCRIPTION_LENGTH);
        }
    }
}
