// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

// Bounds read as the rules state them; strict rewrites would obscure them.
// solhint-disable gas-strict-inequalities

/// @title Difficulty
/// @notice The PoRA target's per-epoch adjustment: target × wanted / previous answers, kept within ×2 and ÷2.
library Difficulty {
    /// @notice The next target.
    /// @param old The current target (≥ 1).
    /// @param wanted Answers per epoch aimed at (≥ 1).
    /// @param previous Answers accepted in the previous epoch (none doubles the target).
    /// @return next The new target, in [max(old / 2, 1), min(2 × old, 2^256 − 1)].
    function adjust(uint256 old, uint256 wanted, uint256 previous) internal pure returns (uint256 next) {
        uint256 ceiling = old > type(uint256).max / 2 ? type(uint256).max : old * 2;
        uint256 floor = old / 2 == 0 ? 1 : old / 2;
        if (previous == 0 || previous * 2 <= wanted) return ceiling;
        if (wanted * 2 <= previous) return floor;
        if (previous < wanted) {
            // old × wanted / previous = old + old × (wanted − previous) / previous, and the increment is below old
            // because wanted < 2 × previous here: nothing overflows, and the sum saturates at the ceiling.
            uint256 inc = Math.mulDiv(old, wanted - previous, previous);
            next = inc > type(uint256).max - old ? type(uint256).max : old + inc;
        } else {
            next = Math.mulDiv(old, wanted, previous);
        }
        if (next < floor) next = floor;
        if (next > ceiling) next = ceiling;
    }
}
