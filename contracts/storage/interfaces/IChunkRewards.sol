// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Amounts in events stay unindexed: they are read, not filtered on.
// solhint-disable gas-indexed-events

/// @title IChunkRewards
/// @notice Storage fees per 8 GiB pricing chunk (2^25 sectors), each released linearly over the storage lifetime
/// once the flow has passed the chunk, paid to miners who prove the chunk; plus a base reward pool. Pull payments.
interface IChunkRewards {
    /// @notice A pricing chunk's ledger.
    struct Chunk {
        uint128 total;
        uint128 distributed;
        uint64 startTime;
    }

    /// @notice Thrown when a parameter is out of bounds or an address is zero.
    error ChunkRewardsInvalidParams();
    /// @notice Thrown when a fill names no sectors.
    error ChunkRewardsEmptyFill();
    /// @notice Thrown when an account withdraws with nothing owed.
    error ChunkRewardsNothingOwed();
    /// @notice Thrown when sending value fails.
    error ChunkRewardsTransferFailed();

    /// @notice Emitted when fees were added to chunks.
    /// @param startPos First sector paid for.
    /// @param sectors Sectors paid for.
    /// @param amount The value added.
    event RewardFilled(uint256 startPos, uint256 sectors, uint256 amount);
    /// @notice Emitted when the flow passed a chunk and its release began.
    /// @param chunk The chunk index.
    /// @param startTime When release began.
    event ChunkStarted(uint256 indexed chunk, uint256 startTime);
    /// @notice Emitted when a mining reward was credited.
    /// @param chunk The chunk proven.
    /// @param beneficiary Who is credited.
    /// @param chunkReward The released chunk reward.
    /// @param baseReward The part from the base pool.
    event MineRewardCredited(
        uint256 indexed chunk,
        address indexed beneficiary,
        uint256 chunkReward,
        uint256 baseReward
    );
    /// @notice Emitted when value was added to the base reward pool.
    /// @param from The donor.
    /// @param amount The amount.
    event BaseRewardDonated(address indexed from, uint256 amount);
    /// @notice Emitted when the base reward per claim changed.
    /// @param baseReward The new amount.
    event BaseRewardChanged(uint256 baseReward);
    /// @notice Emitted when an account withdrew its rewards.
    /// @param account The account.
    /// @param amount The amount.
    event RewardWithdrawn(address indexed account, uint256 amount);

    /// @notice Adds the value sent to the chunks of sectors [startPos, startPos + sectors) in proportion to the
    /// sectors in each, and starts the release of every chunk the flow has now passed (MARKET_ROLE).
    /// @param startPos First sector.
    /// @param sectors Sectors (≥ 1).
    function fillReward(uint256 startPos, uint256 sectors) external payable;

    /// @notice Credits `beneficiary` with what chunk `chunk` has released since the last claim, plus the base
    /// reward while the pool lasts (MINE_ROLE).
    /// @param chunk The chunk a miner proved.
    /// @param beneficiary Who is paid.
    /// @return amount The total credited.
    function claimMineReward(uint256 chunk, address beneficiary) external returns (uint256 amount);

    /// @notice Adds the value sent to the base reward pool.
    function donate() external payable;

    /// @notice Sets the base reward per claim (admin).
    /// @param baseReward_ The amount.
    function setBaseReward(uint256 baseReward_) external;

    /// @notice Pays the caller everything credited to it.
    function withdraw() external;

    /// @notice A chunk's ledger.
    /// @param index The chunk.
    /// @return The ledger.
    function chunk(uint256 index) external view returns (Chunk memory);

    /// @notice What chunk `index` has released so far (distributed or not).
    /// @param index The chunk.
    /// @return The amount.
    function released(uint256 index) external view returns (uint256);

    /// @notice Seconds over which a chunk's reward is released.
    /// @return The lifetime.
    function lifetime() external view returns (uint256);

    /// @notice The base reward pool.
    /// @return The balance.
    function basePool() external view returns (uint256);

    /// @notice The base reward per claim.
    /// @return The amount.
    function baseReward() external view returns (uint256);

    /// @notice What `account` may withdraw.
    /// @param account The account.
    /// @return The amount.
    function owed(address account) external view returns (uint256);

    /// @notice Every fee ever filled into chunks.
    /// @return The total.
    function totalFilled() external view returns (uint256);

    /// @notice Chunks whose release has begun (chunks [0, n)).
    /// @return n The count.
    function startedChunks() external view returns (uint256 n);
}
