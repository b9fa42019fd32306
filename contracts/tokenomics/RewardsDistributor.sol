// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// The schedule's bounds are inclusive (everything is released at `end`).
// solhint-disable gas-strict-inequalities

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IBudgetHolder} from "./interfaces/IBudgetHolder.sol";
import {ProtocolUpgradeable} from "../common/access/ProtocolUpgradeable.sol";
import {IStaking} from "../staking/interfaces/IStaking.sol";
import {IChunkRewards} from "../storage/interfaces/IChunkRewards.sol";
import {IDASampler} from "../da/interfaces/IDASampler.sol";
import {IRewardsDistributor} from "./interfaces/IRewardsDistributor.sol";

/// @title RewardsDistributor
/// @notice Holds the community-rewards budget (13 % of supply) and releases it linearly from `start` to `end`.
/// Anyone may call `distribute`, which pays what was released since the last call: the storage and DA base reward
/// pools their governance-set weights, and validators the rest, split by effective stake and paid through
/// `Staking.distributeRewards` (so commission, community tax and delegators' shares follow Staking's rules).
/// @dev Roles: DEFAULT_ADMIN_ROLE sets weights and services and upgrades; PAUSER_ROLE pauses `distribute`.
/// Invariants: released ≤ scheduled(now) ≤ budget; released == paidOut + carried; paidOut ≤ released ≤ budget;
/// balance + paidOut ≤ budget unless coin is forced in (which the schedule then never releases).
contract RewardsDistributor is IRewardsDistributor, ProtocolUpgradeable, ReentrancyGuardTransient {
    /// @notice The native coin's max supply (1 billion coins), the bound on the budget.
    uint256 public constant MAX_SUPPLY = 1e9 ether;
    /// @notice Most validators one `distribute` reads and pays; a longer validator list is walked by a cursor.
    uint256 public constant MAX_VALIDATORS_PER_CALL = 128;
    uint256 private constant BPS = 10_000;

    /// @custom:storage-location erc7201:zg.storage.RewardsDistributor
    struct RewardsDistributorLayout {
        address staking;
        address chunkRewards;
        address daSampler;
        uint64 start;
        uint64 end;
        Weights weights;
        uint256 budget;
        uint256 released;
        uint256 paidOut;
        uint256 carried;
        uint256 cursor;
    }

    // keccak256(abi.encode(uint256(keccak256("zg.storage.RewardsDistributor")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0xe609dbe5fa80a840708d489ed01e6c0cf3990222b8c0c1ac8d1863cd13817b00;

    /// @inheritdoc IRewardsDistributor
    function initialize(
        address admin,
        address pauser,
        address staking_,
        address chunkRewards_,
        address daSampler_,
        uint256 budget_,
        uint64 start_,
        uint64 end_,
        Weights calldata weights_
    ) external initializer {
        __Protocol_init(admin, pauser);
        if (staking_ == address(0)) revert RewardsDistributorZeroAddress();
        if (budget_ == 0 || budget_ > MAX_SUPPLY || end_ <= start_) {
            revert RewardsDistributorBadSchedule(budget_, start_, end_);
        }
        RewardsDistributorLayout storage $ = _s();
        $.staking = staking_;
        $.budget = budget_;
        ($.start, $.end) = (start_, end_);
        _setServices(chunkRewards_, daSampler_);
        _setWeights(weights_);
        _checkServices();
    }

    /// @notice Accepts coin like `fund` (a plain transfer from a devnet deployer or a multisig).
    receive() external payable {
        _funded();
    }

    /// @inheritdoc IRewardsDistributor
    function fund() external payable {
        _funded();
    }

    /// @inheritdoc IRewardsDistributor
    function distribute() external whenNotPaused nonReentrant {
        RewardsDistributorLayout storage $ = _s();
        uint256 newly = _due($);
        if (newly == 0 && $.carried == 0) revert RewardsDistributorNothingDue();
        Weights memory w = $.weights;
        uint256 toStorage = (newly * w.storageBps) / BPS;
        uint256 toDa = (newly * w.daBps) / BPS;
        // The validators' pot: their weight of the new release, the rounding of the two service shares, and
        // whatever earlier calls could not pay.
        uint256 pot = $.carried + newly - toStorage - toDa;
        $.released += newly;
        $.paidOut += toStorage + toDa;
        $.carried = pot;
        if (toStorage != 0) IChunkRewards($.chunkRewards).donate{value: toStorage}();
        if (toDa != 0) IDASampler($.daSampler).fundBasePool{value: toDa}();
        uint256 toValidators = _payValidators($, pot);
        emit Distributed(msg.sender, newly, toValidators, toStorage, toDa, pot - toValidators);
    }

    /// @inheritdoc IRewardsDistributor
    function setWeights(Weights calldata weights_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setWeights(weights_);
        _checkServices();
    }

    /// @inheritdoc IRewardsDistributor
    function setServices(address chunkRewards_, address daSampler_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setServices(chunkRewards_, daSampler_);
        _checkServices();
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IRewardsDistributor
    function scheduled(uint256 timestamp) public view returns (uint256) {
        RewardsDistributorLayout storage $ = _s();
        if (timestamp <= $.start) return 0;
        if (timestamp >= $.end) return $.budget;
        return Math.mulDiv($.budget, timestamp - $.start, $.end - $.start);
    }

    /// @inheritdoc IRewardsDistributor
    function due() external view returns (uint256) {
        return _due(_s());
    }

    /// @inheritdoc IRewardsDistributor
    function released() external view returns (uint256) {
        return _s().released;
    }

    /// @inheritdoc IRewardsDistributor
    function carried() external view returns (uint256) {
        return _s().carried;
    }

    /// @inheritdoc IBudgetHolder
    function budget() external view returns (uint256) {
        return _s().budget;
    }

    /// @inheritdoc IBudgetHolder
    function paidOut() external view returns (uint256) {
        return _s().paidOut;
    }

    /// @inheritdoc IRewardsDistributor
    function schedule() external view returns (uint256 start_, uint256 end_) {
        return (_s().start, _s().end);
    }

    /// @inheritdoc IRewardsDistributor
    function weights() external view returns (Weights memory) {
        return _s().weights;
    }

    /// @inheritdoc IRewardsDistributor
    function services() external view returns (address staking_, address chunkRewards_, address daSampler_) {
        RewardsDistributorLayout storage $ = _s();
        return ($.staking, $.chunkRewards, $.daSampler);
    }

    /// @inheritdoc IRewardsDistributor
    function cursor() external view returns (uint256) {
        return _s().cursor;
    }

    /// @inheritdoc ProtocolUpgradeable
    function contractName() public pure override returns (string memory) {
        return "RewardsDistributor";
    }

    /// @inheritdoc ProtocolUpgradeable
    function version() external pure override returns (string memory) {
        return "1.0.0";
    }

    // ------------------------------------------------------------------ internal

    /// @dev The schedule's progress since the last release, bounded by the coin held beyond what is carried.
    function _due(RewardsDistributorLayout storage $) private view returns (uint256) {
        uint256 progress = scheduled(block.timestamp) - $.released;
        // balance ≥ carried: carried coin was released from the balance and has not left it.
        uint256 free = address(this).balance - $.carried;
        return Math.min(progress, free);
    }

    /// @dev Splits `pot` over (at most MAX_VALIDATORS_PER_CALL of) the validators by effective stake and pays each
    /// through Staking. Jailed, exited and unknown validators have effective stake 0 and get nothing. A payment
    /// Staking refuses (paused) stays carried; so does the rounding. Returns what was paid.
    function _payValidators(RewardsDistributorLayout storage $, uint256 pot) private returns (uint256 paid) {
        IStaking staking = IStaking($.staking);
        uint256 count = staking.validatorCount();
        if (count == 0 || pot == 0) return 0;
        uint256 n = Math.min(count, MAX_VALIDATORS_PER_CALL);
        uint256 first = count > n ? $.cursor % count : 0;
        address[] memory validators = new address[](n);
        uint256[] memory stakes = new uint256[](n);
        uint256 total;
        for (uint256 i = 0; i < n; ++i) {
            uint256 index = first + i;
            if (index >= count) index -= count;
            address v = staking.validatorAt(index);
            uint256 s = staking.effectiveStake(v);
            (validators[i], stakes[i]) = (v, s);
            total += s;
        }
        if (count > n) $.cursor = (first + n) % count;
        if (total == 0) return 0;
        for (uint256 i = 0; i < n; ++i) {
            if (stakes[i] == 0) continue;
            uint256 amount = Math.mulDiv(pot, stakes[i], total);
            if (amount == 0) continue;
            try staking.distributeRewards{value: amount}(validators[i]) {
                paid += amount;
                $.paidOut += amount;
                $.carried -= amount;
                emit ValidatorRewarded(validators[i], amount);
            } catch {
                // Left in `carried`: the next distribute pays it.
                continue;
            }
        }
    }

    /// @dev The value is already in the balance: refuse it when the distributor would hold more than it may pay.
    function _funded() private {
        RewardsDistributorLayout storage $ = _s();
        uint256 left = $.budget - $.paidOut;
        if (address(this).balance > left) revert RewardsDistributorOverfunded(address(this).balance, left);
        emit Funded(msg.sender, msg.value);
    }

    function _setWeights(Weights calldata w) private {
        if (uint256(w.validatorsBps) + w.storageBps + w.daBps != BPS) {
            revert RewardsDistributorBadWeights(w.validatorsBps, w.storageBps, w.daBps);
        }
        _s().weights = w;
        emit WeightsUpdated(w.validatorsBps, w.storageBps, w.daBps);
    }

    function _setServices(address chunkRewards_, address daSampler_) private {
        RewardsDistributorLayout storage $ = _s();
        ($.chunkRewards, $.daSampler) = (chunkRewards_, daSampler_);
        emit ServicesUpdated(chunkRewards_, daSampler_);
    }

    /// @dev A service with a weight must have an address, or its share could not be paid.
    function _checkServices() private view {
        RewardsDistributorLayout storage $ = _s();
        Weights memory w = $.weights;
        if ((w.storageBps != 0 && $.chunkRewards == address(0)) || (w.daBps != 0 && $.daSampler == address(0))) {
            revert RewardsDistributorBadWeights(w.validatorsBps, w.storageBps, w.daBps);
        }
    }

    function _s() private pure returns (RewardsDistributorLayout storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }
}
