// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Bounds read as the rules state them (quality ≤ target, answers ≥ cap); strict rewrites would obscure them.
// solhint-disable gas-strict-inequalities

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ProtocolUpgradeable} from "../common/access/ProtocolUpgradeable.sol";
import {Difficulty} from "../storage/libraries/Difficulty.sol";
import {IDAEntrance} from "./interfaces/IDAEntrance.sol";
import {IDASampler} from "./interfaces/IDASampler.sol";
import {IDASignerRegistry} from "./interfaces/IDASignerRegistry.sol";
import {SampleLib} from "./libraries/SampleLib.sol";

/// @title DASampler
/// @notice Sampling rewards of the data-availability layer. Round `r` spans blocks [r·P, (r+1)·P); its seed is the
/// hash of block r·P, fixed by the round's first caller. A signer answers with a subline of a verified blob of the
/// last `sampleEpochs` finished epochs, on a line assigned to it, whose quality (a hash of seed, blob, position and
/// data) is ≤ the round's target; the contract checks the subline's merkle proof against the blob's data root and
/// credits a share of that epoch's fees (pulled from the entrance) plus a base reward to the signer.
/// @dev Only the current round's answers count, so the seed block is always among the last P ≤ 256. At each
/// round's start the target moves toward `targetAnswersPerRound` (×2 / ÷2 at most, as the storage mine's).
contract DASampler is IDASampler, ProtocolUpgradeable, ReentrancyGuardTransient {
    uint256 internal constant MIN_SAMPLE_PERIOD = 2;
    uint256 internal constant MAX_SAMPLE_PERIOD = 256;
    uint256 internal constant MAX_SAMPLE_EPOCHS = 1000;
    uint256 internal constant MAX_ANSWERS = 1e6;

    /// @custom:storage-location erc7201:zg.storage.DASampler
    struct SamplerLayout {
        IDAEntrance entrance;
        IDASignerRegistry registry;
        uint64 samplePeriod;
        uint256 target;
        uint256 lastRound;
        uint256 basePool;
        SamplerParams params;
        mapping(uint256 round => Round) rounds;
        mapping(uint256 epoch => EpochPool) pools;
        mapping(bytes32 answerKey => bool) rewarded;
        mapping(address signer => uint256) owed;
    }

    // keccak256(abi.encode(uint256(keccak256("zg.storage.DASampler")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0x5f86a4329499b39450b4ac2fcc4ff8b654090318ecfc925c0adaf04b777d7500;

    /// @inheritdoc IDASampler
    function initialize(
        address admin,
        address pauser,
        address entrance_,
        uint64 samplePeriod_,
        uint256 initialTarget,
        SamplerParams calldata params
    ) external initializer {
        __Protocol_init(admin, pauser);
        if (entrance_ == address(0)) revert DASamplerZeroAddress();
        if (samplePeriod_ < MIN_SAMPLE_PERIOD || samplePeriod_ > MAX_SAMPLE_PERIOD) {
            revert DASamplerInvalidParam("samplePeriod", samplePeriod_);
        }
        if (initialTarget == 0) revert DASamplerInvalidParam("initialTarget", 0);
        SamplerLayout storage $ = _s();
        $.entrance = IDAEntrance(entrance_);
        $.registry = IDASignerRegistry(IDAEntrance(entrance_).registry());
        $.samplePeriod = samplePeriod_;
        $.target = initialTarget;
        _setParams($, params);
    }

    /// @notice Takes an epoch's pool from the entrance (during `releaseEpochFees`) and nothing from anyone else.
    receive() external payable {
        if (msg.sender != address(_s().entrance)) revert DASamplerUnexpectedValue(msg.sender);
    }

    /// @inheritdoc IDASampler
    function startRound() external whenNotPaused returns (uint256 round, bytes32 seed) {
        SamplerLayout storage $ = _s();
        round = block.number / $.samplePeriod;
        Round storage rd = $.rounds[round];
        if (rd.seed != bytes32(0)) revert DASamplerRoundStarted(round);
        seed = _start($, round, rd);
    }

    /// @inheritdoc IDASampler
    function submitSamplingResponse(SampleAnswer calldata a) external whenNotPaused nonReentrant {
        SamplerLayout storage $ = _s();
        uint256 round = block.number / $.samplePeriod;
        Round storage rd = $.rounds[round];
        if (rd.seed == bytes32(0)) _start($, round, rd);
        SamplerParams memory p = $.params;
        if (rd.answers >= p.maxAnswersPerRound) revert DASamplerRoundFull(round, p.maxAnswersPerRound);
        _checkBlob($, p, a);
        bytes32 key = _answerKey(round, a.dataRoot, a.epoch, a.quorumId, a.lineIndex, a.sublineIndex);
        if ($.rewarded[key]) revert DASamplerDuplicateAnswer(key);
        _checkSample(rd, a);

        $.rewarded[key] = true;
        ++rd.answers;
        (uint256 poolReward, uint256 baseReward) = _reward($, p, a.epoch);
        $.owed[msg.sender] += poolReward + baseReward;
        _emitReward(round, a, poolReward, baseReward);
    }

    /// @inheritdoc IDASampler
    function claim() external nonReentrant returns (uint256 amount) {
        SamplerLayout storage $ = _s();
        amount = $.owed[msg.sender];
        if (amount == 0) revert DASamplerNothingToClaim(msg.sender);
        $.owed[msg.sender] = 0;
        emit RewardClaimed(msg.sender, amount);
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, ) = payable(msg.sender).call{value: amount}("");
        if (!ok) revert DASamplerTransferFailed(msg.sender);
    }

    /// @inheritdoc IDASampler
    function fundBasePool() external payable {
        _s().basePool += msg.value;
        emit BasePoolFunded(msg.sender, msg.value);
    }

    /// @inheritdoc IDASampler
    function recycleExpiredPool(uint256 epoch) external nonReentrant {
        SamplerLayout storage $ = _s();
        uint256 current = $.registry.currentEpoch();
        if (epoch + $.params.sampleEpochs >= current) revert DASamplerPoolNotExpired(epoch, current);
        EpochPool storage pool = _pool($, epoch);
        uint256 amount = pool.remaining;
        pool.remaining = 0;
        $.basePool += amount;
        emit PoolRecycled(epoch, amount);
    }

    /// @inheritdoc IDASampler
    function setParams(SamplerParams calldata params) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setParams(_s(), params);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IDASampler
    function currentRound() external view returns (uint256) {
        return block.number / _s().samplePeriod;
    }

    /// @inheritdoc IDASampler
    function getRound(uint256 round) external view returns (Round memory) {
        return _s().rounds[round];
    }

    /// @inheritdoc IDASampler
    function qualityTarget() external view returns (uint256) {
        return _s().target;
    }

    /// @inheritdoc IDASampler
    function samplePeriod() external view returns (uint64) {
        return _s().samplePeriod;
    }

    /// @inheritdoc IDASampler
    function getParams() external view returns (SamplerParams memory) {
        return _s().params;
    }

    /// @inheritdoc IDASampler
    function sampleRange() external view returns (uint256 first, uint256 last) {
        SamplerLayout storage $ = _s();
        uint256 current = $.registry.currentEpoch();
        uint256 span = $.params.sampleEpochs;
        first = current > span ? current - span : 0;
        // Epoch numbers are timestamp / epochLength: the current one is far above 0 on any real chain.
        last = current - 1;
    }

    /// @inheritdoc IDASampler
    function assignedSigner(uint256 epoch, uint256 quorumId, uint256 lineIndex) external view returns (address) {
        return _assigned(_s(), epoch, quorumId, lineIndex);
    }

    /// @inheritdoc IDASampler
    function epochPool(uint256 epoch) external view returns (EpochPool memory) {
        return _s().pools[epoch];
    }

    /// @inheritdoc IDASampler
    function basePool() external view returns (uint256) {
        return _s().basePool;
    }

    /// @inheritdoc IDASampler
    function owed(address signer) external view returns (uint256) {
        return _s().owed[signer];
    }

    /// @inheritdoc IDASampler
    function isRewarded(
        uint256 round,
        bytes32 dataRoot,
        uint256 epoch,
        uint256 quorumId,
        uint256 lineIndex,
        uint256 sublineIndex
    ) external view returns (bool) {
        return _s().rewarded[_answerKey(round, dataRoot, epoch, quorumId, lineIndex, sublineIndex)];
    }

    /// @inheritdoc IDASampler
    function entrance() external view returns (address) {
        return address(_s().entrance);
    }

    /// @inheritdoc ProtocolUpgradeable
    function contractName() public pure override returns (string memory) {
        return "DASampler";
    }

    /// @inheritdoc ProtocolUpgradeable
    function version() external pure override returns (string memory) {
        return "1.0.0";
    }

    // ------------------------------------------------------------------ internals

    /// @dev The blob's epoch is in the sample range, it is verified, its shape holds the position, and the line
    /// is the caller's.
    function _checkBlob(SamplerLayout storage $, SamplerParams memory p, SampleAnswer calldata a) internal view {
        uint256 current = $.registry.currentEpoch();
        if (a.epoch >= current || a.epoch + p.sampleEpochs < current) {
            revert DASamplerEpochOutOfRange(a.epoch, current);
        }
        if (!$.entrance.isVerified(a.dataRoot, a.epoch, a.quorumId)) {
            revert DASamplerNotVerified(a.dataRoot, a.epoch, a.quorumId);
        }
        SampleLib.checkPosition(a.dataRoot, a.rowsRoot, a.cols, a.dataRows, a.codedRows, a.lineIndex, a.sublineIndex);
        address assigned = _assigned($, a.epoch, a.quorumId, a.lineIndex);
        if (msg.sender != assigned) revert DASamplerNotAssigned(msg.sender, assigned);
    }

    /// @dev The answer's quality is within the round's target and its subline proof reaches the rows root.
    function _checkSample(Round storage rd, SampleAnswer calldata a) internal view {
        uint256 q = SampleLib.quality(rd.seed, a.epoch, a.quorumId, a.dataRoot, a.lineIndex, a.sublineIndex, a.data);
        uint256 roundTarget = rd.target;
        if (q > roundTarget) revert DASamplerQualityTooLow(q, roundTarget);
        SampleLib.checkProof(a.rowsRoot, a.cols, a.codedRows, a.lineIndex, a.sublineIndex, a.data, a.proof);
    }

    function _emitReward(uint256 round, SampleAnswer calldata a, uint256 poolReward, uint256 baseReward) internal {
        emit AnswerRewarded(
            msg.sender,
            round,
            a.dataRoot,
            a.epoch,
            a.quorumId,
            a.lineIndex,
            a.sublineIndex,
            poolReward,
            baseReward
        );
    }

    /// @dev Fixes the round's seed and adjusts the target from the last started round's answers.
    function _start(SamplerLayout storage $, uint256 round, Round storage rd) internal returns (bytes32 seed) {
        uint256 startBlock = round * $.samplePeriod;
        if (startBlock == 0 || block.number == startBlock) revert DASamplerSeedUnavailable(round);
        // startBlock < block.number ≤ startBlock + P − 1 with P ≤ 256: the hash is one of the last 256, never zero.
        seed = blockhash(startBlock);
        uint256 old = $.target;
        uint256 last = $.lastRound;
        uint256 next = last == 0 ? old : Difficulty.adjust(old, $.params.targetAnswersPerRound, $.rounds[last].answers);
        $.target = next;
        $.lastRound = round;
        rd.seed = seed;
        rd.target = next;
        emit RoundStarted(round, seed, old, next);
    }

    /// @dev The answer's rewards: the pool share (bounded by what is left) and the base reward (bounded by the base
    /// pool), both taken out of their pools.
    function _reward(
        SamplerLayout storage $,
        SamplerParams memory p,
        uint256 epoch
    ) internal returns (uint256 poolReward, uint256 baseReward) {
        EpochPool storage pool = _pool($, epoch);
        uint256 remaining = pool.remaining;
        poolReward = pool.total / (uint256(p.targetAnswersPerRound) * p.roundsPerEpoch);
        if (poolReward > remaining) poolReward = remaining;
        // poolReward ≤ remaining, which fits in uint120.
        pool.remaining = uint120(remaining - poolReward);
        uint256 base = $.basePool;
        baseReward = p.baseReward < base ? p.baseReward : base;
        $.basePool = base - baseReward;
    }

    /// @dev The epoch's pool, pulled from the entrance the first time it is needed.
    function _pool(SamplerLayout storage $, uint256 epoch) internal returns (EpochPool storage pool) {
        pool = $.pools[epoch];
        if (pool.pulled) return pool;
        pool.pulled = true;
        uint256 amount = $.entrance.releaseEpochFees(epoch);
        uint120 amount120 = SafeCast.toUint120(amount);
        pool.total = amount120;
        pool.remaining = amount120;
        emit EpochPoolFunded(epoch, amount);
    }

    function _assigned(
        SamplerLayout storage $,
        uint256 epoch,
        uint256 quorumId,
        uint256 lineIndex
    ) internal view returns (address) {
        (uint256 size, ) = $.registry.quorumAt(epoch, quorumId);
        // A verified blob's quorum had members in its epoch; an unknown one has size 0 and no assignee.
        if (size == 0) return address(0);
        return $.registry.quorumMember(quorumId, lineIndex % size);
    }

    function _setParams(SamplerLayout storage $, SamplerParams calldata p) internal {
        if (p.sampleEpochs == 0 || p.sampleEpochs > MAX_SAMPLE_EPOCHS) {
            revert DASamplerInvalidParam("sampleEpochs", p.sampleEpochs);
        }
        if (p.targetAnswersPerRound == 0 || p.targetAnswersPerRound > MAX_ANSWERS) {
            revert DASamplerInvalidParam("targetAnswersPerRound", p.targetAnswersPerRound);
        }
        if (p.maxAnswersPerRound < p.targetAnswersPerRound || p.maxAnswersPerRound > MAX_ANSWERS) {
            revert DASamplerInvalidParam("maxAnswersPerRound", p.maxAnswersPerRound);
        }
        if (p.roundsPerEpoch == 0) revert DASamplerInvalidParam("roundsPerEpoch", 0);
        $.params = p;
        emit ParamsUpdated(p);
    }

    function _answerKey(
        uint256 round,
        bytes32 dataRoot,
        uint256 epoch,
        uint256 quorumId,
        uint256 lineIndex,
        uint256 sublineIndex
    ) internal pure returns (bytes32) {
        return keccak256(abi.encode(round, dataRoot, epoch, quorumId, lineIndex, sublineIndex));
    }

    function _s() private pure returns (SamplerLayout storage $) {
        bytes32 slot = STORAGE_SLOT;
        // solhint-disable-next-line no-inline-assembly
        assembly {
            $.slot := slot
        }
    }
}
