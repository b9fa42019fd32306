// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Bounds read as the rules state them (≤ target, ≥ length); strict rewrites would obscure them.
// solhint-disable gas-strict-inequalities

/// @title FlowTree
/// @notice The flow's append-only merkle tree of 256-byte sectors. Subtrees are appended whole at a position
/// aligned to their size; the gap before them is filled with empty subtrees. The root is that of the smallest
/// perfect tree (height H, 2^H ≥ length) whose unwritten leaves are empty sectors; parents are
/// keccak256(left ‖ right) and an empty sector's leaf is keccak256 of 256 zero bytes (0G's values).
/// @dev Only one node per height is kept: `filled[h]` is the last complete node written at an even index of
/// height h, which is exactly the left sibling the root fold needs wherever bit h of the length is set.
library FlowTree {
    /// @notice Sectors per segment; a submission smaller than a segment never straddles two (0G's rule).
    uint256 internal constant SECTORS_PER_SEGMENT = 1024;
    /// @notice keccak256 of 256 zero bytes: the leaf of an empty sector.
    bytes32 internal constant EMPTY_LEAF = 0xd397b3b043d87fcd6fad1291ff0bfd16401c274896d8c63a923727f077b8e0b5;

    /// @notice The tree's state.
    struct Tree {
        uint256 length;
        mapping(uint256 height => bytes32) filled;
    }

    /// @notice keccak256(left ‖ right).
    /// @param left The left child.
    /// @param right The right child.
    /// @return parent The parent.
    function hashPair(bytes32 left, bytes32 right) internal pure returns (bytes32 parent) {
        assembly ("memory-safe") {
            mstore(0x00, left)
            mstore(0x20, right)
            parent := keccak256(0x00, 0x40)
        }
    }

    /// @notice Root of a perfect subtree of empty sectors.
    /// @param height The subtree's height.
    /// @return z The root.
    function zeros(uint256 height) internal pure returns (bytes32 z) {
        z = EMPTY_LEAF;
        for (uint256 i = 0; i < height; ++i) z = hashPair(z, z);
    }

    /// @notice Smallest multiple of 2^height that is ≥ length (0G's `nextAlign`).
    /// @param length A flow length.
    /// @param height The alignment exponent.
    /// @return The aligned position.
    function nextAlign(uint256 length, uint256 height) internal pure returns (uint256) {
        if (length == 0) return 0;
        return (((length - 1) >> height) + 1) << height;
    }

    /// @notice Where a submission of `size` sectors whose first node has `firstHeight` starts after `length`:
    /// aligned to its first node, and moved to the next segment when it would straddle two (0G's `pad`).
    /// @param length The flow length.
    /// @param firstHeight Height of the submission's first node.
    /// @param size The submission's padded sectors.
    /// @return start The first sector of the submission.
    function submissionStart(uint256 length, uint256 firstHeight, uint256 size) internal pure returns (uint256 start) {
        start = nextAlign(length, firstHeight);
        uint256 offset = start % SECTORS_PER_SEGMENT;
        if (offset != 0 && start / SECTORS_PER_SEGMENT != (start + size - 1) / SECTORS_PER_SEGMENT) {
            start += SECTORS_PER_SEGMENT - offset;
        }
    }

    /// @notice Fills [length, target) with the largest aligned empty subtrees.
    /// @param tree The tree.
    /// @param target The new length (≥ the current one).
    function padTo(Tree storage tree, uint256 target) internal {
        uint256 length = tree.length;
        while (length < target) {
            uint256 k = 0;
            // Grow the empty subtree while `length` stays aligned to it and it still ends within the gap.
            while (length % (2 << k) == 0 && length + (2 << k) <= target) ++k;
            _place(tree, zeros(k), k, length);
            length += 1 << k;
        }
        tree.length = length;
    }

    /// @notice Appends a subtree of `height` at the next position aligned to its size.
    /// @param tree The tree.
    /// @param node The subtree's root.
    /// @param height Its height.
    /// @return start Its first sector.
    function insert(Tree storage tree, bytes32 node, uint256 height) internal returns (uint256 start) {
        start = nextAlign(tree.length, height);
        padTo(tree, start);
        _place(tree, node, height, start);
        tree.length = start + (1 << height);
    }

    /// @notice Writes a complete node and hashes it up while it is a right child.
    /// @param tree The tree.
    /// @param node The node.
    /// @param height Its height.
    /// @param start Its first sector (aligned to 2^height).
    function _place(Tree storage tree, bytes32 node, uint256 height, uint256 start) private {
        uint256 index = start >> height;
        uint256 h = height;
        while (index & 1 == 1) {
            node = hashPair(tree.filled[h], node);
            index >>= 1;
            ++h;
        }
        tree.filled[h] = node;
    }

    /// @notice Height of the tree: the smallest H with 2^H ≥ length.
    /// @param length The flow length.
    /// @return h The height.
    function heightOf(uint256 length) internal pure returns (uint256 h) {
        while ((1 << h) < length) ++h;
    }

    /// @notice The flow root.
    /// @param tree The tree.
    /// @return The root.
    function root(Tree storage tree) internal view returns (bytes32) {
        uint256 length = tree.length;
        if (length == 0) return EMPTY_LEAF;
        uint256 h = heightOf(length);
        if (length == 1 << h) return tree.filled[h];
        bytes32 node = EMPTY_LEAF;
        bytes32 zero = EMPTY_LEAF;
        for (uint256 i = 0; i < h; ++i) {
            node = (length >> i) & 1 == 1 ? hashPair(tree.filled[i], node) : hashPair(node, zero);
            zero = hashPair(zero, zero);
        }
        return node;
    }

    /// @notice The root `proof` implies for `leaf` at `index`.
    /// @param leaf A node.
    /// @param index Its index among nodes of its height.
    /// @param proof Siblings bottom to top.
    /// @return node The implied root.
    function proofRoot(bytes32 leaf, uint256 index, bytes32[] calldata proof) internal pure returns (bytes32 node) {
        node = leaf;
        for (uint256 i = 0; i < proof.length; ++i) {
            node = (index >> i) & 1 == 0 ? hashPair(node, proof[i]) : hashPair(proof[i], node);
        }
    }
}
