// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IAlignmentRewardsTypes
/// @notice The structs of the alignment-node rewards contract.
interface IAlignmentRewardsTypes {
    /// @notice Where a rule's enforcement goes.
    /// @dev Compute: `ComputeServing.slashProvider`; DA: `DASignerRegistry.slashSigner`; None: record only (the case is
    /// marked enforced and `Enforced` says the threshold was reached; for services without stake, such as storage
    /// nodes). Compute is the zero value, so rules stored before targets existed keep slashing through ComputeServing.
    enum Target {
        Compute,
        DA,
        None
    }

    /// @notice One license's attestation for one epoch.
    /// @param reportRoot The hash of the node's off-chain report for the epoch (what it sampled and found).
    /// @param attester Who sent it (the owner or the operator at that time); zero when the license did not attest.
    /// @param checked How many checks the node ran.
    /// @param failures How many of them failed.
    /// @param claimed Whether its reward was paid.
    struct Attestation {
        bytes32 reportRoot;
        address attester;
        uint32 checked;
        uint32 failures;
        bool claimed;
    }

    /// @notice An epoch's totals.
    /// @param reward The epoch's reward budget, fixed by the epoch's first attestation (then `epochReward`).
    /// @param claimed What was paid out for the epoch so far.
    /// @param attestations How many licenses attested in it.
    struct EpochTotals {
        uint128 reward;
        uint128 claimed;
        uint32 attestations;
    }

    /// @notice Governance's rule for one kind of fault. A kind without a rule (threshold 0) cannot be reported.
    /// @param threshold How many distinct licenses must report the same (service, kind) in one epoch.
    /// @param slashPpm The fraction of the service's stake slashed, in parts per million (0 for target None).
    /// @param jail Whether the service's validator is jailed too (false for target None).
    /// @param target Which slashing hook enforces it (appended last: it packs into the rule's one slot).
    struct Rule {
        uint32 threshold;
        uint32 slashPpm;
        bool jail;
        Target target;
    }

    /// @notice The reports against one (service, kind, epoch).
    /// @param reports How many distinct licenses reported it.
    /// @param enforced Whether the slash was carried out.
    struct Case {
        uint32 reports;
        bool enforced;
    }
}

/// @title IAlignmentRewardsErrors
/// @notice The custom errors of the alignment-node rewards contract.
interface IAlignmentRewardsErrors is IAlignmentRewardsTypes {
    /// @notice Thrown when a required address is zero (or has no code where a contract is expected).
    /// @param name Which one.
    error AlignmentRewardsZeroAddress(string name);

    /// @notice Thrown when the epoch length is outside MIN_EPOCH_LENGTH..MAX_EPOCH_LENGTH or the start does not fit.
    /// @param start The start given.
    /// @param epochLength The length given.
    error AlignmentRewardsBadSchedule(uint256 start, uint256 epochLength);

    /// @notice Thrown when an epoch reward is above the vault's whole budget.
    /// @param epochReward The reward given.
    /// @param budget The vault's budget.
    error AlignmentRewardsBadEpochReward(uint256 epochReward, uint256 budget);

    /// @notice Thrown before the first epoch has begun.
    /// @param start When epoch 0 begins.
    error AlignmentRewardsNotStarted(uint256 start);

    /// @notice Thrown when the caller is neither the license's owner nor its operator.
    /// @param licenseId The license.
    /// @param caller The caller.
    error AlignmentRewardsNotAuthorized(uint256 licenseId, address caller);

    /// @notice Thrown when an attestation names another epoch than the current one.
    /// @param epoch The epoch named.
    /// @param current The current epoch.
    error AlignmentRewardsWrongEpoch(uint256 epoch, uint256 current);

    /// @notice Thrown when a license attests twice in one epoch.
    /// @param licenseId The license.
    /// @param epoch The epoch.
    error AlignmentRewardsAlreadyAttested(uint256 licenseId, uint256 epoch);

    /// @notice Thrown when an attestation has a zero report root or more failures than checks.
    /// @param checked Checks run.
    /// @param failures Checks failed.
    error AlignmentRewardsBadAttestation(uint256 checked, uint256 failures);

    /// @notice Thrown when a claim names no epochs or more than MAX_CLAIM_EPOCHS.
    /// @param count How many it named.
    error AlignmentRewardsBadEpochCount(uint256 count);

    /// @notice Thrown when a claim names an epoch that has not ended.
    /// @param epoch The epoch.
    /// @param current The current epoch.
    error AlignmentRewardsEpochNotEnded(uint256 epoch, uint256 current);

    /// @notice Thrown when a claim names an epoch the license did not attest in.
    /// @param licenseId The license.
    /// @param epoch The epoch.
    error AlignmentRewardsNotAttested(uint256 licenseId, uint256 epoch);

