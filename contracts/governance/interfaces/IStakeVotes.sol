// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC5805} from "@openzeppelin/contracts/interfaces/IERC5805.sol";
import {IStakeObserver} from "../../staking/interfaces/IStakeObserver.sol";

// Unit amounts are log data, not search keys: indexing them would hide their values from decoders.
// solhint-disable gas-indexed-events
/// @title IStakeVotes
/// @notice Voting power from bonded stake: an account's voting units are the current value of the shares it
/// holds in validators' bonded pools on `Staking`, checkpointed per block and delegable (ERC-5805 / IVotes).
/// `Staking` reports every change of an account's shares; `sync` catches up with value changes no one reports
/// (rewards raise share prices, slashes lower them).
interface IStakeVotes is IERC5805, IStakeObserver {
    /// @notice Thrown when `initialize` gets the zero address for the admin or `Staking`.
    error StakeVotesZeroAddress();

    /// @notice Thrown when an account other than `Staking` calls `onStakeChanged`.
    /// @param caller The caller.
    error StakeVotesNotStaking(address caller);

    /// @notice Emitted when an account's voting units change (a staking change, or a sync).
    /// @param account The account whose units changed (its delegate's votes moved with them).
    /// @param previousUnits The units before.
    /// @param units The units now.
    event VotingUnitsChanged(address indexed account, uint256 previousUnits, uint256 units);

    /// @notice Sets the roles and the staking contract once, behind the proxy.
    /// @param admin Gets DEFAULT_ADMIN_ROLE and UPGRADER_ROLE (governance's timelock, or the deployer on a devnet).
    /// @param staking The `Staking` proxy whose bonded shares count; only it may call `onStakeChanged`.
    function initialize(address admin, address staking) external;

    /// @notice Recomputes `account`'s voting units from `Staking`: the value of its shares in every validator it
    /// holds shares in. Anyone may call it, for any account.
    /// @dev Effects: refreshes each cached per-validator value, drops validators it no longer holds shares in,
    /// moves the difference of units to or from its delegate's votes and the total supply, and emits
    /// `VotingUnitsChanged` when the units changed. The first credit of an account with no delegate
    /// delegates it to itself. Gas grows with the number of validators the account holds shares in.
    /// @param account The account.
    /// @return units The account's voting units now.
    function sync(address account) external returns (uint256 units);

    /// @notice Recomputes `account`'s value in one validator and starts tracking it there: for shares bonded
    /// before `Staking` reported to this contract (an observer set on a live deployment). Anyone may call it.
    /// @param account The account.
    /// @param validator The validator.
    /// @return units The account's voting units now.
    function syncValidator(address account, address validator) external returns (uint256 units);

    /// @notice `sync` for several accounts, for keepers after a slash or a reward.
    /// @param accounts The accounts.
    function syncMany(address[] calldata accounts) external;

    /// @notice The staking contract whose bonded shares count.
    /// @return The `Staking` proxy.
    function staking() external view returns (address);

    /// @notice The voting units `account` holds now (as of its last report or sync), whoever they are delegated to.
    /// @param account The account.
    /// @return The units.
    function votingUnits(address account) external view returns (uint256);

    /// @notice The sum of every account's voting units now: the total supply the quorum is a fraction of.
    /// @return The total.
    function totalVotingUnits() external view returns (uint256);

    /// @notice What `sync(account)` would set its units to: the current value of all its bonded shares. A value
    /// different from `votingUnits` means the account is out of date and a `sync` would change its votes.
    /// @param account The account.
    /// @return units The current value of its bonded shares.
    function stakeValue(address account) external view returns (uint256 units);

    /// @notice The value of `account`'s shares in `validator` as of its last report or sync (part of its units).
    /// @param account The account.
    /// @param validator The validator.
    /// @return The cached value.
    function cachedValue(address account, address validator) external view returns (uint256);

    /// @notice The validators `account` holds (or, until a sync, held) shares in, as tracked here.
    /// @param account The account.
    /// @return The validators.
    function validatorsOf(address account) external view returns (address[] memory);
}
