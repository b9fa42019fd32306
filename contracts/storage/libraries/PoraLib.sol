// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Bounds read as the rules state them (≤ target, ≥ length); strict rewrites would obscure them.
// solhint-disable gas-strict-inequalities

import {Blake2b} from "./Blake2b.sol";
import {FlowTree} from "./FlowTree.sol";

/// @title PoraLib
/// @notice 0G's Proof of Random Access, checked on chain (0g-storage-node `node/miner/src/pora.rs`,
/// `common/zgs_seal`): the scratchpad and recall seed, the quality of a sealed 4 KiB seal, unsealing and the
/// seal's merkle root.
library PoraLib {
    /// @notice Sectors per seal.
    uint256 internal constant SECTORS_PER_SEAL = 16;
    /// @notice Sectors per PoRA load.
    uint256 internal constant SECTORS_PER_LOAD = 1024;
    /// @notice Seals per load.
    uint256 internal constant SEALS_PER_LOAD = 64;
    /// @notice 32-byte words per seal (4 KiB).
    uint256 internal constant WORDS_PER_SEAL = 128;
    /// @notice Seals in a 16 KiB scratchpad.
    uint256 internal constant SEALS_PER_PAD = 4;
    /// @notice 64-byte BLAKE2b cells in the scratchpad.
    uint256 internal constant PAD_CELLS = 256;

    /// @notice What a miner claims to have found.
    struct Work {
        bytes32 minerId;
        bytes32 nonce;
        bytes32 digest;
        uint256 startPosition;
        uint256 mineLength;
    }

    /// @notice The scratchpad seal `sealIndex` mixes with, and the recall seed.
    /// @dev seed = blake2b512(minerId ‖ nonce ‖ digest ‖ start as u256 ‖ length as u256); 256 cells, each the
    /// blake2b512 of the one before; recall seed = keccak256(last cell). Cells of seal k are 64k..64k+63.
    /// @param w The work.
    /// @param sealIndex The seal's index within the load (0..63).
    /// @return pad The 4 KiB of scratchpad for that seal.
    /// @return recallSeed The recall seed.
    function scratchpad(
        Work memory w,
        uint256 sealIndex
    ) internal view returns (bytes32[WORDS_PER_SEAL] memory pad, bytes32 recallSeed) {
        (bytes32 lo, bytes32 hi) = Blake2b.hash(
            abi.encodePacked(w.minerId, w.nonce, w.digest, w.startPosition, w.mineLength)
        );
        uint256 first = (sealIndex % SEALS_PER_PAD) * (PAD_CELLS / SEALS_PER_PAD);
        for (uint256 i = 0; i < PAD_CELLS; ++i) {
            (lo, hi) = Blake2b.hash(abi.encodePacked(lo, hi));
            if (i >= first && i < first + PAD_CELLS / SEALS_PER_PAD) {
                pad[(i - first) * 2] = lo;
                pad[(i - first) * 2 + 1] = hi;
            }
        }
        recallSeed = keccak256(abi.encodePacked(lo, hi));
    }

    /// @notice The quality of a sealed seal mixed with its scratchpad: the first 32 bytes (big-endian) of
    /// blake2b512(sealIndex ‖ minerId ‖ nonce ‖ digest ‖ start ‖ length ‖ 64 zero bytes ‖ mixed data).
    /// @param w The work.
    /// @param sealIndex The seal's index in the load.
    /// @param mixed The sealed data XOR the scratchpad.
    /// @return The quality (lower is better).
    function quality(
        Work memory w,
        uint256 sealIndex,
        bytes32[WORDS_PER_SEAL] memory mixed
    ) internal view returns (uint256) {
        (bytes32 lo, ) = Blake2b.hash(
            abi.encodePacked(
                abi.encodePacked(sealIndex, w.minerId, w.nonce, w.digest, w.startPosition, w.mineLength),
                bytes32(0),
                bytes32(0),
                mixed
            )
        );
        return uint256(lo);
    }

    /// @notice Unseals 0G's mask chain: mask0 = keccak256(minerId ‖ sealDigest ‖ position as u256), each next
    /// mask the keccak256 of the previous sealed word.
    /// @param sealedWords The sealed words.
    /// @param minerId The miner.
    /// @param sealDigest The seal context's digest.
    /// @param position The seal's first flow sector.
    /// @return data The unsealed words.
    function unseal(
        bytes32[WORDS_PER_SEAL] memory sealedWords,
        bytes32 minerId,
        bytes32 sealDigest,
        uint256 position
    ) internal pure returns (bytes32[WORDS_PER_SEAL] memory data) {
        bytes32 mask = keccak256(abi.encode(minerId, sealDigest, position));
        for (uint256 i = 0; i < WORDS_PER_SEAL; ++i) {
            data[i] = sealedWords[i] ^ mask;
            mask = keccak256(abi.encode(sealedWords[i]));
        }
    }

    /// @notice Merkle root of a seal's 16 sectors (leaf = keccak256 of 256 bytes; perfect tree of height 4).
    /// @param data The unsealed words.
    /// @return The root.
    function sealRoot(bytes32[WORDS_PER_SEAL] memory data) internal pure returns (bytes32) {
        bytes32[SECTORS_PER_SEAL] memory level;
        for (uint256 s = 0; s < SECTORS_PER_SEAL; ++s) {
            bytes32 leaf;
            assembly ("memory-safe") {
                leaf := keccak256(add(data, mul(s, 256)), 256)
            }
            level[s] = leaf;
        }
        for (uint256 width = SECTORS_PER_SEAL / 2; width > 0; width /= 2) {
            for (uint256 i = 0; i < width; ++i) level[i] = FlowTree.hashPair(level[2 * i], level[2 * i + 1]);
        }
        return level[0];
    }
}