    /// @notice Thrown when a claim names an epoch already paid (or the same epoch twice).
    /// @param licenseId The license.
    /// @param epoch The epoch.
    error AlignmentRewardsAlreadyClaimed(uint256 licenseId, uint256 epoch);

    /// @notice Thrown when a rule's threshold exceeds the license cap, its ppm is outside 1..1e6 for a slashing
    /// target, it has a ppm or jail for target None, or a removal (threshold 0) carries terms.
    /// @param kind The kind.
    /// @param threshold The threshold given.
    /// @param slashPpm The ppm given.
    /// @param jail The jail flag given.
    /// @param target The target given.
    error AlignmentRewardsBadRule(bytes32 kind, uint256 threshold, uint256 slashPpm, bool jail, Target target);

    /// @notice Thrown when a rule targets the DA signer registry before governance set its address.
    /// @param kind The kind.
    error AlignmentRewardsNoDaRegistry(bytes32 kind);

    /// @notice Thrown when a report or enforcement names a kind without a rule.
    /// @param kind The kind.
    error AlignmentRewardsUnknownKind(bytes32 kind);

    /// @notice Thrown when a report has no evidence hash.
    error AlignmentRewardsNoEvidence();

    /// @notice Thrown when a license reports the same (service, kind) twice in one epoch.
    /// @param licenseId The license.
    /// @param service The provider.
    /// @param kind The kind.
    /// @param epoch The epoch.
    error AlignmentRewardsAlreadyReported(uint256 licenseId, address service, bytes32 kind, uint256 epoch);

    /// @notice Thrown when a case has fewer reports than its rule's threshold.
    /// @param reports The reports.
    /// @param threshold The threshold.
    error AlignmentRewardsBelowThreshold(uint256 reports, uint256 threshold);

    /// @notice Thrown when a case was already enforced.
    /// @param service The provider.
    /// @param kind The kind.
    /// @param epoch The epoch.
    error AlignmentRewardsAlreadyEnforced(address service, bytes32 kind, uint256 epoch);
}

// Amounts and counts are data, not topics.
// solhint-disable gas-indexed-events
/// @title IAlignmentRewardsEvents
/// @notice The events of the alignment-node rewards contract.
interface IAlignmentRewardsEvents is IAlignmentRewardsTypes {
    /// @notice Emitted when a license attests for an epoch.
    /// @param licenseId The license.
    /// @param epoch The epoch.
    /// @param attester The owner or operator that sent it.
    /// @param reportRoot The hash of the node's report.
    /// @param checked Checks run.
    /// @param failures Checks failed.
    event Attested(
        uint256 indexed licenseId,
        uint256 indexed epoch,
        address indexed attester,
        bytes32 reportRoot,
        uint32 checked,
        uint32 failures
    );

    /// @notice Emitted when a license's rewards for some epochs are paid from the vault.
    /// @param licenseId The license.
    /// @param to Who received them (the owner, or the owner's payee).
    /// @param epochs The epochs paid.
    /// @param amount The total in wei.
    event Claimed(uint256 indexed licenseId, address indexed to, uint256[] epochs, uint256 amount);

    /// @notice Emitted when a license owner chooses where its rewards go.
    /// @param owner The owner.
    /// @param payee The payee (zero: the owner itself).
    event PayeeSet(address indexed owner, address indexed payee);

    /// @notice Emitted when governance changes the per-epoch reward (for epochs not yet attested in).
    /// @param epochReward The new reward in wei.
    event EpochRewardSet(uint256 epochReward);

    /// @notice Emitted when governance sets or removes (threshold 0) the rule for a kind of fault.
    /// @param kind The kind.
    /// @param threshold The threshold.
    /// @param slashPpm The slash in ppm.
    /// @param jail Whether to jail.
    /// @param target Which slashing hook enforces it.
    event RuleSet(bytes32 indexed kind, uint32 threshold, uint32 slashPpm, bool jail, Target target);

    /// @notice Emitted when governance sets the DA signer registry that DA-target rules slash through.
    /// @param daRegistry The registry.
    event DaRegistrySet(address indexed daRegistry);

    /// @notice Emitted when a license reports a provider.
    /// @param licenseId The license.
    /// @param service The provider reported.
    /// @param kind The kind of fault.
    /// @param epoch The epoch.
    /// @param evidenceHash The hash of the evidence the node keeps (request, response, signature, bill).
    /// @param reports How many distinct licenses have reported this (service, kind, epoch) now.
    event Reported(
        uint256 indexed licenseId,
        address indexed service,
        bytes32 indexed kind,
        uint256 epoch,
        bytes32 evidenceHash,
        uint32 reports
    );

