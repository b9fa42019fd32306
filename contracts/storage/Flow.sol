// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Bounds read as the rules state them (≤ target, ≥ length); strict rewrites would obscure them.
// solhint-disable gas-strict-inequalities

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ProtocolUpgradeable} from "../common/access/ProtocolUpgradeable.sol";
import {IFlow} from "./interfaces/IFlow.sol";
import {IMarket} from "./interfaces/IMarket.sol";
import {FlowTree} from "./libraries/FlowTree.sol";
import {SubmissionLib} from "./libraries/SubmissionLib.sol";

/// @title Flow
/// @notice 0G Storage's append-only flow of data roots: files pay per padded sector, enter the flow tree as
/// whole subtrees, and every `blocksPerEpoch` blocks a mining context (block hash, flow root, length) is fixed.
/// @dev Departures from 0G's Flow: an overpayment is refunded in the same call (0G keeps it); contexts are
/// stored per epoch, so a digest never depends on `blockhash` past its 256-block window; the flow starts empty.
contract Flow is IFlow, ProtocolUpgradeable, ReentrancyGuardTransient {
    using FlowTree for FlowTree.Tree;

    /// @notice Flow roots kept in the ring (one per submission).
    uint256 internal constant ROOT_RING = 256;
    /// @notice Most blocks per epoch.
    uint256 internal constant MAX_BLOCKS_PER_EPOCH = 1_000_000;

    /// @custom:storage-location erc7201:zg.storage.Flow
    // solhint-disable-next-line gas-struct-packing
    struct FlowLayout {
        FlowTree.Tree tree;
        IMarket market;
        uint256 blocksPerEpoch;
        uint256 firstBlock;
        uint256 submissionCount;
        uint256 lastContextEpoch;
        bool hasContext;
        mapping(uint256 epoch => MineContext) contexts;
        bytes32[ROOT_RING] roots;
        mapping(address account => uint256) refunds;
        uint256[] contextEpochs;
    }

    // keccak256(abi.encode(uint256(keccak256("zg.storage.Flow")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0x55a3fa3cbc85fe43c62d2faccd038ebe280d65b8f598ec121d040e2ed0500200;

    /// @notice Sets the roles, the market and the epoch length; epoch 0 starts at this block.
    /// @param admin Holder of DEFAULT_ADMIN_ROLE and UPGRADER_ROLE.
    /// @param pauser Holder of PAUSER_ROLE (none when zero).
    /// @param market_ The market that prices and collects fees.
    /// @param blocksPerEpoch_ Blocks per mining epoch.
    function initialize(address admin, address pauser, address market_, uint256 blocksPerEpoch_) external initializer {
        if (market_ == address(0) || blocksPerEpoch_ == 0 || blocksPerEpoch_ > MAX_BLOCKS_PER_EPOCH) {
            revert FlowInvalidParams();
        }
        __Protocol_init(admin, pauser);
        FlowLayout storage $ = _s();
        $.market = IMarket(market_);
        $.blocksPerEpoch = blocksPerEpoch_;
        $.firstBlock = block.number;
    }

    // ------------------------------------------------------------------ submissions

    /// @inheritdoc IFlow
    function submit(
        Submission calldata submission
    )
        external
        payable
        nonReentrant
        whenNotPaused
        returns (uint256 index, bytes32 dataRoot, uint256 startPos, uint256 sectors)
    {
        sectors = SubmissionLib.validate(submission);
        uint256 price = _s().market.pricePerSector();
        uint256 charged = price * sectors;
        if (msg.value < charged) revert FlowInsufficientFee(charged, msg.value);
        _makeContext();
        (index, dataRoot, startPos) = _append(submission, sectors, charged);
        _s().market.charge{value: charged}(startPos, sectors);
        _refund(msg.value - charged);
    }

    /// @inheritdoc IFlow
    function batchSubmit(
        Submission[] calldata submissions
    )
        external
        payable
        nonReentrant
        whenNotPaused
        returns (
            uint256[] memory indexes,
            bytes32[] memory dataRoots,
            uint256[] memory startPositions,
            uint256[] memory lengths
        )
    {
        uint256 n = submissions.length;
        if (n == 0) revert FlowEmptyBatch();
        lengths = new uint256[](n);
        uint256 price = _s().market.pricePerSector();
        uint256 total = 0;
        for (uint256 i = 0; i < n; ++i) {
            lengths[i] = SubmissionLib.validate(submissions[i]);
            total += price * lengths[i];
        }
        if (msg.value < total) revert FlowInsufficientFee(total, msg.value);
        _makeContext();
        indexes = new uint256[](n);
        dataRoots = new bytes32[](n);
        startPositions = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) {
            (indexes[i], dataRoots[i], startPositions[i]) = _append(submissions[i], lengths[i], price * lengths[i]);
        }
        // Fees move only after every submission is in the flow (checks, effects, then interactions).
        for (uint256 i = 0; i < n; ++i) {
            _s().market.charge{value: price * lengths[i]}(startPositions[i], lengths[i]);
        }
        _refund(msg.value - total);
    }

    /// @inheritdoc IFlow
    function makeContext() external whenNotPaused {
        _makeContext();
    }

    /// @inheritdoc IFlow
    function withdrawRefund() external nonReentrant {
        FlowLayout storage $ = _s();
        uint256 amount = $.refunds[msg.sender];
        if (amount == 0) revert FlowNoRefund();
        $.refunds[msg.sender] = 0;
        emit RefundWithdrawn(msg.sender, amount);
        (bool ok, ) = msg.sender.call{value: amount}("");
        if (!ok) revert FlowTransferFailed();
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IFlow
    function market() external view returns (address) {
        return address(_s().market);
    }

    /// @inheritdoc IFlow
    function epoch() public view returns (uint256) {
        FlowLayout storage $ = _s();
        return (block.number - $.firstBlock) / $.blocksPerEpoch;
    }

    /// @inheritdoc IFlow
    function blocksPerEpoch() external view returns (uint256) {
        return _s().blocksPerEpoch;
    }

    /// @inheritdoc IFlow
    function lastContextEpoch() external view returns (uint256) {
        FlowLayout storage $ = _s();
        if (!$.hasContext) revert FlowUnknownContext(0);
        return $.lastContextEpoch;
    }

    /// @inheritdoc IFlow
    function getContext(uint256 epochNumber) external view returns (MineContext memory ctx) {
        ctx = _s().contexts[epochNumber];
        if (ctx.digest == bytes32(0)) revert FlowUnknownContext(epochNumber);
    }

    /// @inheritdoc IFlow
    function contextCovering(uint256 sector) external view returns (MineContext memory) {
        FlowLayout storage $ = _s();
        uint256[] storage epochs = $.contextEpochs;
        // Binary search for the first context whose flow is longer than `sector` (lengths only grow).
        uint256 lo = 0;
        uint256 hi = epochs.length;
        while (lo < hi) {
            uint256 mid = (lo + hi) / 2;
            if ($.contexts[epochs[mid]].flowLength > sector) hi = mid;
            else lo = mid + 1;
        }
        if (lo == epochs.length) revert FlowUnknownContext(type(uint256).max);
        return $.contexts[epochs[lo]];
    }

    /// @inheritdoc IFlow
    function root() external view returns (bytes32) {
        return _s().tree.root();
    }

    /// @inheritdoc IFlow
    function flowLength() external view returns (uint256) {
        return _s().tree.length;
    }

    /// @inheritdoc IFlow
    function submissionCount() external view returns (uint256) {
        return _s().submissionCount;
    }

    /// @inheritdoc IFlow
    function rootAfter(uint256 index) external view returns (bytes32) {
        FlowLayout storage $ = _s();
        if (index >= $.submissionCount || index + ROOT_RING < $.submissionCount) return bytes32(0);
        return $.roots[index % ROOT_RING];
    }

    /// @inheritdoc IFlow
    function fee(uint256 sectors) external view returns (uint256) {
        return _s().market.pricePerSector() * sectors;
    }

    /// @inheritdoc IFlow
    function refundOf(address account) external view returns (uint256) {
        return _s().refunds[account];
    }

    /// @inheritdoc IFlow
    function verifyFlowProof(
        bytes32 flowRoot_,
        bytes32 leaf,
        uint256 index,
        bytes32[] calldata proof
    ) external pure returns (bool) {
        if (proof.length < 256 && index >> proof.length != 0) return false;
        return FlowTree.proofRoot(leaf, index, proof) == flowRoot_;
    }

    /// @inheritdoc ProtocolUpgradeable
    function contractName() public pure override returns (string memory) {
        return "Flow";
    }

    /// @inheritdoc ProtocolUpgradeable
    function version() external pure override returns (string memory) {
        return "1.0.0";
    }

    // ------------------------------------------------------------------ internals

    /// @notice Appends a checked submission to the tree and records it.
    /// @param submission The submission.
    /// @param sectors Its padded sectors.
    /// @param charged The fee it pays.
    /// @return index Its sequence number.
    /// @return dataRoot Its file root.
    /// @return startPos Its first sector.
    function _append(
        Submission calldata submission,
        uint256 sectors,
        uint256 charged
    ) private returns (uint256 index, bytes32 dataRoot, uint256 startPos) {
        FlowLayout storage $ = _s();
        FlowTree.Tree storage tree = $.tree;
        startPos = FlowTree.submissionStart(tree.length, submission.nodes[0].height, sectors);
        tree.padTo(startPos);
        uint256 n = submission.nodes.length;
        for (uint256 i = 0; i < n; ++i) tree.insert(submission.nodes[i].root, submission.nodes[i].height);
        dataRoot = SubmissionLib.dataRoot(submission);
        index = $.submissionCount;
        $.submissionCount = index + 1;
        $.roots[index % ROOT_RING] = tree.root();
        emit Submit(msg.sender, dataRoot, index, startPos, sectors, charged, submission);
    }

    /// @notice Fixes the current epoch's context unless it is fixed already.
    /// @dev The block hash is that of the epoch's first block when it is still readable (it always is when the
    /// context is made within 256 blocks of the epoch's start), else that of the previous block: never zero.
    function _makeContext() private {
        FlowLayout storage $ = _s();
        uint256 current = epoch();
        if ($.hasContext && current <= $.lastContextEpoch) return;
        uint256 startBlock = $.firstBlock + current * $.blocksPerEpoch;
        bytes32 blockHash = startBlock < block.number ? blockhash(startBlock) : bytes32(0);
        if (blockHash == bytes32(0)) blockHash = blockhash(block.number - 1);
        bytes32 flowRoot_ = $.tree.root();
        uint256 length = $.tree.length;
        bytes32 digest = keccak256(abi.encode(blockHash, flowRoot_, length));
        $.contexts[current] = MineContext(current, startBlock, blockHash, flowRoot_, length, digest);
        $.lastContextEpoch = current;
        $.hasContext = true;
        $.contextEpochs.push(current);
        emit NewEpoch(msg.sender, current, flowRoot_, length, blockHash, digest);
    }

    /// @notice Sends back `amount`; keeps it for `withdrawRefund` when the push fails.
    /// @param amount The overpayment.
    function _refund(uint256 amount) private {
        if (amount == 0) return;
        (bool ok, ) = msg.sender.call{value: amount}("");
        if (!ok) {
            _s().refunds[msg.sender] += amount;
            emit RefundDeferred(msg.sender, amount);
        }
    }

    /// @dev The state namespace.
    function _s() private pure returns (FlowLayout storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }
}
