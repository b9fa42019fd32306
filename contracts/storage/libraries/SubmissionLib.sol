// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Bounds read as the rules state them (≤ target, ≥ length); strict rewrites would obscure them.
// solhint-disable gas-strict-inequalities

import {IFlowErrors, IFlowTypes} from "../interfaces/IFlow.sol";
import {FlowTree} from "./FlowTree.sol";

/// @title SubmissionLib
/// @notice Checks a submission against 0G's padding rule and derives its padded size and file root.
/// @dev A file of n sectors is padded to n itself when n is a power of two, else to a multiple of
/// max(1, nextPow2(n) / 16); the submission's nodes must be exactly that padded count's binary decomposition,
/// largest first. The file root 0G's clients compute (segment roots, then a tree that promotes an odd node) is the
/// right fold of those nodes: n0 ‖ (n1 ‖ (n2 ‖ n3)).
library SubmissionLib {
    /// @notice Bytes per sector.
    uint256 internal constant BYTES_PER_SECTOR = 256;
    /// @notice Highest node accepted: 2^40 sectors (256 TiB) per file.
    uint256 internal constant MAX_HEIGHT = 40;

    /// @notice Smallest power of two ≥ n (n ≥ 1).
    /// @param n The number.
    /// @return p The power of two.
    function nextPow2(uint256 n) internal pure returns (uint256 p) {
        p = 1;
        while (p < n) p <<= 1;
    }

    /// @notice Sectors a file of `sectors` sectors occupies after 0G's padding rule.
    /// @param sectors The file's sectors (≥ 1).
    /// @return The padded sector count.
    function paddedSectors(uint256 sectors) internal pure returns (uint256) {
        uint256 pow = nextPow2(sectors);
        if (pow == sectors) return pow;
        uint256 unit = pow >= 16 ? pow / 16 : 1;
        return ((sectors - 1) / unit + 1) * unit;
    }

    /// @notice Checks `submission` and returns its padded size; reverts with a named error when malformed.
    /// @param submission The submission.
    /// @return size Its padded sectors.
    function validate(IFlowTypes.Submission calldata submission) internal pure returns (uint256 size) {
        uint256 length = submission.length;
        uint256 count = submission.nodes.length;
        if (length == 0 || count == 0) revert IFlowErrors.FlowEmptySubmission();
        if (length > (uint256(1) << MAX_HEIGHT) * BYTES_PER_SECTOR) {
            revert IFlowErrors.FlowInvalidSubmission(length);
        }
        size = paddedSectors((length - 1) / BYTES_PER_SECTOR + 1);
        uint256 rest = size;
        uint256 j = 0;
        for (uint256 h = MAX_HEIGHT + 1; h > 0; --h) {
            uint256 bit = uint256(1) << (h - 1);
            if (rest & bit == 0) continue;
            if (j == count || submission.nodes[j].height != h - 1) {
                revert IFlowErrors.FlowInvalidSubmission(length);
            }
            rest ^= bit;
            ++j;
        }
        if (j != count) revert IFlowErrors.FlowInvalidSubmission(length);
    }

    /// @notice The file root: the right fold of the node roots.
    /// @param submission A valid submission.
    /// @return acc The file root.
    function dataRoot(IFlowTypes.Submission calldata submission) internal pure returns (bytes32 acc) {
        uint256 i = submission.nodes.length - 1;
        acc = submission.nodes[i].root;
        while (i > 0) {
            --i;
            acc = FlowTree.hashPair(submission.nodes[i].root, acc);
        }
    }
}
