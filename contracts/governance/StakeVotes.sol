// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {VotesUpgradeable} from "@openzeppelin/contracts-upgradeable/governance/utils/VotesUpgradeable.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {IProtocolUpgradeable} from "../common/access/interfaces/IProtocolUpgradeable.sol";
import {ProtocolUpgradeable} from "../common/access/ProtocolUpgradeable.sol";
import {IStaking} from "../staking/interfaces/IStaking.sol";
import {IStakeObserver} from "../staking/interfaces/IStakeObserver.sol";
import {IStakeVotes} from "./interfaces/IStakeVotes.sol";

/// @title StakeVotes
/// @notice The voting token of zg governance: an account's voting units are the value of its bonded shares on
/// `Staking`, checkpointed per block (OpenZeppelin `Votes`, block-number clock) and delegable, so `ZgGovernor`
/// counts each voter's stake as of a proposal's snapshot block.
/// @dev What counts: bonded shares, locked redelegated shares included (they are bonded and slashable). Shares
/// already undelegated (withdrawal entries in the unbonding pool) do not count: their owner is leaving and they
/// earn nothing. Units are cached per (account, validator) pair: `Staking` reports every change of a pair's shares
/// through `onStakeChanged`, which refreshes that pair only (constant gas, whatever the account holds). Value
/// changes that touch no account — rewards raise a pool's share price, slashes lower it — leave caches stale until
/// someone calls the permissionless `sync`. Invariant: the total supply of units is the sum of every account's
/// units, and each account's units are the sum of its cached pair values.
/// Pausing: nothing here pauses (a pause must not stop `Staking`), so no pauser is ever granted.
contract StakeVotes is IStakeVotes, ProtocolUpgradeable, VotesUpgradeable {
    using EnumerableSet for EnumerableSet.AddressSet;

    /// @custom:storage-location erc7201:zg.storage.StakeVotes
    struct StakeVotesLayout {
        IStaking staking;
        mapping(address account => uint256) units;
        mapping(address account => mapping(address validator => uint256)) pairValue;
        mapping(address account => EnumerableSet.AddressSet) validators;
        mapping(address account => bool) delegateChosen;
    }

    // keccak256(abi.encode(uint256(keccak256("zg.storage.StakeVotes")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0xfa227b4f644d2489bf65376820b25e5532469d66f11e802071a2d1896e635a00;

    /// @inheritdoc IStakeVotes
    function initialize(address admin, address staking_) external initializer {
        if (admin == address(0) || staking_ == address(0)) revert StakeVotesZeroAddress();
        __EIP712_init("StakeVotes", "1");
        __Votes_init();
        __Protocol_init(admin, address(0));
        _s().staking = IStaking(staking_);
    }

    /// @inheritdoc IStakeObserver
    function onStakeChanged(address delegator, address validator) external {
        if (msg.sender != address(_s().staking)) revert StakeVotesNotStaking(msg.sender);
        _syncPair(delegator, validator);
    }

    /// @inheritdoc IStakeVotes
    function syncValidator(address account, address validator) external returns (uint256 units) {
        return _syncPair(account, validator);
    }

    /// @inheritdoc IStakeVotes
    function sync(address account) public returns (uint256 units) {
        StakeVotesLayout storage $ = _s();
        EnumerableSet.AddressSet storage held = $.validators[account];
        // Walk backwards: _refresh removes a validator by swapping the last one into its place.
        for (uint256 i = held.length(); i > 0; --i) {
            units += _refresh($, account, held.at(i - 1));
        }
        _setUnits($, account, $.units[account], units);
    }

    /// @inheritdoc IStakeVotes
    function syncMany(address[] calldata accounts) external {
        for (uint256 i = 0; i < accounts.length; ++i) sync(accounts[i]);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IStakeVotes
    function staking() external view returns (address) {
        return address(_s().staking);
    }

    /// @inheritdoc IStakeVotes
    function votingUnits(address account) external view returns (uint256) {
        return _s().units[account];
    }

    /// @inheritdoc IStakeVotes
    function totalVotingUnits() external view returns (uint256) {
        return _getTotalSupply();
    }

    /// @inheritdoc IStakeVotes
    function stakeValue(address account) external view returns (uint256 units) {
        StakeVotesLayout storage $ = _s();
        EnumerableSet.AddressSet storage held = $.validators[account];
        for (uint256 i = 0; i < held.length(); ++i) {
            address validator = held.at(i);
            units += $.staking.sharesToStake(validator, $.staking.sharesOf(account, validator));
        }
    }

    /// @inheritdoc IStakeVotes
    function cachedValue(address account, address validator) external view returns (uint256) {
        return _s().pairValue[account][validator];
    }

    /// @inheritdoc IStakeVotes
    function validatorsOf(address account) external view returns (address[] memory) {
        return _s().validators[account].values();
    }

    /// @inheritdoc IProtocolUpgradeable
    function contractName() public pure override returns (string memory) {
        return "StakeVotes";
    }

    /// @inheritdoc IProtocolUpgradeable
    function version() external pure virtual override returns (string memory) {
        return "1.0.0";
    }

    // ------------------------------------------------------------------ internals

    /// @dev The units `Votes` moves when an account changes its delegate: its current cached units.
    function _getVotingUnits(address account) internal view override returns (uint256) {
        return _s().units[account];
    }

    /// @dev Every delegation, explicit or automatic, marks the account as having chosen: an account that delegates
    /// (even to zero, to hold no votes) before or after its first stake is never delegated to itself.
    function _delegate(address account, address delegatee) internal override {
        _s().delegateChosen[account] = true;
        super._delegate(account, delegatee);
    }

    /// @dev Refreshes one (account, validator) pair and moves the account's units by its change.
    function _syncPair(address account, address validator) private returns (uint256 units) {
        StakeVotesLayout storage $ = _s();
        uint256 previous = $.units[account];
        // Units are the sum of the pair values, so the old pair value is part of `previous`.
        uint256 others = previous - $.pairValue[account][validator];
        units = others + _refresh($, account, validator);
        _setUnits($, account, previous, units);
    }

    /// @dev Reads the pair's shares and their value from `Staking`, caches the value and keeps the account's
    /// validator set to the validators it holds shares in. Returns the value.
    function _refresh(StakeVotesLayout storage $, address account, address validator) private returns (uint256 value) {
        uint256 shares = $.staking.sharesOf(account, validator);
        if (shares == 0) {
            $.validators[account].remove(validator);
        } else {
            $.validators[account].add(validator);
            value = $.staking.sharesToStake(validator, shares);
        }
        $.pairValue[account][validator] = value;
    }

    /// @dev Stores the account's new units and moves the difference between it (and its delegate) and the total
    /// supply. An account credited for the first time that never chose a delegate votes for itself from then on.
    function _setUnits(StakeVotesLayout storage $, address account, uint256 previous, uint256 units) private {
        if (units == previous) return;
        if (!$.delegateChosen[account]) _delegate(account, account);
        $.units[account] = units;
        if (units > previous) {
            _transferVotingUnits(address(0), account, units - previous);
        } else {
            _transferVotingUnits(account, address(0), previous - units);
        }
        emit VotingUnitsChanged(account, previous, units);
    }

    /// @dev The state namespace.
    function _s() private pure returns (StakeVotesLayout storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }
}
