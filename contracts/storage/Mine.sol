// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Bounds read as the rules state them (≤ target, ≥ length); strict rewrites would obscure them.
// solhint-disable gas-strict-inequalities

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ProtocolUpgradeable} from "../common/access/ProtocolUpgradeable.sol";
import {IMine} from "./interfaces/IMine.sol";
import {IFlow, IFlowTypes} from "./interfaces/IFlow.sol";
import {IChunkRewards} from "./interfaces/IChunkRewards.sol";
import {FlowTree} from "./libraries/FlowTree.sol";
import {PoraLib} from "./libraries/PoraLib.sol";
import {Difficulty} from "./libraries/Difficulty.sol";

/// @title Mine
/// @notice 0G's PoRA mine. A miner picks a range of the flow, a nonce gives a scratchpad and a recalled 256 KiB
/// load in the range; one 4 KiB seal of it, sealed with the miner's mask chain and mixed with the scratchpad,
/// must hash (blake2b-512) to a quality ≤ target × mineLength / flowLength. The contract recomputes all of it,
/// unseals the data and checks it under the epoch context's flow root, then pays the pricing chunk's reward.
/// @dev One answer per miner per epoch, only during that epoch. At each epoch's first answer the target moves
/// toward `targetAnswers` answers per epoch, at most ×2 or ÷2.
contract Mine is IMine, ProtocolUpgradeable, ReentrancyGuardTransient {
    /// @notice Sectors per pricing chunk.
    uint256 internal constant SECTORS_PER_CHUNK = 1 << 25;

    /// @custom:storage-location erc7201:zg.storage.Mine
    struct MineLayout {
        IFlow flow;
        IChunkRewards rewards;
        uint256 target;
        uint256 targetAnswers;
        uint256 lastAdjustEpoch;
        mapping(bytes32 minerId => address) owners;
        mapping(bytes32 minerId => address) beneficiaries;
        mapping(uint256 epoch => uint256) answers;
        mapping(uint256 epoch => mapping(bytes32 minerId => bool)) answered;
    }

    // keccak256(abi.encode(uint256(keccak256("zg.storage.Mine")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0x1c1366e3c5098126647af6be122569c7c84fd3be820ff2fec2706c114230f700;

    /// @notice Sets roles, the flow, the rewards and the initial target.
    /// @param admin Holder of DEFAULT_ADMIN_ROLE and UPGRADER_ROLE.
    /// @param pauser Holder of PAUSER_ROLE (none when zero).
    /// @param flow_ The Flow.
    /// @param rewards_ The chunk rewards (this contract needs its MINE_ROLE).
    /// @param target_ The initial target.
    /// @param targetAnswers_ Answers per epoch the target aims at.
    function initialize(
        address admin,
        address pauser,
        address flow_,
        address rewards_,
        uint256 target_,
        uint256 targetAnswers_
    ) external initializer {
        if (flow_ == address(0) || rewards_ == address(0) || target_ == 0 || targetAnswers_ == 0) {
            revert MineInvalidParams();
        }
        __Protocol_init(admin, pauser);
        MineLayout storage $ = _s();
        $.flow = IFlow(flow_);
        $.rewards = IChunkRewards(rewards_);
        $.target = target_;
        $.targetAnswers = targetAnswers_;
    }

    /// @inheritdoc IMine
    function registerMiner(bytes32 seed, address beneficiary) external returns (bytes32 minerId) {
        if (beneficiary == address(0)) revert MineInvalidParams();
        MineLayout storage $ = _s();
        minerId = keccak256(abi.encode(msg.sender, seed));
        if ($.owners[minerId] != address(0)) revert MineMinerExists(minerId);
        $.owners[minerId] = msg.sender;
        $.beneficiaries[minerId] = beneficiary;
        emit MinerRegistered(minerId, msg.sender, beneficiary);
    }

    /// @inheritdoc IMine
    function submit(PoraAnswer calldata a) external nonReentrant whenNotPaused {
        MineLayout storage $ = _s();
        if ($.owners[a.minerId] != msg.sender) revert MineUnknownMiner(a.minerId);
        uint256 current = $.flow.epoch();
        if (a.epoch != current) revert MineAnswerExpired(a.epoch, current);
        if ($.answered[current][a.minerId]) revert MineDuplicateAnswer(a.minerId, current);
        IFlowTypes.MineContext memory ctx = $.flow.getContext(current);
        uint256 span = FlowTree.nextAlign(ctx.flowLength, 10);
        if (
            a.mineLength == 0 ||
            a.startPosition % PoraLib.SECTORS_PER_LOAD != 0 ||
            a.mineLength % PoraLib.SECTORS_PER_LOAD != 0 ||
            a.startPosition + a.mineLength > span ||
            a.sealOffset >= PoraLib.SEALS_PER_LOAD
        ) revert MineInvalidRange();
        _adjust(current);

        PoraLib.Work memory w = PoraLib.Work(a.minerId, a.nonce, ctx.digest, a.startPosition, a.mineLength);
        uint256 q = _quality(w, a);
        uint256 limit = Math.mulDiv($.target, a.mineLength, span);
        if (q > limit) revert MineQualityTooLow(q, limit);
        if (a.recallPosition + PoraLib.SECTORS_PER_SEAL > ctx.flowLength) revert MineInvalidRange();
        _checkData(a, ctx);

        $.answered[current][a.minerId] = true;
        ++$.answers[current];
        uint256 reward = $.rewards.claimMineReward(a.recallPosition / SECTORS_PER_CHUNK, $.beneficiaries[a.minerId]);
        emit AnswerAccepted(current, a.minerId, a.recallPosition, q, reward);
    }

    /// @inheritdoc IMine
    function setTargetAnswers(uint256 answers) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (answers == 0) revert MineInvalidParams();
        _s().targetAnswers = answers;
    }

    /// @inheritdoc IMine
    function poraTarget() external view returns (uint256) {
        return _s().target;
    }

    /// @inheritdoc IMine
    function beneficiaryOf(bytes32 minerId) external view returns (address) {
        return _s().beneficiaries[minerId];
    }

    /// @inheritdoc IMine
    function answersIn(uint256 epoch) external view returns (uint256) {
        return _s().answers[epoch];
    }

    /// @inheritdoc ProtocolUpgradeable
    function contractName() public pure override returns (string memory) {
        return "Mine";
    }

    /// @inheritdoc ProtocolUpgradeable
    function version() external pure override returns (string memory) {
        return "1.0.0";
    }

    /// @notice Recomputes the scratchpad, checks the recall position and returns the quality.
    /// @param w The work.
    /// @param a The answer.
    /// @return The quality.
    function _quality(PoraLib.Work memory w, PoraAnswer calldata a) private view returns (uint256) {
        (bytes32[128] memory mixed, bytes32 seed) = PoraLib.scratchpad(w, a.sealOffset);
        uint256 expected =
            a.startPosition +
                (uint256(seed) % (a.mineLength / PoraLib.SECTORS_PER_LOAD)) * PoraLib.SECTORS_PER_LOAD +
                a.sealOffset * PoraLib.SECTORS_PER_SEAL;
        if (expected != a.recallPosition) revert MineRecallMismatch(expected);
        for (uint256 i = 0; i < PoraLib.WORDS_PER_SEAL; ++i) mixed[i] ^= a.sealedData[i];
        return PoraLib.quality(w, a.sealOffset, mixed);
    }

    /// @notice Unseals the answer's data with its seal context and checks it under the context's flow root.
    /// @param a The answer.
    /// @param ctx The mining context.
    function _checkData(PoraAnswer calldata a, IFlowTypes.MineContext memory ctx) private view {
        bytes32 sealDigest = _s().flow.contextCovering(a.recallPosition).digest;
        bytes32 leaf = PoraLib.sealRoot(PoraLib.unseal(a.sealedData, a.minerId, sealDigest, a.recallPosition));
        uint256 index = a.recallPosition / PoraLib.SECTORS_PER_SEAL;
        uint256 depth = FlowTree.heightOf(ctx.flowLength) - 4;
        if (a.merkleProof.length != depth || FlowTree.proofRoot(leaf, index, a.merkleProof) != ctx.flowRoot)
            revert MineInvalidProof();
    }

    /// @notice At an epoch's first answer, moves the target toward `targetAnswers` per epoch (×2 / ÷2 at most).
    /// @param current The current epoch.
    function _adjust(uint256 current) private {
        MineLayout storage $ = _s();
        if (current <= $.lastAdjustEpoch) return;
        uint256 previous = $.answers[current - 1];
        uint256 old = $.target;
        uint256 next = Difficulty.adjust(old, $.targetAnswers, previous);
        $.target = next;
        $.lastAdjustEpoch = current;
        emit TargetAdjusted(current, old, next);
    }

    /// @dev The state namespace.
    function _s() private pure returns (MineLayout storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }
}
