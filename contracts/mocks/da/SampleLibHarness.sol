// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SampleLib} from "../../da/libraries/SampleLib.sol";

/// @title SampleLibHarness
/// @notice Test-only: exposes SampleLib so the TypeScript encoder's roots, proofs and qualities can be checked against
/// the very code the sampler and challenge contracts run.
contract SampleLibHarness {
    /// @notice SampleLib.checkPosition then SampleLib.checkProof; reverts with their errors.
    /// @param dataRoot The blob's data root.
    /// @param rowsRoot The rows root.
    /// @param shape (cols, dataRows, codedRows).
    /// @param lineIndex The line.
    /// @param sublineIndex The subline.
    /// @param data The subline's bytes.
    /// @param proof The siblings up to the rows root.
    function check(
        bytes32 dataRoot,
        bytes32 rowsRoot,
        uint256[3] calldata shape,
        uint256 lineIndex,
        uint256 sublineIndex,
        bytes calldata data,
        bytes32[] calldata proof
    ) external pure {
        SampleLib.checkPosition(dataRoot, rowsRoot, shape[0], shape[1], shape[2], lineIndex, sublineIndex);
        SampleLib.checkProof(rowsRoot, shape[0], shape[2], lineIndex, sublineIndex, data, proof);
    }

    /// @notice SampleLib.quality.
    /// @param seed The round's seed.
    /// @param epoch The blob's epoch.
    /// @param quorumId The blob's quorum.
    /// @param dataRoot The blob's data root.
    /// @param lineIndex The line.
    /// @param sublineIndex The subline.
    /// @param data The subline's bytes.
    /// @return The quality.
    function quality(
        bytes32 seed,
        uint64 epoch,
        uint64 quorumId,
        bytes32 dataRoot,
        uint32 lineIndex,
        uint32 sublineIndex,
        bytes calldata data
    ) external pure returns (uint256) {
        return SampleLib.quality(seed, epoch, quorumId, dataRoot, lineIndex, sublineIndex, data);
    }
}
