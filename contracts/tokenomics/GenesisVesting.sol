// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {VestingWallet} from "@openzeppelin/contracts/finance/VestingWallet.sol";
import {VestingWalletCliff} from "@openzeppelin/contracts/finance/VestingWalletCliff.sol";

/// @title GenesisVesting
/// @notice One backer's or team member's genesis grant: OpenZeppelin's `VestingWalletCliff` for the native coin.
/// Nothing vests before `cliff()`; from then on the grant vests linearly from `start()` to `end()`, so at the cliff
/// the part for the time since `start()` becomes releasable at once. Anyone may call `release()`, which pays the
/// beneficiary (the wallet's owner, who may hand the grant on with `transferOwnership`).
/// @dev Deliberately not upgradeable and without an admin: nobody can change or revoke a grant after genesis.
contract GenesisVesting is VestingWalletCliff {
    /// @notice Creates the wallet; fund it with the grant (genesis alloc, or a devnet deployer's transfer).
    /// @param beneficiary Who receives the vested coin.
    /// @param startTimestamp When vesting starts (unix seconds).
    /// @param durationSeconds How long vesting lasts from `startTimestamp`.
    /// @param cliffSeconds Seconds after `startTimestamp` before anything vests (at most `durationSeconds`).
    constructor(
        address beneficiary,
        uint64 startTimestamp,
        uint64 durationSeconds,
        uint64 cliffSeconds
    ) VestingWallet(beneficiary, startTimestamp, durationSeconds) VestingWalletCliff(cliffSeconds) {}
}
