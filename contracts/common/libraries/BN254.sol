// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// solhint-disable gas-strict-inequalities

/// @title BN254
/// @notice Arithmetic on the BN254 (alt_bn128) curve through the EVM precompiles: G1 addition (0x06), G1 scalar
/// multiplication (0x07), the pairing check (0x08), and a hash to G1 by keccak try-and-increment that the
/// off-chain library (`offchain/da/core/bls.ts`) repeats bit for bit.
/// @dev G1 is y² = x³ + 3 over Fp; it has cofactor 1, so every point on the curve is in the group. A G2 point is
/// stored in the precompile's order: `X = [x.c1, x.c0]`, `Y = [y.c1, y.c0]` (imaginary part first). The
/// pairing precompile rejects G2 points that are off the curve or outside the subgroup, so a pairing check
/// that succeeds also validates its G2 inputs.
library BN254 {
    /// @notice The base field modulus p.
    uint256 internal constant FP_MODULUS =
        21888242871839275222246405745257275088696311157297823662689037894645226208583;
    /// @notice The group order r (the scalar field modulus).
    uint256 internal constant FR_MODULUS =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    /// @notice (p + 1) / 4: since p ≡ 3 (mod 4), a square root of a square a is a^((p+1)/4).
    uint256 internal constant SQRT_EXPONENT =
        5472060717959818805561601436314318772174077789324455915672259473661306552146;

    /// @notice Domain prefix of `hashToG1`: x₀ = keccak256(HASH_TO_G1_DOMAIN ‖ message) mod p.
    bytes internal constant HASH_TO_G1_DOMAIN = "ZG-BN254-G1-KECCAK-TAI-v1";

    // The G2 generator the precompile uses, in precompile order (imaginary part first).
    uint256 internal constant G2_X1 = 11559732032986387107991004021392285783925812861821192530917403151452391805634;
    uint256 internal constant G2_X0 = 10857046999023057135944570762232829481370756359578518086990519993285655852781;
    uint256 internal constant G2_Y1 = 4082367875863433681332203403145435568316851327593401208105741076214120093531;
    uint256 internal constant G2_Y0 = 8495653923123431417604973247489272438418190587263600148770280649306958101930;

    /// @notice A G1 point in affine coordinates; (0, 0) is the point at infinity.
    struct G1Point {
        uint256 X;
        uint256 Y;
    }

    /// @notice A G2 point in affine coordinates, each coordinate as [imaginary, real] (precompile order).
    struct G2Point {
        uint256[2] X;
        uint256[2] Y;
    }

    /// @notice Thrown when a precompile call fails: a point off the curve, a coordinate ≥ p, or out of gas.
    /// @param precompile The precompile's address (6 add, 7 mul, 8 pairing, 5 modexp).
    error BN254PrecompileFailed(uint256 precompile);

    /// @notice The G1 generator (1, 2).
    /// @return The generator.
    function generatorG1() internal pure returns (G1Point memory) {
        return G1Point(1, 2);
    }

    /// @notice The G2 generator.
    /// @return The generator.
    function generatorG2() internal pure returns (G2Point memory) {
        return G2Point([G2_X1, G2_X0], [G2_Y1, G2_Y0]);
    }

    /// @notice The G2 generator negated (y replaced by p − y).
    /// @return −g2.
    function negGeneratorG2() internal pure returns (G2Point memory) {
        return G2Point([G2_X1, G2_X0], [FP_MODULUS - G2_Y1, FP_MODULUS - G2_Y0]);
    }

    /// @notice Whether `p` is the point at infinity (0, 0).
    /// @param p The point.
    /// @return True for (0, 0).
    function isZero(G1Point memory p) internal pure returns (bool) {
        return p.X == 0 && p.Y == 0;
    }

    /// @notice Whether `p` is on the G1 curve (coordinates < p and y² = x³ + 3), or the point at infinity.
    /// @param p The point.
    /// @return True when it is a valid G1 point.
    function isOnCurve(G1Point memory p) internal pure returns (bool) {
        if (p.X >= FP_MODULUS || p.Y >= FP_MODULUS) return false;
        if (isZero(p)) return true;
        uint256 rhs = addmod(mulmod(mulmod(p.X, p.X, FP_MODULUS), p.X, FP_MODULUS), 3, FP_MODULUS);
        return mulmod(p.Y, p.Y, FP_MODULUS) == rhs;
    }

    /// @notice −p: the same x, y replaced by p − y (infinity stays infinity).
    /// @param p The point.
    /// @return The negation.
    function negate(G1Point memory p) internal pure returns (G1Point memory) {
        if (isZero(p)) return G1Point(0, 0);
        return G1Point(p.X, FP_MODULUS - (p.Y % FP_MODULUS));
    }

    /// @notice p1 + p2 through precompile 0x06; reverts when either point is invalid.
    /// @param p1 The first point.
    /// @param p2 The second point.
    /// @return r The sum.
    function plus(G1Point memory p1, G1Point memory p2) internal view returns (G1Point memory r) {
        uint256[4] memory input = [p1.X, p1.Y, p2.X, p2.Y];
        bool ok;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            ok := staticcall(gas(), 0x06, input, 0x80, r, 0x40)
        }
        if (!ok) revert BN254PrecompileFailed(6);
    }

    /// @notice s·p through precompile 0x07; reverts when the point is invalid.
    /// @param p The point.
    /// @param s The scalar.
    /// @return r The product.
    function scalarMul(G1Point memory p, uint256 s) internal view returns (G1Point memory r) {
        uint256[3] memory input = [p.X, p.Y, s];
        bool ok;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            ok := staticcall(gas(), 0x07, input, 0x60, r, 0x40)
        }
        if (!ok) revert BN254PrecompileFailed(7);
    }

    /// @notice Whether e(a1, a2) · e(b1, b2) = 1, through precompile 0x08. Reverts when the precompile fails
    /// (an invalid point); returns false when the points are valid and the product is not 1.
    /// @param a1 The first G1 point.
    /// @param a2 The first G2 point.
    /// @param b1 The second G1 point.
    /// @param b2 The second G2 point.
    /// @return Whether the product of the two pairings is 1.
    function pairing(
        G1Point memory a1,
        G2Point memory a2,
        G1Point memory b1,
        G2Point memory b2
    ) internal view returns (bool) {
        uint256[12] memory input = [
            a1.X,
            a1.Y,
            a2.X[0],
            a2.X[1],
            a2.Y[0],
            a2.Y[1],
            b1.X,
            b1.Y,
            b2.X[0],
            b2.X[1],
            b2.Y[0],
            b2.Y[1]
        ];
        uint256[1] memory out;
        bool ok;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            ok := staticcall(gas(), 0x08, input, 0x180, out, 0x20)
        }
        if (!ok) revert BN254PrecompileFailed(8);
        return out[0] == 1;
    }

    /// @notice Hashes a 32-byte message to a G1 point by try-and-increment: x starts at
    /// keccak256(HASH_TO_G1_DOMAIN ‖ message) mod p and grows by 1 until x³ + 3 is a square; y is
    /// (x³ + 3)^((p+1)/4). About half of all x succeed, so the loop runs twice on average.
    /// @dev Not constant time and not indifferentiable from a random oracle the way RFC 9380 is, but its
    /// discrete log is unknown to everyone, which is what a BLS signature needs; it is what EigenLayer's
    /// BN254 library does, with a domain prefix added.
    /// @param message The message (usually a keccak256 digest).
    /// @return point The point.
    function hashToG1(bytes32 message) internal view returns (G1Point memory point) {
        uint256 x = uint256(keccak256(abi.encodePacked(HASH_TO_G1_DOMAIN, message))) % FP_MODULUS;
        while (true) {
            uint256 beta = addmod(mulmod(mulmod(x, x, FP_MODULUS), x, FP_MODULUS), 3, FP_MODULUS);
            uint256 y = _expMod(beta, SQRT_EXPONENT);
            if (mulmod(y, y, FP_MODULUS) == beta) return G1Point(x, y);
            x = addmod(x, 1, FP_MODULUS);
        }
    }

    /// @notice base^exponent mod p through precompile 0x05.
    /// @param base The base.
    /// @param exponent The exponent.
    /// @return r The power.
    function _expMod(uint256 base, uint256 exponent) private view returns (uint256 r) {
        uint256[6] memory input = [32, 32, 32, base, exponent, FP_MODULUS];
        uint256[1] memory out;
        bool ok;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            ok := staticcall(gas(), 0x05, input, 0xc0, out, 0x20)
        }
        if (!ok) revert BN254PrecompileFailed(5);
        r = out[0];
    }
}
