// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// A vesting wallet's cliff and end are inclusive, as in OpenZeppelin's VestingWallet.
// solhint-disable gas-strict-inequalities

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ProtocolUpgradeable} from "../common/access/ProtocolUpgradeable.sol";
import {GenesisVesting} from "./GenesisVesting.sol";
import {IAllocations} from "./interfaces/IAllocations.sol";
import {IBudgetHolder} from "./interfaces/IBudgetHolder.sol";

/// @title Allocations
/// @notice The registry of the native coin's genesis distribution (ecosystem growth 28 %, backers 22 %, team 22 %,
/// AI alignment nodes 15 %, community rewards 13 % of 1 billion coins). Each bucket names the contracts holding it
/// and their amounts; the views say what is locked and what circulates.
/// @dev Locked is computed from each holder's terms, not its balance, so it reads the same on a chain funded at
/// genesis and on a devnet funded by the deployer: a vesting wallet's amount minus what its schedule has vested,
/// a budget holder's amount minus what it has paid out. Invariants: locked(i) ≤ amount(i);
/// circulating + totalLocked == MAX_SUPPLY; Σ amount(i) == MAX_SUPPLY. Holders are fixed at initialization.
contract Allocations is IAllocations, ProtocolUpgradeable {
    /// @notice The native coin's max supply: 1 billion coins of 18 decimals.
    uint256 public constant MAX_SUPPLY = 1e9 ether;
    /// @notice Most buckets (bounds the views' loops).
    uint256 public constant MAX_BUCKETS = 16;
    /// @notice Most holders per bucket (bounds the views' loops).
    uint256 public constant MAX_HOLDERS = 64;

    struct Bucket {
        string name;
        uint256 amount;
        Holder[] holders;
    }

    /// @custom:storage-location erc7201:zg.storage.Allocations
    struct AllocationsLayout {
        Bucket[] buckets;
    }

    // keccak256(abi.encode(uint256(keccak256("zg.storage.Allocations")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0x4332c8e73f11e330f23c93b8f32ade1fecae5b70d646aeea1881a673f0662400;

    /// @inheritdoc IAllocations
    function initialize(address admin, BucketInit[] calldata buckets) external initializer {
        __Protocol_init(admin, address(0));
        if (buckets.length == 0 || buckets.length > MAX_BUCKETS) revert AllocationsBadBucketCount(buckets.length);
        AllocationsLayout storage $ = _s();
        uint256 total;
        for (uint256 i = 0; i < buckets.length; ++i) {
            Holder[] calldata holders = buckets[i].holders;
            if (holders.length == 0 || holders.length > MAX_HOLDERS) {
                revert AllocationsBadHolderCount(i, holders.length);
            }
            Bucket storage b = $.buckets.push();
            b.name = buckets[i].name;
            uint256 amount;
            for (uint256 j = 0; j < holders.length; ++j) {
                if (holders[j].account == address(0) || holders[j].amount == 0) revert AllocationsBadHolder(i, j);
                b.holders.push(holders[j]);
                amount += holders[j].amount;
            }
            b.amount = amount;
            total += amount;
            emit BucketRecorded(i, b.name, amount, holders.length);
        }
        if (total != MAX_SUPPLY) revert AllocationsSupplyMismatch(total, MAX_SUPPLY);
    }

    /// @inheritdoc IAllocations
    function bucketCount() external view returns (uint256) {
        return _s().buckets.length;
    }

    /// @inheritdoc IAllocations
    function bucket(uint256 index) external view returns (string memory name, uint256 amount, Holder[] memory holders) {
        Bucket storage b = _bucket(index);
        return (b.name, b.amount, b.holders);
    }

    /// @inheritdoc IAllocations
    function lockedAt(uint256 index, uint256 timestamp) public view returns (uint256 amount) {
        Holder[] storage holders = _bucket(index).holders;
        for (uint256 j = 0; j < holders.length; ++j) {
            Holder storage h = holders[j];
            uint256 gone =
                h.kind == HolderKind.Vesting
                    ? _vested(GenesisVesting(payable(h.account)), h.amount, timestamp)
                    : IBudgetHolder(h.account).paidOut();
            // A holder can never have released more than its allocation in these terms; min keeps locked ≥ 0
            // even if a budget holder were upgraded to misreport.
            amount += h.amount - Math.min(gone, h.amount);
        }
    }

    /// @inheritdoc IAllocations
    function locked(uint256 index) external view returns (uint256) {
        return lockedAt(index, block.timestamp);
    }

    /// @inheritdoc IAllocations
    function totalLocked() public view returns (uint256 amount) {
        uint256 n = _s().buckets.length;
        for (uint256 i = 0; i < n; ++i) amount += lockedAt(i, block.timestamp);
    }

    /// @inheritdoc IAllocations
    function circulating() external view returns (uint256) {
        return MAX_SUPPLY - totalLocked();
    }

    /// @inheritdoc ProtocolUpgradeable
    function contractName() public pure override returns (string memory) {
        return "Allocations";
    }

    /// @inheritdoc ProtocolUpgradeable
    function version() external pure override returns (string memory) {
        return "1.0.0";
    }

    /// @dev The wallet's own schedule applied to the recorded amount (not its balance, which is zero before funding):
    /// nothing before the cliff, all at the end, linear from the start between.
    function _vested(GenesisVesting wallet, uint256 amount, uint256 timestamp) private view returns (uint256) {
        if (timestamp < wallet.cliff()) return 0;
        uint256 start = wallet.start();
        uint256 duration = wallet.duration();
        if (timestamp >= start + duration) return amount;
        // timestamp ≥ cliff ≥ start and timestamp < start + duration, so duration > 0.
        return Math.mulDiv(amount, timestamp - start, duration);
    }

    function _bucket(uint256 index) private view returns (Bucket storage) {
        AllocationsLayout storage $ = _s();
        if (index >= $.buckets.length) revert AllocationsUnknownBucket(index);
        return $.buckets[index];
    }

    function _s() private pure returns (AllocationsLayout storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }
}
