// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ServingStakeMock
/// @notice Test-only stand-in for the serving contract's stake rule: it is its own Staking, with stakes set by
/// the test.
contract ServingStakeMock {
    /// @notice The minimum service stake.
    uint256 public minProviderStake;
    /// @notice Stakes set by the test.
    mapping(address provider => uint256) public stakes;

    /// @notice Sets the minimum.
    /// @param minStake Wei.
    constructor(uint256 minStake) {
        minProviderStake = minStake;
    }

    /// @notice Sets a provider's stake.
    /// @param provider The provider.
    /// @param stake Wei.
    function setStake(address provider, uint256 stake) external {
        stakes[provider] = stake;
    }

    /// @notice This contract plays Staking too.
    /// @return Its own address.
    function staking() external view returns (address) {
        return address(this);
    }

    /// @notice Staking's view: the stake set for `validator` when asked about this contract, else 0.
    /// @param validator The provider.
    /// @param service The service asked about.
    /// @return Wei.
    function serviceStake(address validator, address service) external view returns (uint256) {
        return service == address(this) ? stakes[validator] : 0;
    }
}
