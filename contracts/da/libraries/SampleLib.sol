// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Bounds read as the spec states them (cols ≥ 32, index < rows); strict rewrites would obscure them.
// solhint-disable gas-strict-inequalities

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title SampleLib
/// @notice The blob format checks of docs/da-encoding.md that sampling and challenges share: the data root names
/// the shape `(rowsRoot, cols, dataRows, codedRows)`; a subline (1024 bytes, 32 scalars) hashes to its root by
/// 0G's storage rule over four 256-byte sectors; a proof climbs from the subline root to the rows root at position
/// `lineIndex · (cols / 32) + sublineIndex`, bottom first, with `keccak256(left ‖ right)` parents.
library SampleLib {
    /// @notice Bytes of one subline (32 scalars of 32 bytes).
    uint256 internal constant SUBLINE_BYTES = 1024;
    /// @notice Scalars (columns) per subline.
    uint256 internal constant SCALARS_PER_SUBLINE = 32;

    /// @notice Thrown when `keccak256(abi.encode(rowsRoot, cols, dataRows, codedRows))` is not the data root.
    /// @param dataRoot The data root given.
    /// @param computed The root the shape hashes to.
    error SampleLibDataRootMismatch(bytes32 dataRoot, bytes32 computed);

    /// @notice Thrown when cols is not a power of two ≥ 32, or dataRows is 0 or above codedRows.
    /// @param cols Scalars per row.
    /// @param dataRows Data rows (k).
    /// @param codedRows Coded rows (n).
    error SampleLibInvalidShape(uint256 cols, uint256 dataRows, uint256 codedRows);

    /// @notice Thrown when the line is not below codedRows or the subline not below cols / 32.
    /// @param lineIndex The line (coded row).
    /// @param sublineIndex The subline within the row.
    error SampleLibPositionOutOfRange(uint256 lineIndex, uint256 sublineIndex);

    /// @notice Thrown when the subline is not exactly 1024 bytes.
    /// @param length Its length.
    error SampleLibInvalidDataLength(uint256 length);

    /// @notice Thrown when the proof has not log2(cols / 32) + log2(nextPow2(codedRows)) siblings.
    /// @param length The siblings given.
    /// @param expected The siblings the shape needs.
    error SampleLibInvalidProofLength(uint256 length, uint256 expected);

    /// @notice Thrown when the subline and proof do not hash up to the rows root.
    error SampleLibInvalidProof();

    /// @notice Checks that the shape hashes to the data root, is well formed, and holds the position.
    /// @param dataRoot The blob's data root.
    /// @param rowsRoot The merkle root of the row roots.
    /// @param cols Scalars per row (C).
    /// @param dataRows Data rows (k).
    /// @param codedRows Coded rows (n).
    /// @param lineIndex The line (coded row).
    /// @param sublineIndex The subline within the row.
    function checkPosition(
        bytes32 dataRoot,
        bytes32 rowsRoot,
        uint256 cols,
        uint256 dataRows,
        uint256 codedRows,
        uint256 lineIndex,
        uint256 sublineIndex
    ) internal pure {
        bytes32 computed = keccak256(abi.encode(rowsRoot, cols, dataRows, codedRows));
        if (computed != dataRoot) revert SampleLibDataRootMismatch(dataRoot, computed);
        if (cols < SCALARS_PER_SUBLINE || cols & (cols - 1) != 0 || dataRows == 0 || dataRows > codedRows) {
            revert SampleLibInvalidShape(cols, dataRows, codedRows);
        }
        if (lineIndex >= codedRows || sublineIndex >= cols / SCALARS_PER_SUBLINE) {
            revert SampleLibPositionOutOfRange(lineIndex, sublineIndex);
        }
    }

    /// @notice Checks that `data` is the subline at (lineIndex, sublineIndex) under `rowsRoot`; the position is
    /// assumed checked by `checkPosition`.
    /// @param rowsRoot The merkle root of the row roots.
    /// @param cols Scalars per row (C).
    /// @param codedRows Coded rows (n).
    /// @param lineIndex The line (coded row).
    /// @param sublineIndex The subline within the row.
    /// @param data The subline's 1024 bytes.
    /// @param proof The siblings from the subline root up to the rows root, bottom first.
    function checkProof(
        bytes32 rowsRoot,
        uint256 cols,
        uint256 codedRows,
        uint256 lineIndex,
        uint256 sublineIndex,
        bytes calldata data,
        bytes32[] calldata proof
    ) internal pure {
        if (data.length != SUBLINE_BYTES) revert SampleLibInvalidDataLength(data.length);
        uint256 perRow = cols / SCALARS_PER_SUBLINE;
        uint256 depth = Math.log2(perRow) + Math.log2(codedRows, Math.Rounding.Ceil);
        if (proof.length != depth) revert SampleLibInvalidProofLength(proof.length, depth);
        bytes32 node = sublineRoot(data);
        uint256 position = lineIndex * perRow + sublineIndex;
        for (uint256 h = 0; h < depth; ++h) {
            node = (position >> h) & 1 == 0 ? _hashPair(node, proof[h]) : _hashPair(proof[h], node);
        }
        if (node != rowsRoot) revert SampleLibInvalidProof();
    }

    /// @notice A subline's root: H(H(k(s0), k(s1)), H(k(s2), k(s3))) over its four 256-byte sectors, k = keccak256.
    /// @param data The subline's 1024 bytes (the caller checks the length).
    /// @return root The root.
    function sublineRoot(bytes calldata data) internal pure returns (bytes32 root) {
        // Copies the 1024 bytes above the free-memory pointer (scratch space nobody else holds during this call)
        // and hashes each 256-byte sector there; the pointer is not moved, so the copy is simply forgotten.
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            calldatacopy(ptr, data.offset, 1024)
            mstore(add(ptr, 1024), keccak256(ptr, 256))
            mstore(add(ptr, 1056), keccak256(add(ptr, 256), 256))
            mstore(add(ptr, 1088), keccak256(add(ptr, 512), 256))
            mstore(add(ptr, 1120), keccak256(add(ptr, 768), 256))
            mstore(add(ptr, 1024), keccak256(add(ptr, 1024), 64))
            mstore(add(ptr, 1056), keccak256(add(ptr, 1088), 64))
            root := keccak256(add(ptr, 1024), 64)
        }
    }

    /// @notice The sampling quality of an answer: uint256(keccak256(abi.encodePacked(seed, uint64 epoch,
    /// uint64 quorumId, dataRoot, uint32 lineIndex, uint32 sublineIndex, data))).
    /// @param seed The round's seed.
    /// @param epoch The blob's epoch.
    /// @param quorumId The blob's quorum.
    /// @param dataRoot The blob's data root.
    /// @param lineIndex The line.
    /// @param sublineIndex The subline.
    /// @param data The subline's bytes.
    /// @return The quality (an answer counts when it is ≤ the round's target).
    function quality(
        bytes32 seed,
        uint64 epoch,
        uint64 quorumId,
        bytes32 dataRoot,
        uint32 lineIndex,
        uint32 sublineIndex,
        bytes calldata data
    ) internal pure returns (uint256) {
        return uint256(keccak256(abi.encodePacked(seed, epoch, quorumId, dataRoot, lineIndex, sublineIndex, data)));
    }

    function _hashPair(bytes32 left, bytes32 right) private pure returns (bytes32 parent) {
        assembly ("memory-safe") {
            mstore(0x00, left)
            mstore(0x20, right)
            parent := keccak256(0x00, 0x40)
        }
    }
}
