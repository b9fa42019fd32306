// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Bounds read as the rules state them (≤ target, ≥ length); strict rewrites would obscure them.
// solhint-disable gas-strict-inequalities

/// @title Blake2b
/// @notice BLAKE2b-512 (RFC 7693, no key) over any input through the EIP-152 `blake2f` precompile at 0x09.
/// @dev The state is kept as the precompile wants it: eight little-endian 64-bit words, which for a 64-byte
/// digest are exactly the digest's bytes. Each 128-byte block is one precompile call of 12 rounds; the last block
/// (zero-padded, the only one when the input is empty) carries the final flag and the total length.
library Blake2b {
    /// @notice Thrown when the blake2f precompile fails.
    error Blake2bPrecompileFailed();

    /// @notice Initial state words 0-3: the IV with h0 ^= 0x01010040 (no key, 64-byte digest), little-endian.
    bytes32 internal constant H0 = 0x48c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5;
    /// @notice Initial state words 4-7, little-endian.
    bytes32 internal constant H1 = 0xd182e6ad7f520e511f6c3e2b8c68059b6bbd41fbabd9831f79217e1319cde05b;

    /// @notice BLAKE2b-512 of `data`.
    /// @param data The input.
    /// @return lo The digest's first 32 bytes.
    /// @return hi The digest's last 32 bytes.
    function hash(bytes memory data) internal view returns (bytes32 lo, bytes32 hi) {
        bool ok = true;
        assembly ("memory-safe") {
            // Precompile input: rounds (4 bytes BE) ‖ h (64) ‖ m (128) ‖ t (16, LE) ‖ f (1) = 213 bytes.
            let ptr := mload(0x40)
            mstore(0x40, add(ptr, 256))
            mstore(ptr, shl(224, 12))
            mstore(add(ptr, 4), H0)
            mstore(add(ptr, 36), H1)
            mstore(add(ptr, 196), 0)
            mstore(add(ptr, 224), 0)
            let len := mload(data)
            let src := add(data, 32)
            let offset := 0
            for {} 1 {} {
                let n := sub(len, offset)
                let last := iszero(gt(n, 128))
                if gt(n, 128) {
                    n := 128
                }
                mstore(add(ptr, 68), 0)
                mstore(add(ptr, 100), 0)
                mstore(add(ptr, 132), 0)
                mstore(add(ptr, 164), 0)
                mcopy(add(ptr, 68), add(src, offset), n)
                offset := add(offset, n)
                for {
                    let i := 0
                } lt(i, 8) {
                    i := add(i, 1)
                } {
                    mstore8(add(ptr, add(196, i)), and(shr(mul(8, i), offset), 0xff))
                }
                mstore8(add(ptr, 212), last)
                ok := and(ok, staticcall(gas(), 0x09, ptr, 213, add(ptr, 4), 64))
                if last {
                    break
                }
            }
            lo := mload(add(ptr, 4))
            hi := mload(add(ptr, 36))
        }
        if (!ok) revert Blake2bPrecompileFailed();
    }
}
