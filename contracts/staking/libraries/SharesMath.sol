// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IStakingTypes} from "../interfaces/IStakingTypes.sol";

/// @title SharesMath
/// @notice Share accounting for a pool of native value (a validator's bonded pool or its unbonding pool).
/// @dev Price of a share = (stake + VIRTUAL_STAKE) / (shares + VIRTUAL_SHARES). The virtual offset (as in
/// OpenZeppelin's ERC4626 `_decimalsOffset`) makes a donation-based inflation of the first depositor's share
/// price cost the attacker about 1000 times what it takes from the victim. Every conversion rounds toward the
/// pool: shares minted down, value paid down, slashes rounded up; so no operation but a slash lowers the price.
/// Conversions use 512-bit `Math.mulDiv`, so they never overflow in the middle: a conversion fails only when
/// its result does not fit, which can happen only when minting shares into a pool that slashes have all but
/// emptied (a 100 % slash leaves shares worth nothing, and each later deposit mints about `shares + 1000` times
/// as many); such a deposit reverts before it takes any value, and nothing already deposited gets stuck.
library SharesMath {
    /// @notice Virtual shares added to the pool's share count in every price computation.
    uint256 internal constant VIRTUAL_SHARES = 1e3;
    /// @notice Virtual value added to the pool's stake in every price computation.
    uint256 internal constant VIRTUAL_STAKE = 1;
    /// @notice Parts per million: 1e6 is 100 %.
    uint256 internal constant PPM = 1e6;

    /// @notice The shares `amount` buys in `pool` (rounded down).
    /// @param pool The pool.
    /// @param amount The value.
    /// @return The shares.
    function toShares(IStakingTypes.Pool storage pool, uint256 amount) internal view returns (uint256) {
        return Math.mulDiv(amount, pool.shares + VIRTUAL_SHARES, pool.stake + VIRTUAL_STAKE);
    }

    /// @notice The value of `shares` of `pool` (rounded down).
    /// @param pool The pool.
    /// @param shares The shares.
    /// @return The value.
    function toStake(IStakingTypes.Pool storage pool, uint256 shares) internal view returns (uint256) {
        return Math.mulDiv(shares, pool.stake + VIRTUAL_STAKE, pool.shares + VIRTUAL_SHARES);
    }

    /// @notice Adds `amount` to `pool` and mints shares for it (rounded down).
    /// @param pool The pool.
    /// @param amount The value added.
    /// @return shares The shares minted.
    function deposit(IStakingTypes.Pool storage pool, uint256 amount) internal returns (uint256 shares) {
        shares = toShares(pool, amount);
        pool.stake += amount;
        pool.shares += shares;
    }

    /// @notice Burns `shares` of `pool` and removes their value (rounded down).
    /// @dev The caller checks that the shares are held, so `shares ≤ pool.shares`; then the value is below
    /// `(pool.stake + 1) · shares / (shares + VIRTUAL_SHARES)` < `pool.stake + 1`, so it never exceeds the stake.
    /// @param pool The pool.
    /// @param shares The shares burned.
    /// @return amount The value removed.
    function redeem(IStakingTypes.Pool storage pool, uint256 shares) internal returns (uint256 amount) {
        amount = toStake(pool, shares);
        pool.stake -= amount;
        pool.shares -= shares;
    }

    /// @notice Takes `ppm` of `pool`'s stake (rounded up) without touching its shares: every holder loses the
    /// same fraction.
    /// @param pool The pool.
    /// @param ppm The fraction, at most PPM (so the cut never exceeds the stake).
    /// @return amount The value taken.
    function slash(IStakingTypes.Pool storage pool, uint256 ppm) internal returns (uint256 amount) {
        amount = ppmUp(pool.stake, ppm);
        pool.stake -= amount;
    }

    /// @notice `ppm` of `value`, rounded up.
    /// @param value The value.
    /// @param ppm The fraction, at most PPM (so the result is at most `value`).
    /// @return The part.
    function ppmUp(uint256 value, uint256 ppm) internal pure returns (uint256) {
        return Math.mulDiv(value, ppm, PPM, Math.Rounding.Ceil);
    }
}
