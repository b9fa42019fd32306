// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IStaking} from "./interfaces/IStaking.sol";
import {StakingStorage} from "./StakingStorage.sol";
import {SharesMath} from "./libraries/SharesMath.sol";

/// @title StakingSlashing
/// @notice Shared security: the service registry, validators' opt-ins, slashing (by services within their
/// per-epoch caps, and by the consensus system for double signs and downtime) and jailing.
/// @dev A slash of `ppm` takes the same fraction from three places without iterating delegators or withdrawal
/// entries: the validator's bonded pool, its unbonding pool (every pending withdrawal entry holds shares of
/// it), and the destination shares of unmatured redelegations out of the validator (a list capped at
/// MAX_REDELEGATIONS_PER_VALIDATOR). Everything taken accrues to the treasury.
abstract contract StakingSlashing is StakingStorage {
    using SharesMath for Pool;

    // ------------------------------------------------------------------ services

    /// @inheritdoc IStaking
    function registerService(
        address service,
        string calldata name,
        uint32 maxSlashPpmPerEpoch
    ) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (service == address(0)) revert StakingZeroAddress();
        if (maxSlashPpmPerEpoch == 0 || maxSlashPpmPerEpoch > PPM) revert StakingInvalidSlashPpm(maxSlashPpmPerEpoch);
        Service storage svc = _s().services[service];
        if (svc.registered) revert StakingServiceAlreadyRegistered(service);
        svc.registered = true;
        svc.active = true;
        svc.maxSlashPpmPerEpoch = maxSlashPpmPerEpoch;
        svc.name = name;
        emit ServiceRegistered(service, name, maxSlashPpmPerEpoch);
    }

    /// @inheritdoc IStaking
    function deactivateService(address service) external onlyRole(DEFAULT_ADMIN_ROLE) {
        Service storage svc = _activeService(service);
        svc.active = false;
        emit ServiceDeactivated(service);
    }

    /// @inheritdoc IStaking
    function optIn(address service) external {
        _active(msg.sender);
        _activeService(service);
        if (isOptedIn(msg.sender, service)) revert StakingAlreadyOptedIn(msg.sender, service);
        _s().optIns[msg.sender][service] = OptIn({optedInAt: uint64(block.timestamp), optOutAt: 0});
        emit OptedIn(msg.sender, service);
    }

    /// @inheritdoc IStaking
    function optOut(address service) external {
        StakingLayout storage $ = _s();
        if (!isOptedIn(msg.sender, service)) revert StakingNotOptedIn(msg.sender, service);
        OptIn storage o = $.optIns[msg.sender][service];
        if (o.optOutAt != 0) revert StakingOptOutPending(msg.sender, service, o.optOutAt);
        uint64 effectiveAt = uint64(block.timestamp) + $.params.unbondingDelay;
        o.optOutAt = effectiveAt;
        emit OptOutRequested(msg.sender, service, effectiveAt);
    }

    // ------------------------------------------------------------------ slashing

    /// @inheritdoc IStaking
    function slash(address validator, uint32 ppm, bytes32 reason, bool jail) external {
        StakingLayout storage $ = _s();
        Service storage svc = _activeService(msg.sender);
        if (ppm == 0 || ppm > PPM) revert StakingInvalidSlashPpm(ppm);
        _known(validator);
        if (!isOptedIn(validator, msg.sender)) revert StakingNotOptedIn(validator, msg.sender);
        SlashWindow storage w = $.slashWindows[msg.sender][validator];
        uint64 epoch = _epoch($);
        uint256 used = w.epoch == epoch ? w.usedPpm : 0;
        if (used + ppm > svc.maxSlashPpmPerEpoch) revert StakingSlashCapExceeded(used, ppm, svc.maxSlashPpmPerEpoch);
        // used + ppm ≤ maxSlashPpmPerEpoch ≤ 1e6, so it fits in uint32.
        $.slashWindows[msg.sender][validator] = SlashWindow({epoch: epoch, usedPpm: uint32(used + ppm)});
        _slash(validator, ppm, reason, jail);
    }

    /// @inheritdoc IStaking
    function reportDoubleSign(address validator, bytes32 evidenceHash) external onlyRole(CONSENSUS_ROLE) {
        StakingLayout storage $ = _s();
        if ($.evidenceUsed[evidenceHash]) revert StakingEvidenceAlreadyUsed(evidenceHash);
        _known(validator);
        $.evidenceUsed[evidenceHash] = true;
        emit DoubleSignReported(validator, evidenceHash);
        _slash(validator, $.params.doubleSignSlashPpm, DOUBLE_SIGN_REASON, true);
    }

    /// @inheritdoc IStaking
    function reportMissedBlocks(
        uint64 window,
        address[] calldata validators,
        uint32[] calldata missed
    ) external onlyRole(CONSENSUS_ROLE) {
        StakingLayout storage $ = _s();
        if (validators.length != missed.length) revert StakingLengthMismatch(validators.length, missed.length);
        if ($.windowReported[window]) revert StakingWindowAlreadyReported(window);
        $.windowReported[window] = true;
        uint256 penalized = 0;
        for (uint256 i = 0; i < validators.length; ++i) {
            Validator storage v = _known(validators[i]);
            // A jailed or exited validator is out of the consensus set: its missed blocks are no new fault.
            if (missed[i] > $.params.downtimeThreshold && !v.jailed && v.status == ValidatorStatus.Active) {
                _slash(validators[i], $.params.downtimeSlashPpm, DOWNTIME_REASON, true);
                ++penalized;
            }
        }
        emit MissedBlocksReported(window, validators.length, penalized);
    }

    /// @inheritdoc IStaking
    function unjail() external {
        StakingLayout storage $ = _s();
        Validator storage v = _active(msg.sender);
        if (!v.jailed) revert StakingNotJailed(msg.sender);
        if (block.timestamp < v.jailedUntil) revert StakingStillJailed(msg.sender, v.jailedUntil);
        uint256 selfStake = v.bonded.toStake($.shares[msg.sender][msg.sender]);
        if (selfStake < $.params.minSelfStake) revert StakingSelfStakeTooLow(selfStake, $.params.minSelfStake);
        v.jailed = false;
        emit Unjailed(msg.sender);
    }

    /// @inheritdoc IStaking
    function evictValidator(address validator) external {
        StakingLayout storage $ = _s();
        Validator storage v = _active(validator);
        uint256 evictableAt = v.jailed ? uint256(v.jailedUntil) + $.params.jailPeriod : 0;
        if (evictableAt == 0 || block.timestamp < evictableAt)
            revert StakingNotEvictable(validator, uint64(evictableAt));
        v.status = ValidatorStatus.Exited;
        --$.activeValidators;
        emit ValidatorExited(validator);
    }

    // ------------------------------------------------------------------ internals

    /// @dev Takes `ppm` of the validator's bonded pool, unbonding pool and locked redelegated shares into the
    /// treasury, emits `Slashed`, and jails when asked.
    function _slash(address validator, uint256 ppm, bytes32 reason, bool jail) internal {
        StakingLayout storage $ = _s();
        Validator storage v = $.validators[validator];
        uint256 bondedCut = v.bonded.slash(ppm);
        uint256 unbondingCut = v.unbonding.slash(ppm);
        uint256 redelegatedCut = _slashRedelegations(validator, ppm);
        $.totalBonded -= bondedCut + redelegatedCut;
        $.totalUnbonding -= unbondingCut;
        $.treasuryOwed += bondedCut + unbondingCut + redelegatedCut;
        // ppm ≤ 1e6 (checked by every caller), so the narrowing is exact.
        emit Slashed(validator, msg.sender, reason, uint32(ppm), bondedCut, unbondingCut, redelegatedCut);
        if (jail) {
            uint64 until = uint64(Math.max(v.jailedUntil, block.timestamp + $.params.jailPeriod));
            v.jailed = true;
            v.jailedUntil = until;
            emit Jailed(validator, until);
        }
    }

    /// @dev Burns `ppm` (rounded up) of the locked destination shares of every unmatured redelegation out of
    /// `src`, taking their value (rounded down, which never lowers the destination's share price) out of the
    /// destination's bonded pool. Prunes matured entries on the way. Returns the value taken.
    function _slashRedelegations(address src, uint256 ppm) private returns (uint256 total) {
        StakingLayout storage $ = _s();
        uint256[] storage ids = $.redelegationsBySrc[src];
        _pruneMatured(ids);
        for (uint256 i = 0; i < ids.length; ++i) {
            Redelegation storage r = $.redelegations[ids[i]];
            uint256 burned = SharesMath.ppmUp(r.shares, ppm);
            uint256 amount = $.validators[r.dst].bonded.redeem(burned);
            $.shares[r.dst][r.delegator] -= burned;
            r.shares -= burned;
            total += amount;
            emit RedelegationSlashed(ids[i], r.dst, r.delegator, burned, amount);
        }
    }

    /// @dev Removes the ids of matured redelegations from `ids` (swap and pop) and deletes their records. An
    /// entry may sit in two lists (its source's and its delegator's); whichever prunes it first deletes the
    /// record, and the other then reads a zero completion time, which counts as matured.
    function _pruneMatured(uint256[] storage ids) internal {
        StakingLayout storage $ = _s();
        uint256 i = 0;
        while (i < ids.length) {
            uint256 id = ids[i];
            if (block.timestamp < $.redelegations[id].completionTime) {
                ++i;
            } else {
                delete $.redelegations[id];
                ids[i] = ids[ids.length - 1];
                ids.pop();
            }
        }
    }

    /// @dev A registered, active service, else `StakingServiceNotRegistered` or `StakingServiceNotActive`.
    function _activeService(address service) private view returns (Service storage svc) {
        svc = _s().services[service];
        if (!svc.registered) revert StakingServiceNotRegistered(service);
        if (!svc.active) revert StakingServiceNotActive(service);
    }
}
