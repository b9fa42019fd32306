// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IGovernor, Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {GovernorCountingSimple} from "@openzeppelin/contracts/governance/extensions/GovernorCountingSimple.sol";
import {GovernorSettings} from "@openzeppelin/contracts/governance/extensions/GovernorSettings.sol";
import {GovernorTimelockControl} from "@openzeppelin/contracts/governance/extensions/GovernorTimelockControl.sol";
import {GovernorVotes} from "@openzeppelin/contracts/governance/extensions/GovernorVotes.sol";
// solhint-disable-next-line max-line-length
import {GovernorVotesQuorumFraction} from "@openzeppelin/contracts/governance/extensions/GovernorVotesQuorumFraction.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";

/// @title ZgGovernor
/// @notice zg's on-chain governance: stakers (through `StakeVotes`, their bonded stake at a proposal's snapshot
/// block) propose, vote for, against or abstain, and pass proposals that `ZgTimelock` executes after its delay.
/// OpenZeppelin's Governor with settings, simple counting, votes, a quorum fraction and timelock control,
/// unchanged. Not upgradeable: governance replaces it by granting a new governor the timelock's roles.
/// @dev Settings (voting delay and period in blocks, proposal threshold in wei of stake, quorum in percent of
/// the total stake counted at the snapshot) change only through a proposal (`onlyGovernance`). A proposal passes
/// when for-votes exceed against-votes and for + abstain reach the quorum.
contract ZgGovernor is
    Governor,
    GovernorSettings,
    GovernorCountingSimple,
    GovernorVotes,
    GovernorVotesQuorumFraction,
    GovernorTimelockControl
{
    /// @notice Sets the voting token, the timelock and the settings.
    /// @param token The voting token (`StakeVotes`, block-number clock).
    /// @param timelock The timelock that executes passed proposals and must grant this contract PROPOSER_ROLE
    /// and CANCELLER_ROLE.
    /// @param initialVotingDelay Blocks between a proposal and its snapshot, when voting opens.
    /// @param initialVotingPeriod Blocks voting stays open (> 0).
    /// @param initialProposalThreshold Votes (wei of stake) a proposer needs at the block before proposing.
    /// @param quorumPercent Percent (0..100) of the total stake at the snapshot that for + abstain votes must reach.
    constructor(
        IVotes token,
        TimelockController timelock,
        uint48 initialVotingDelay,
        uint32 initialVotingPeriod,
        uint256 initialProposalThreshold,
        uint256 quorumPercent
    )
        Governor("ZgGovernor")
        GovernorSettings(initialVotingDelay, initialVotingPeriod, initialProposalThreshold)
        GovernorVotes(token)
        GovernorVotesQuorumFraction(quorumPercent)
        GovernorTimelockControl(timelock)
    {}

    /// @inheritdoc IGovernor
    function proposalThreshold() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.proposalThreshold();
    }

    /// @inheritdoc IGovernor
    function state(uint256 proposalId) public view override(Governor, GovernorTimelockControl) returns (ProposalState) {
        return super.state(proposalId);
    }

    /// @inheritdoc IGovernor
    function proposalNeedsQueuing(
        uint256 proposalId
    ) public view override(Governor, GovernorTimelockControl) returns (bool) {
        return super.proposalNeedsQueuing(proposalId);
    }

    /// @dev Schedules the proposal's calls as one batch in the timelock.
    function _queueOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint48) {
        return super._queueOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    /// @dev Executes the proposal's batch through the timelock.
    function _executeOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) {
        super._executeOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    /// @dev Cancels the proposal and its timelock operation, if queued.
    function _cancel(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint256) {
        return super._cancel(targets, values, calldatas, descriptionHash);
    }

    /// @dev The timelock executes proposals, so it is the account `onlyGovernance` accepts.
    function _executor() internal view override(Governor, GovernorTimelockControl) returns (address) {
        return super._executor();
    }
}
