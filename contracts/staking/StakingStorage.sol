// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ProtocolUpgradeable} from "../common/access/ProtocolUpgradeable.sol";
import {IStaking} from "./interfaces/IStaking.sol";
import {SharesMath} from "./libraries/SharesMath.sol";

/// @title StakingStorage
/// @notice The staking contract's state (one ERC-7201 namespace), its constants, parameter bounds, shared
/// helpers and read-only views. `StakingSlashing` and `Staking` build on it.
abstract contract StakingStorage is IStaking, ProtocolUpgradeable, ReentrancyGuardTransient {
    using SharesMath for Pool;

    /// @notice Role that may pay out the treasury balance (community tax and slashed value).
    bytes32 public constant TREASURY_ROLE = keccak256("TREASURY_ROLE");
    /// @notice Role of the consensus system: reports double signs and missed blocks.
    bytes32 public constant CONSENSUS_ROLE = keccak256("CONSENSUS_ROLE");
    /// @notice `Slashed.reason` of a double-sign slash.
    bytes32 public constant DOUBLE_SIGN_REASON = keccak256("DOUBLE_SIGN");
    /// @notice `Slashed.reason` of a downtime slash.
    bytes32 public constant DOWNTIME_REASON = keccak256("DOWNTIME");

    /// @notice Longest consensus public key accepted, in bytes.
    uint256 internal constant MAX_PUBKEY_LENGTH = 128;
    /// @notice Longest description accepted, in bytes.
    uint256 internal constant MAX_DESCRIPTION_LENGTH = 256;
    /// @notice Most unmatured redelegations out of one source validator (each slash of it walks this list).
    uint256 internal constant MAX_REDELEGATIONS_PER_VALIDATOR = 32;
    /// @notice Most unmatured redelegations of one delegator (each undelegation walks this list).
    uint256 internal constant MAX_REDELEGATIONS_PER_DELEGATOR = 16;
    /// @notice Least time between two commission changes.
    uint256 internal constant COMMISSION_CHANGE_INTERVAL = 1 days;

    uint256 internal constant PPM = SharesMath.PPM;
    uint256 internal constant MIN_DELEGATION_FLOOR = 1 gwei;
    uint256 internal constant MIN_DURATION = 60;
    uint256 internal constant MAX_DURATION = 365 days;
    uint256 internal constant MAX_EPOCH_LENGTH = 30 days;
    uint256 internal constant MAX_VALIDATORS_CAP = 10_000;
    uint256 internal constant MAX_COMMUNITY_TAX_PPM = 500_000;
    uint256 internal constant MAX_DOWNTIME_SLASH_PPM = 100_000;

    /// @custom:storage-location erc7201:zg.storage.Staking
    struct StakingLayout {
        Params params;
        uint256 totalBonded;
        uint256 totalUnbonding;
        uint256 totalCommission;
        uint256 treasuryOwed;
        uint256 activeValidators;
        uint256 lastWithdrawalId;
        uint256 lastRedelegationId;
        address[] validatorList;
        mapping(address validator => Validator) validators;
        mapping(bytes32 keyHash => address validator) pubKeyOwner;
        mapping(address validator => mapping(address delegator => uint256)) shares;
        mapping(uint256 id => Withdrawal) withdrawals;
        mapping(uint256 id => Redelegation) redelegations;
        mapping(address src => uint256[] ids) redelegationsBySrc;
        mapping(address delegator => uint256[] ids) redelegationsByDelegator;
        mapping(address operator => uint256) commission;
        mapping(address service => Service) services;
        mapping(address validator => mapping(address service => OptIn)) optIns;
        mapping(address service => mapping(address validator => SlashWindow)) slashWindows;
        mapping(bytes32 evidenceHash => bool) evidenceUsed;
        mapping(uint64 window => bool) windowReported;
        // Appended after the mappings: a namespace grows only at its end.
        address stakeObserver;
    }

    // keccak256(abi.encode(uint256(keccak256("zg.storage.Staking")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0x09a6a07e5d167c7b19ebe70284b01181852d63b4ff7e16ff6aea70275c064400;

    // ------------------------------------------------------------------ views

    /// @inheritdoc IStaking
    function effectiveStake(address validator) public view returns (uint256) {
        StakingLayout storage $ = _s();
        Validator storage v = $.validators[validator];
        if (v.status != ValidatorStatus.Active || v.jailed) return 0;
        return Math.min(v.bonded.stake, $.params.maxEffectiveStake);
    }

    /// @inheritdoc IStaking
    function isOptedIn(address validator, address service) public view returns (bool) {
        OptIn storage o = _s().optIns[validator][service];
        return o.optedInAt != 0 && (o.optOutAt == 0 || block.timestamp < o.optOutAt);
    }

    /// @inheritdoc IStaking
    function serviceStake(address validator, address service) external view returns (uint256) {
        if (!_s().services[service].active || !isOptedIn(validator, service)) return 0;
        return effectiveStake(validator);
    }

    /// @inheritdoc IStaking
    function getValidator(address validator) external view returns (Validator memory) {
        return _s().validators[validator];
    }

    /// @inheritdoc IStaking
    function validatorCount() external view returns (uint256) {
        return _s().validatorList.length;
    }

    /// @inheritdoc IStaking
    function validatorAt(uint256 index) external view returns (address) {
        return _s().validatorList[index];
    }

    /// @inheritdoc IStaking
    function activeValidatorCount() external view returns (uint256) {
        return _s().activeValidators;
    }

    /// @inheritdoc IStaking
    function sharesOf(address delegator, address validator) external view returns (uint256) {
        return _s().shares[validator][delegator];
    }

    /// @inheritdoc IStaking
    function lockedShares(address delegator, address validator) external view returns (uint256 locked) {
        StakingLayout storage $ = _s();
        uint256[] storage ids = $.redelegationsByDelegator[delegator];
        for (uint256 i = 0; i < ids.length; ++i) {
            Redelegation storage r = $.redelegations[ids[i]];
            if (r.dst == validator && block.timestamp < r.completionTime) locked += r.shares;
        }
    }

    /// @inheritdoc IStaking
    function sharesToStake(address validator, uint256 shares) external view returns (uint256) {
        return _s().validators[validator].bonded.toStake(shares);
    }

    /// @inheritdoc IStaking
    function getWithdrawal(uint256 entryId) external view returns (Withdrawal memory) {
        return _s().withdrawals[entryId];
    }

    /// @inheritdoc IStaking
    function withdrawalValue(uint256 entryId) external view returns (uint256) {
        StakingLayout storage $ = _s();
        Withdrawal storage w = $.withdrawals[entryId];
        return $.validators[w.validator].unbonding.toStake(w.shares);
    }

    /// @inheritdoc IStaking
    function getRedelegation(uint256 redelegationId) external view returns (Redelegation memory) {
        return _s().redelegations[redelegationId];
    }

    /// @inheritdoc IStaking
    function getService(address service) external view returns (Service memory) {
        return _s().services[service];
    }

    /// @inheritdoc IStaking
    function getOptIn(address validator, address service) external view returns (OptIn memory) {
        return _s().optIns[validator][service];
    }

    /// @inheritdoc IStaking
    function isEvidenceUsed(bytes32 evidenceHash) external view returns (bool) {
        return _s().evidenceUsed[evidenceHash];
    }

    /// @inheritdoc IStaking
    function isWindowReported(uint64 window) external view returns (bool) {
        return _s().windowReported[window];
    }

    /// @inheritdoc IStaking
    function commissionOwed(address operator) external view returns (uint256) {
        return _s().commission[operator];
    }

    /// @inheritdoc IStaking
    function totals() external view returns (uint256 bonded, uint256 unbonding, uint256 commission, uint256 treasury) {
        StakingLayout storage $ = _s();
        return ($.totalBonded, $.totalUnbonding, $.totalCommission, $.treasuryOwed);
    }

    /// @inheritdoc IStaking
    function getParams() external view returns (Params memory) {
        return _s().params;
    }

    /// @inheritdoc IStaking
    function stakeObserver() external view returns (address) {
        return _s().stakeObserver;
    }

    // ------------------------------------------------------------------ internal helpers

    /// @dev A registered validator (active or exited), else `StakingUnknownValidator`.
    function _known(address validator) internal view returns (Validator storage v) {
        v = _s().validators[validator];
        if (v.status == ValidatorStatus.None) revert StakingUnknownValidator(validator);
    }

    /// @dev An active validator, else `StakingUnknownValidator` or `StakingValidatorNotActive`.
    function _active(address validator) internal view returns (Validator storage v) {
        v = _known(validator);
        if (v.status != ValidatorStatus.Active) revert StakingValidatorNotActive(validator);
    }

    /// @dev The current slashing epoch.
    function _epoch(StakingLayout storage $) internal view returns (uint64) {
        return uint64(block.timestamp / $.params.epochLength);
    }

    /// @dev Checks every bound, stores the parameters and emits `ParamsUpdated`.
    function _setParams(Params memory p) internal {
        _bound("minDelegation", p.minDelegation, MIN_DELEGATION_FLOOR, type(uint256).max);
        _bound("minSelfStake", p.minSelfStake, p.minDelegation, type(uint256).max);
        _bound("maxEffectiveStake", p.maxEffectiveStake, p.minSelfStake, type(uint256).max);
        _bound("unbondingDelay", p.unbondingDelay, MIN_DURATION, MAX_DURATION);
        _bound("jailPeriod", p.jailPeriod, MIN_DURATION, MAX_DURATION);
        _bound("epochLength", p.epochLength, MIN_DURATION, MAX_EPOCH_LENGTH);
        _bound("maxValidators", p.maxValidators, 1, MAX_VALIDATORS_CAP);
        _bound("maxCommissionPpm", p.maxCommissionPpm, 0, PPM);
        _bound("communityTaxPpm", p.communityTaxPpm, 0, MAX_COMMUNITY_TAX_PPM);
        _bound("doubleSignSlashPpm", p.doubleSignSlashPpm, 1, PPM);
        _bound("downtimeSlashPpm", p.downtimeSlashPpm, 1, MAX_DOWNTIME_SLASH_PPM);
        _bound("downtimeThreshold", p.downtimeThreshold, 1, type(uint32).max);
        _s().params = p;
        emit ParamsUpdated(p);
    }

    /// @dev Sends native value, reverting with a named error when the recipient refuses it. Callers update
    /// state first and hold the reentrancy lock.
    function _send(address to, uint256 amount) internal {
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, ) = to.call{value: amount}("");
        if (!ok) revert StakingTransferFailed(to, amount);
    }

    /// @dev The state namespace.
    function _s() internal pure returns (StakingLayout storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }

    function _bound(bytes32 name, uint256 value, uint256 minimum, uint256 maximum) private pure {
        if (value < minimum || value > maximum) revert StakingParamOutOfBounds(name, value, minimum, maximum);
    }
}
