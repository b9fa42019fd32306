// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Bounds read as the rules state them (≤ target, ≥ length); strict rewrites would obscure them.
// solhint-disable gas-strict-inequalities

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ProtocolUpgradeable} from "../common/access/ProtocolUpgradeable.sol";
import {IChunkRewards} from "./interfaces/IChunkRewards.sol";

/// @title ChunkRewards
/// @notice The storage reward ledger: fees per 8 GiB pricing chunk, released linearly over `lifetime` seconds from
/// the moment the flow passes the chunk, credited to miners who prove the chunk, plus a base reward per claim
/// from a donated pool. Everything is paid by pull (`withdraw`).
/// @dev Roles: MARKET_ROLE fills rewards, MINE_ROLE credits mining rewards, the admin sets the base reward.
/// Invariant: balance = Σ (total − distributed) over chunks + basePool + Σ owed.
contract ChunkRewards is IChunkRewards, ProtocolUpgradeable, ReentrancyGuardTransient {
    using SafeCast for uint256;

    /// @notice Role of the Market contract.
    bytes32 public constant MARKET_ROLE = keccak256("MARKET_ROLE");
    /// @notice Role of the Mine contract.
    bytes32 public constant MINE_ROLE = keccak256("MINE_ROLE");
    /// @notice Sectors per pricing chunk (2^25 sectors = 8 GiB).
    uint256 public constant SECTORS_PER_CHUNK = 1 << 25;
    /// @notice Longest release lifetime accepted.
    uint256 internal constant MAX_LIFETIME = 100 * 365 days;

    /// @custom:storage-location erc7201:zg.storage.ChunkRewards
    struct RewardsLayout {
        uint256 lifetime;
        uint256 baseReward;
        uint256 basePool;
        uint256 totalFilled;
        uint256 startedChunks;
        mapping(uint256 index => Chunk) chunks;
        mapping(address account => uint256) owed;
    }

    // keccak256(abi.encode(uint256(keccak256("zg.storage.ChunkRewards")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0x708cbdfc1eaba33ce5b87491c36ae536a6efda108220742f7cb82ef23a423800;

    /// @notice Sets roles, the release lifetime and the base reward per claim.
    /// @param admin Holder of DEFAULT_ADMIN_ROLE and UPGRADER_ROLE.
    /// @param pauser Holder of PAUSER_ROLE (none when zero).
    /// @param lifetime_ Seconds over which a chunk's reward is released.
    /// @param baseReward_ Base reward per claim.
    function initialize(address admin, address pauser, uint256 lifetime_, uint256 baseReward_) external initializer {
        if (lifetime_ == 0 || lifetime_ > MAX_LIFETIME) revert ChunkRewardsInvalidParams();
        __Protocol_init(admin, pauser);
        RewardsLayout storage $ = _s();
        $.lifetime = lifetime_;
        $.baseReward = baseReward_;
    }

    /// @inheritdoc IChunkRewards
    function fillReward(uint256 startPos, uint256 sectors) external payable onlyRole(MARKET_ROLE) {
        if (sectors == 0) revert ChunkRewardsEmptyFill();
        RewardsLayout storage $ = _s();
        uint256 end = startPos + sectors;
        uint256 first = startPos / SECTORS_PER_CHUNK;
        uint256 last = (end - 1) / SECTORS_PER_CHUNK;
        uint256 left = msg.value;
        for (uint256 i = first; i <= last; ++i) {
            uint256 share;
            if (i == last) {
                share = left; // the last chunk takes the rounding remainder: nothing is lost
            } else {
                uint256 chunkEnd = (i + 1) * SECTORS_PER_CHUNK;
                uint256 from = i == first ? startPos : i * SECTORS_PER_CHUNK;
                share = (msg.value * (chunkEnd - from)) / sectors;
                left -= share;
            }
            Chunk storage c = $.chunks[i];
            c.total = (uint256(c.total) + share).toUint128();
        }
        $.totalFilled += msg.value;
        emit RewardFilled(startPos, sectors, msg.value);
        uint256 started = $.startedChunks;
        while ((started + 1) * SECTORS_PER_CHUNK <= end) {
            $.chunks[started].startTime = uint64(block.timestamp);
            emit ChunkStarted(started, block.timestamp);
            ++started;
        }
        $.startedChunks = started;
    }

    /// @inheritdoc IChunkRewards
    function claimMineReward(
        uint256 chunkIndex,
        address beneficiary
    ) external onlyRole(MINE_ROLE) returns (uint256 amount) {
        if (beneficiary == address(0)) revert ChunkRewardsInvalidParams();
        RewardsLayout storage $ = _s();
        Chunk storage c = $.chunks[chunkIndex];
        uint256 rel = _released(c, $.lifetime);
        uint256 chunkReward = rel - c.distributed;
        c.distributed = rel.toUint128();
        uint256 base = $.baseReward < $.basePool ? $.baseReward : $.basePool;
        $.basePool -= base;
        amount = chunkReward + base;
        $.owed[beneficiary] += amount;
        emit MineRewardCredited(chunkIndex, beneficiary, chunkReward, base);
    }

    /// @inheritdoc IChunkRewards
    function donate() external payable {
        _s().basePool += msg.value;
        emit BaseRewardDonated(msg.sender, msg.value);
    }

    /// @inheritdoc IChunkRewards
    function setBaseReward(uint256 baseReward_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _s().baseReward = baseReward_;
        emit BaseRewardChanged(baseReward_);
    }

    /// @inheritdoc IChunkRewards
    function withdraw() external nonReentrant {
        RewardsLayout storage $ = _s();
        uint256 amount = $.owed[msg.sender];
        if (amount == 0) revert ChunkRewardsNothingOwed();
        $.owed[msg.sender] = 0;
        emit RewardWithdrawn(msg.sender, amount);
        (bool ok, ) = msg.sender.call{value: amount}("");
        if (!ok) revert ChunkRewardsTransferFailed();
    }

    /// @inheritdoc IChunkRewards
    function chunk(uint256 index) external view returns (Chunk memory) {
        return _s().chunks[index];
    }

    /// @inheritdoc IChunkRewards
    function released(uint256 index) external view returns (uint256) {
        RewardsLayout storage $ = _s();
        return _released($.chunks[index], $.lifetime);
    }

    /// @inheritdoc IChunkRewards
    function lifetime() external view returns (uint256) {
        return _s().lifetime;
    }

    /// @inheritdoc IChunkRewards
    function basePool() external view returns (uint256) {
        return _s().basePool;
    }

    /// @inheritdoc IChunkRewards
    function baseReward() external view returns (uint256) {
        return _s().baseReward;
    }

    /// @inheritdoc IChunkRewards
    function owed(address account) external view returns (uint256) {
        return _s().owed[account];
    }

    /// @inheritdoc IChunkRewards
    function totalFilled() external view returns (uint256) {
        return _s().totalFilled;
    }

    /// @inheritdoc IChunkRewards
    function startedChunks() external view returns (uint256) {
        return _s().startedChunks;
    }

    /// @inheritdoc ProtocolUpgradeable
    function contractName() public pure override returns (string memory) {
        return "ChunkRewards";
    }

    /// @inheritdoc ProtocolUpgradeable
    function version() external pure override returns (string memory) {
        return "1.0.0";
    }

    /// @notice What a chunk has released by now: total × elapsed / lifetime, capped at total; zero before it starts.
    /// @param c The chunk.
    /// @param life The lifetime.
    /// @return The released amount.
    function _released(Chunk storage c, uint256 life) private view returns (uint256) {
        if (c.startTime == 0) return 0;
        uint256 elapsed = block.timestamp - c.startTime;
        if (elapsed >= life) return c.total;
        return (uint256(c.total) * elapsed) / life;
    }

    /// @dev The state namespace.
    function _s() private pure returns (RewardsLayout storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }
}
