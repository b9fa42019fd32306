// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BN254} from "../../common/libraries/BN254.sol";

/// @title BN254Harness
/// @notice Test-only: exposes the BN254 library so tests can compare it with the TypeScript implementation.
contract BN254Harness {
    /// @notice BN254.hashToG1.
    /// @param message The message.
    /// @return The point.
    function hashToG1(bytes32 message) external view returns (BN254.G1Point memory) {
        return BN254.hashToG1(message);
    }

    /// @notice Gas used by BN254.hashToG1 (for benchmarks).
    /// @param message The message.
    /// @return used The gas.
    function hashToG1Gas(bytes32 message) external view returns (uint256 used) {
        uint256 start = gasleft();
        BN254.hashToG1(message);
        used = start - gasleft();
    }

    /// @notice The sum of `points` through BN254.plus.
    /// @param points The points.
    /// @return acc The sum.
    function sum(BN254.G1Point[] calldata points) external view returns (BN254.G1Point memory acc) {
        for (uint256 i = 0; i < points.length; ++i) acc = BN254.plus(acc, points[i]);
    }

    /// @notice BN254.plus.
    /// @param a The first point.
    /// @param b The second point.
    /// @return The sum.
    function plus(BN254.G1Point calldata a, BN254.G1Point calldata b) external view returns (BN254.G1Point memory) {
        return BN254.plus(a, b);
    }

    /// @notice BN254.scalarMul.
    /// @param p The point.
    /// @param s The scalar.
    /// @return The product.
    function scalarMul(BN254.G1Point calldata p, uint256 s) external view returns (BN254.G1Point memory) {
        return BN254.scalarMul(p, s);
    }

    /// @notice BN254.negate.
    /// @param p The point.
    /// @return The negation.
    function negate(BN254.G1Point calldata p) external pure returns (BN254.G1Point memory) {
        return BN254.negate(p);
    }

    /// @notice BN254.isOnCurve.
    /// @param p The point.
    /// @return Whether it is on the curve.
    function isOnCurve(BN254.G1Point calldata p) external pure returns (bool) {
        return BN254.isOnCurve(p);
    }

    /// @notice BN254.pairing.
    /// @param a1 The first G1 point.
    /// @param a2 The first G2 point.
    /// @param b1 The second G1 point.
    /// @param b2 The second G2 point.
    /// @return Whether e(a1, a2) · e(b1, b2) = 1.
    function pairing(
        BN254.G1Point calldata a1,
        BN254.G2Point calldata a2,
        BN254.G1Point calldata b1,
        BN254.G2Point calldata b2
    ) external view returns (bool) {
        return BN254.pairing(a1, a2, b1, b2);
    }

    /// @notice The G2 generator and its negation.
    /// @return g The generator.
    /// @return neg Its negation.
    function generators() external pure returns (BN254.G2Point memory g, BN254.G2Point memory neg) {
        return (BN254.generatorG2(), BN254.negGeneratorG2());
    }
}
