// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Blake2b} from "../../storage/libraries/Blake2b.sol";
import {PoraLib} from "../../storage/libraries/PoraLib.sol";
import {Difficulty} from "../../storage/libraries/Difficulty.sol";

/// @title PoraHarness
/// @notice Test-only: exposes the PoRA libraries for differential tests against the TypeScript core.
contract PoraHarness {
    /// @notice BLAKE2b-512 of `data`.
    /// @param data The input.
    /// @return The 64-byte digest.
    function blake2b(bytes calldata data) external view returns (bytes memory) {
        (bytes32 lo, bytes32 hi) = Blake2b.hash(data);
        return abi.encodePacked(lo, hi);
    }

    /// @notice Scratchpad seal and recall seed.
    /// @param w The work.
    /// @param sealIndex The seal index.
    /// @return pad The 4 KiB of scratchpad.
    /// @return seed The recall seed.
    function scratchpad(
        PoraLib.Work calldata w,
        uint256 sealIndex
    ) external view returns (bytes32[128] memory pad, bytes32 seed) {
        return PoraLib.scratchpad(w, sealIndex);
    }

    /// @notice Quality of mixed data.
    /// @param w The work.
    /// @param sealIndex The seal index.
    /// @param mixed The mixed data.
    /// @return The quality.
    function quality(
        PoraLib.Work calldata w,
        uint256 sealIndex,
        bytes32[128] calldata mixed
    ) external view returns (uint256) {
        return PoraLib.quality(w, sealIndex, mixed);
    }

    /// @notice Unseals and returns the seal root.
    /// @param sealedWords The sealed words.
    /// @param minerId The miner.
    /// @param digest The seal context digest.
    /// @param position The seal's position.
    /// @return data The unsealed words.
    /// @return root Their seal root.
    function unseal(
        bytes32[128] calldata sealedWords,
        bytes32 minerId,
        bytes32 digest,
        uint256 position
    ) external pure returns (bytes32[128] memory data, bytes32 root) {
        data = PoraLib.unseal(sealedWords, minerId, digest, position);
        root = PoraLib.sealRoot(data);
    }

    /// @notice The next PoRA target.
    /// @param old The current target.
    /// @param wanted Answers aimed at.
    /// @param previous Answers in the previous epoch.
    /// @return The new target.
    function adjust(uint256 old, uint256 wanted, uint256 previous) external pure returns (uint256) {
        return Difficulty.adjust(old, wanted, previous);
    }
}