    /// @notice Emitted when a case reached its threshold and was enforced: the service was slashed through the
    /// rule's target (Compute: ComputeServing, DA: DASignerRegistry), or, for target None, only recorded.
    /// @param service The service (provider, signer, or a storage node's id).
    /// @param kind The kind.
    /// @param epoch The epoch of the reports.
    /// @param caller Who called `enforce`.
    /// @param target The rule's target.
    /// @param slashPpm The slash in ppm (0 for None).
    /// @param jail Whether the validator was jailed (false for None).
    event Enforced(
        address indexed service,
        bytes32 indexed kind,
        uint256 indexed epoch,
        address caller,
        Target target,
        uint32 slashPpm,
        bool jail
    );
}
// solhint-enable gas-indexed-events

/// @title IAlignmentRewards
/// @notice Epochs of alignment-node work: licensed nodes attest once per epoch (the hash of their report), share the
/// epoch's reward equally, drawn from the alignment vault; and report faulty services, which are slashed through the
/// rule's target (ComputeServing for compute providers, DASignerRegistry for DA signers) or, for services without
/// stake (storage nodes), recorded, once enough distinct licenses reported the same fault in one epoch.
interface IAlignmentRewards is IAlignmentRewardsTypes, IAlignmentRewardsErrors, IAlignmentRewardsEvents {
    /// @notice Sets up the contract.
    /// @param admin Governance: admin (rules, epoch reward) and upgrader.
    /// @param pauser The guardian that may pause attest, report, enforce and claim (none when zero).
    /// @param license_ The AlignmentLicense collection.
    /// @param vault_ The alignment BudgetVault this contract draws rewards from (it needs DRAWER_ROLE there).
    /// @param computeServing_ ComputeServing, whose `slashProvider` enforces reports (needs SLASHER_ROLE there).
    /// @param start_ When epoch 0 begins (unix seconds).
    /// @param epochLength_ Seconds per epoch (MIN_EPOCH_LENGTH..MAX_EPOCH_LENGTH).
    /// @param epochReward_ The reward shared by an epoch's attesters, in wei (at most the vault's budget).
    function initialize(
        address admin,
        address pauser,
        address license_,
        address vault_,
        address computeServing_,
        uint256 start_,
        uint256 epochLength_,
        uint256 epochReward_
    ) external;

    /// @notice Records the license's attestation for the current epoch; the license's owner or operator only.
    /// @dev Requirements: not paused; `epoch` is the current epoch (a transaction that lands late is refused instead
    /// of counting for the next one); the license has not attested in it; `reportRoot` is non-zero and
    /// `failures ≤ checked`. The epoch's first attestation fixes its reward at `epochReward`. Emits `Attested`.
    /// @param licenseId The license.
    /// @param epoch The current epoch.
    /// @param reportRoot The hash of the node's off-chain report.
    /// @param checked Checks the node ran this epoch.
    /// @param failures Checks that failed.
    function attest(uint256 licenseId, uint256 epoch, bytes32 reportRoot, uint32 checked, uint32 failures) external;

    /// @notice Pays the license's share of each ended epoch it attested in to its current owner (or the owner's
    /// payee), in one `AlignmentVault.draw`; the license's owner or operator only, not while paused, nonReentrant.
    /// @dev A share is `reward / attestations` of the epoch (rounded down, so Σ shares ≤ reward). Each epoch must
    /// have ended, be attested by the license and not be claimed (a repeated epoch in the list is refused). The vault
    /// refuses a draw beyond its budget. Emits `Claimed`.
    /// @param licenseId The license.
    /// @param epochs The epochs to claim (1..MAX_CLAIM_EPOCHS).
    /// @return amount What was paid.
    function claim(uint256 licenseId, uint256[] calldata epochs) external returns (uint256 amount);

    /// @notice Sends the rewards of every license the caller owns to `payee` (zero: to the caller). Emits `PayeeSet`.
    /// @param payee The payee.
    function setPayee(address payee) external;

    /// @notice Reports `service` (a compute provider, a DA signer, or a storage node's id, per the kind's target) for
    /// a fault of `kind` in the current epoch; the license's owner or operator only, not while paused.
    /// @dev Requirements: `kind` has a rule; `evidenceHash` is non-zero; the license has not reported this
    /// (service, kind) in this epoch. Emits `Reported`.
    /// @param licenseId The license.
    /// @param service The service.
    /// @param kind The kind of fault (e.g. "COMPUTE_BAD_SIGNATURE" as bytes32).
    /// @param evidenceHash The hash of the evidence the node keeps.
    function report(uint256 licenseId, address service, bytes32 kind, bytes32 evidenceHash) external;

    /// @notice Enforces the (service, kind, epoch) case once it has `threshold` reports under the kind's current rule;
    /// anyone, not while paused, once per case. By the rule's target: Compute calls
    /// `ComputeServing.slashProvider(service, slashPpm, kind, jail)`, DA calls
    /// `DASignerRegistry.slashSigner(service, slashPpm, kind, jail)`, None only records the case as enforced.
    /// @dev Marks the case enforced and emits `Enforced` before the call. The hook's and Staking's checks still apply
    /// (a registered signer, service active, validator opted in, the per-epoch slash cap) and a refusal reverts the
    /// call, leaving the case open for a later try.
    /// @param service The service.
    /// @param kind The kind.
    /// @param epoch The epoch of the reports.
    function enforce(address service, bytes32 kind, uint256 epoch) external;

    /// @notice Sets the reward of epochs not yet attested in; only admin. Emits `EpochRewardSet`.
    /// @param epochReward_ Wei, at most the vault's budget (zero pauses rewards, not attestations).
    function setEpochReward(uint256 epochReward_) external;

    /// @notice Sets the rule for a kind of fault, or removes it with threshold 0 (then ppm 0, jail false and target
    /// Compute); only admin. Emits `RuleSet`.
    /// @dev A rule needs 1 ≤ threshold ≤ the license cap; target Compute or DA needs 1 ≤ slashPpm ≤ 1e6 (DA also
    /// needs `daRegistry` set), target None needs slashPpm 0 and no jail. `enforce` reads the rule current at the
    /// time it runs.
    /// @param kind The kind.
    /// @param threshold Distinct licenses needed in one epoch.
    /// @param slashPpm The slash in ppm.
    /// @param jail Whether to jail.
    /// @param target Which slashing hook enforces it.
    function setRule(bytes32 kind, uint32 threshold, uint32 slashPpm, bool jail, Target target) external;

    /// @notice Sets the DA signer registry that DA-target rules slash through (it must grant this contract its
    /// SLASHER_ROLE); only admin. Emits `DaRegistrySet`.
    /// @dev Requirements: `daRegistry_` has code (`AlignmentRewardsZeroAddress("daRegistry")`).
    /// @param daRegistry_ The DASignerRegistry.
    function setDaRegistry(address daRegistry_) external;

    /// @notice The current epoch; reverts with `AlignmentRewardsNotStarted` before the start.
    /// @return The epoch number (0 is the first).
    function currentEpoch() external view returns (uint256);

    /// @notice When epoch 0 begins and how long an epoch lasts.
    /// @return start The start (unix seconds).
    /// @return epochLength Seconds per epoch.
    function schedule() external view returns (uint256 start, uint256 epochLength);

    /// @notice The reward the next epoch's first attestation will fix.
    /// @return Wei.
    function epochReward() external view returns (uint256);

    /// @notice An epoch's totals.
    /// @param epoch The epoch.
    /// @return The totals.
    function epochTotals(uint256 epoch) external view returns (EpochTotals memory);

    /// @notice A license's attestation for an epoch (zero attester: none).
    /// @param licenseId The license.
    /// @param epoch The epoch.
    /// @return The attestation.
    function attestation(uint256 licenseId, uint256 epoch) external view returns (Attestation memory);

    /// @notice What `claim` would pay the license for `epoch` now (zero when not claimable).
    /// @param licenseId The license.
    /// @param epoch The epoch.
    /// @return Wei.
    function claimable(uint256 licenseId, uint256 epoch) external view returns (uint256);

    /// @notice Who receives an owner's rewards.
    /// @param owner The owner.
    /// @return The payee, or the owner when it set none.
    function payeeOf(address owner) external view returns (address);

    /// @notice The rule for a kind.
    /// @param kind The kind.
    /// @return The rule (threshold 0: none).
    function rule(bytes32 kind) external view returns (Rule memory);

    /// @notice The reports against (service, kind) in an epoch.
    /// @param service The provider.
    /// @param kind The kind.
    /// @param epoch The epoch.
    /// @return The case.
    function caseOf(address service, bytes32 kind, uint256 epoch) external view returns (Case memory);

    /// @notice Whether a license reported (service, kind) in an epoch.
    /// @param licenseId The license.
    /// @param service The provider.
    /// @param kind The kind.
    /// @param epoch The epoch.
    /// @return True when it did.
    function hasReported(uint256 licenseId, address service, bytes32 kind, uint256 epoch) external view returns (bool);

    /// @notice Everything paid out so far.
    /// @return Wei.
    function totalClaimed() external view returns (uint256);

    /// @notice The AlignmentLicense collection.
    /// @return The address.
    function license() external view returns (address);

    /// @notice The alignment BudgetVault.
    /// @return The address.
    function vault() external view returns (address);

    /// @notice ComputeServing.
    /// @return The address.
    function computeServing() external view returns (address);

    /// @notice The DA signer registry DA-target rules slash through (zero until governance sets it).
    /// @return The address.
    function daRegistry() external view returns (address);
}
