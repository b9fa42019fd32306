// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ProtocolUpgradeable} from "../common/access/ProtocolUpgradeable.sol";
import {IComputeServing} from "../compute/interfaces/IComputeServing.sol";
import {IDASignerRegistry} from "../da/interfaces/IDASignerRegistry.sol";
import {IBudgetVault} from "../tokenomics/interfaces/IBudgetVault.sol";
import {IAlignmentLicense} from "./interfaces/IAlignmentLicense.sol";
import {IAlignmentRewards} from "./interfaces/IAlignmentRewards.sol";

/// @title AlignmentRewards
/// @notice The on-chain side of the AI alignment nodes. Time is cut into epochs of `epochLength` seconds from
/// `start`. In each epoch every licensed node (`AlignmentLicense`, acting through its owner or operator) attests
/// once with the hash of its report; after the epoch the attesters share its reward equally, drawn from the
/// alignment `BudgetVault`. Nodes also report services for faults; when `threshold` distinct licenses reported the
/// same (service, kind) in one epoch, anyone may `enforce` the kind's rule, which goes to the rule's target:
/// `ComputeServing.slashProvider` (compute providers), `DASignerRegistry.slashSigner` (DA signers), or None (the case
/// is only recorded, for services without stake such as storage nodes). Staking's per-epoch cap still applies.
/// @dev Roles: DEFAULT_ADMIN_ROLE sets the epoch reward, the rules and the DA registry (and unpauses); PAUSER_ROLE
/// pauses attest, report, enforce and claim. Needs DRAWER_ROLE on the vault and SLASHER_ROLE on ComputeServing and
/// on DASignerRegistry, all granted by governance. Invariants: per epoch Σ claims ≤ the epoch's reward; totalClaimed
/// == what this contract drew from the vault ≤ the vault's budget; an attestation is paid at most once; a case is
/// enforced at most once, through its rule's target only.
contract AlignmentRewards is IAlignmentRewards, ProtocolUpgradeable, ReentrancyGuardTransient {
    /// @notice The shortest epoch initialize accepts.
    uint256 public constant MIN_EPOCH_LENGTH = 1 minutes;
    /// @notice The longest epoch initialize accepts.
    uint256 public constant MAX_EPOCH_LENGTH = 30 days;
    /// @notice Most epochs one claim may name (bounds its loop).
    uint256 public constant MAX_CLAIM_EPOCHS = 64;
    /// @notice The ppm denominator of a slash.
    uint256 public constant PPM = 1_000_000;

    /// @custom:storage-location erc7201:zg.storage.AlignmentRewards
    struct AlignmentRewardsLayout {
        address license;
        address vault;
        address computeServing;
        uint64 start;
        uint64 epochLength;
        uint256 epochReward;
        uint256 totalClaimed;
        mapping(uint256 epoch => EpochTotals) epochs;
        mapping(uint256 licenseId => mapping(uint256 epoch => Attestation)) attestations;
        mapping(address owner => address) payees;
        mapping(bytes32 kind => Rule) rules;
        mapping(bytes32 caseId => Case) cases;
        mapping(bytes32 caseId => mapping(uint256 licenseId => bool)) reported;
        // Appended in 1.1.0 (rule targets).
        address daRegistry;
    }

    // keccak256(abi.encode(uint256(keccak256("zg.storage.AlignmentRewards")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0x3969e5795dfe618d96baefcedeb06f22e7ec081c77ffdd805ef87626f7acd100;

    /// @inheritdoc IAlignmentRewards
    function initialize(
        address admin,
        address pauser,
        address license_,
        address vault_,
        address computeServing_,
        uint256 start_,
        uint256 epochLength_,
        uint256 epochReward_
    ) external initializer {
        __Protocol_init(admin, pauser);
        if (license_.code.length == 0) revert AlignmentRewardsZeroAddress("license");
        if (vault_.code.length == 0) revert AlignmentRewardsZeroAddress("vault");
        if (computeServing_.code.length == 0) revert AlignmentRewardsZeroAddress("computeServing");
        if (start_ > type(uint64).max || epochLength_ < MIN_EPOCH_LENGTH || epochLength_ > MAX_EPOCH_LENGTH) {
            revert AlignmentRewardsBadSchedule(start_, epochLength_);
        }
        AlignmentRewardsLayout storage $ = _s();
        $.license = license_;
        $.vault = vault_;
        $.computeServing = computeServing_;
        // Both bounded just above.
        $.start = uint64(start_);
        $.epochLength = uint64(epochLength_);
        _setEpochReward($, epochReward_);
    }

    // ------------------------------------------------------------------ nodes

    /// @inheritdoc IAlignmentRewards
    function attest(
        uint256 licenseId,
        uint256 epoch,
        bytes32 reportRoot,
        uint32 checked,
        uint32 failures
    ) external whenNotPaused {
        AlignmentRewardsLayout storage $ = _s();
        _authorize($, licenseId);
        uint256 current = _current($);
        if (epoch != current) revert AlignmentRewardsWrongEpoch(epoch, current);
        Attestation storage a = $.attestations[licenseId][epoch];
        if (a.attester != address(0)) revert AlignmentRewardsAlreadyAttested(licenseId, epoch);
        if (reportRoot == bytes32(0) || failures > checked) revert AlignmentRewardsBadAttestation(checked, failures);
        a.reportRoot = reportRoot;
        a.attester = msg.sender;
        a.checked = checked;
        a.failures = failures;
        EpochTotals storage t = $.epochs[epoch];
        // epochReward ≤ the vault's budget ≤ 1e27 < 2^128 (checked by _setEpochReward).
        if (t.attestations == 0) t.reward = uint128($.epochReward);
        // At most one per license, and licenses are capped at 100 000: no overflow.
        ++t.attestations;
        emit Attested(licenseId, epoch, msg.sender, reportRoot, checked, failures);
    }

    /// @inheritdoc IAlignmentRewards
    function claim(
        uint256 licenseId,
        uint256[] calldata epochs
    ) external whenNotPaused nonReentrant returns (uint256 amount) {
        AlignmentRewardsLayout storage $ = _s();
        uint256 n = epochs.length;
        if (n == 0 || n > MAX_CLAIM_EPOCHS) revert AlignmentRewardsBadEpochCount(n);
        _authorize($, licenseId);
        uint256 current = _current($);
        for (uint256 i = 0; i < n; ++i) {
            uint256 epoch = epochs[i];
            // solhint-disable-next-line gas-strict-inequalities
            if (epoch >= current) revert AlignmentRewardsEpochNotEnded(epoch, current);
            Attestation storage a = $.attestations[licenseId][epoch];
            if (a.attester == address(0)) revert AlignmentRewardsNotAttested(licenseId, epoch);
            if (a.claimed) revert AlignmentRewardsAlreadyClaimed(licenseId, epoch);
            a.claimed = true;
            EpochTotals storage t = $.epochs[epoch];
            // The license attested, so attestations ≥ 1; rounding down keeps Σ shares ≤ reward.
            uint256 share = t.reward / t.attestations;
            // share ≤ reward < 2^128 and claimed + share ≤ reward.
            t.claimed += uint128(share);
            amount += share;
        }
        address owner = IERC721($.license).ownerOf(licenseId);
        address payee = $.payees[owner];
        address to = payee == address(0) ? owner : payee;
        $.totalClaimed += amount;
        emit Claimed(licenseId, to, epochs, amount);
        // The vault refuses a draw beyond its budget or balance; that reverts the whole claim.
        if (amount != 0) IBudgetVault($.vault).draw(to, amount, bytes32(licenseId));
    }

    /// @inheritdoc IAlignmentRewards
    function setPayee(address payee) external {
        _s().payees[msg.sender] = payee;
        emit PayeeSet(msg.sender, payee);
    }

    /// @inheritdoc IAlignmentRewards
    function report(uint256 licenseId, address service, bytes32 kind, bytes32 evidenceHash) external whenNotPaused {
        AlignmentRewardsLayout storage $ = _s();
        _authorize($, licenseId);
        if ($.rules[kind].threshold == 0) revert AlignmentRewardsUnknownKind(kind);
        if (service == address(0)) revert AlignmentRewardsZeroAddress("service");
        if (evidenceHash == bytes32(0)) revert AlignmentRewardsNoEvidence();
        uint256 epoch = _current($);
        bytes32 caseId = _caseId(service, kind, epoch);
        if ($.reported[caseId][licenseId]) revert AlignmentRewardsAlreadyReported(licenseId, service, kind, epoch);
        $.reported[caseId][licenseId] = true;
        Case storage c = $.cases[caseId];
        // One report per license per case, and licenses are capped at 100 000.
        uint32 reports = ++c.reports;
        emit Reported(licenseId, service, kind, epoch, evidenceHash, reports);
    }

    /// @inheritdoc IAlignmentRewards
    function enforce(address service, bytes32 kind, uint256 epoch) external whenNotPaused nonReentrant {
        AlignmentRewardsLayout storage $ = _s();
        Rule memory r = $.rules[kind];
        if (r.threshold == 0) revert AlignmentRewardsUnknownKind(kind);
        Case storage c = $.cases[_caseId(service, kind, epoch)];
        if (c.enforced) revert AlignmentRewardsAlreadyEnforced(service, kind, epoch);
        if (c.reports < r.threshold) revert AlignmentRewardsBelowThreshold(c.reports, r.threshold);
        c.enforced = true;
        emit Enforced(service, kind, epoch, msg.sender, r.target, r.slashPpm, r.jail);
        if (r.target == Target.Compute) {
            IComputeServing($.computeServing).slashProvider(service, r.slashPpm, kind, r.jail);
        } else if (r.target == Target.DA) {
            // setRule refuses a DA rule while daRegistry is unset, and setDaRegistry never sets it back to zero.
            IDASignerRegistry($.daRegistry).slashSigner(service, r.slashPpm, kind, r.jail);
        }
        // Target.None: recorded only (the case is enforced and the event says so).
    }

    // ------------------------------------------------------------------ governance

    /// @inheritdoc IAlignmentRewards
    function setEpochReward(uint256 epochReward_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setEpochReward(_s(), epochReward_);
    }

    /// @inheritdoc IAlignmentRewards
    function setRule(
        bytes32 kind,
        uint32 threshold,
        uint32 slashPpm,
        bool jail,
        Target target
    ) external onlyRole(DEFAULT_ADMIN_ROLE) {
        AlignmentRewardsLayout storage $ = _s();
        if (threshold == 0) {
            if (slashPpm != 0 || jail || target != Target.Compute) {
                revert AlignmentRewardsBadRule(kind, threshold, slashPpm, jail, target);
            }
            delete $.rules[kind];
        } else {
            // None records only, so it takes no slash; a slashing target needs a ppm in 1..PPM.
            bool badTerms = target == Target.None ? slashPpm != 0 || jail : slashPpm == 0 || slashPpm > PPM;
            if (threshold > IAlignmentLicense($.license).maxLicenses() || badTerms) {
                revert AlignmentRewardsBadRule(kind, threshold, slashPpm, jail, target);
            }
            if (target == Target.DA && $.daRegistry == address(0)) revert AlignmentRewardsNoDaRegistry(kind);
            $.rules[kind] = Rule({threshold: threshold, slashPpm: slashPpm, jail: jail, target: target});
        }
        emit RuleSet(kind, threshold, slashPpm, jail, target);
    }

    /// @inheritdoc IAlignmentRewards
    function setDaRegistry(address daRegistry_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (daRegistry_.code.length == 0) revert AlignmentRewardsZeroAddress("daRegistry");
        _s().daRegistry = daRegistry_;
        emit DaRegistrySet(daRegistry_);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IAlignmentRewards
    function currentEpoch() external view returns (uint256) {
        return _current(_s());
    }

    /// @inheritdoc IAlignmentRewards
    function schedule() external view returns (uint256 start, uint256 epochLength) {
        return (_s().start, _s().epochLength);
    }

    /// @inheritdoc IAlignmentRewards
    function epochReward() external view returns (uint256) {
        return _s().epochReward;
    }

    /// @inheritdoc IAlignmentRewards
    function epochTotals(uint256 epoch) external view returns (EpochTotals memory) {
        return _s().epochs[epoch];
    }

    /// @inheritdoc IAlignmentRewards
    function attestation(uint256 licenseId, uint256 epoch) external view returns (Attestation memory) {
        return _s().attestations[licenseId][epoch];
    }

    /// @inheritdoc IAlignmentRewards
    function claimable(uint256 licenseId, uint256 epoch) external view returns (uint256) {
        AlignmentRewardsLayout storage $ = _s();
        // solhint-disable-next-line gas-strict-inequalities
        if (block.timestamp < $.start || epoch >= _current($)) return 0;
        Attestation storage a = $.attestations[licenseId][epoch];
        if (a.attester == address(0) || a.claimed) return 0;
        EpochTotals storage t = $.epochs[epoch];
        return t.reward / t.attestations;
    }

    /// @inheritdoc IAlignmentRewards
    function payeeOf(address owner) external view returns (address) {
        address payee = _s().payees[owner];
        return payee == address(0) ? owner : payee;
    }

    /// @inheritdoc IAlignmentRewards
    function rule(bytes32 kind) external view returns (Rule memory) {
        return _s().rules[kind];
    }

    /// @inheritdoc IAlignmentRewards
    function caseOf(address service, bytes32 kind, uint256 epoch) external view returns (Case memory) {
        return _s().cases[_caseId(service, kind, epoch)];
    }

    /// @inheritdoc IAlignmentRewards
    function hasReported(uint256 licenseId, address service, bytes32 kind, uint256 epoch) external view returns (bool) {
        return _s().reported[_caseId(service, kind, epoch)][licenseId];
    }

    /// @inheritdoc IAlignmentRewards
    function totalClaimed() external view returns (uint256) {
        return _s().totalClaimed;
    }

    /// @inheritdoc IAlignmentRewards
    function license() external view returns (address) {
        return _s().license;
    }

    /// @inheritdoc IAlignmentRewards
    function vault() external view returns (address) {
        return _s().vault;
    }

    /// @inheritdoc IAlignmentRewards
    function computeServing() external view returns (address) {
        return _s().computeServing;
    }

    /// @inheritdoc IAlignmentRewards
    function daRegistry() external view returns (address) {
        return _s().daRegistry;
    }

    /// @inheritdoc ProtocolUpgradeable
    function contractName() public pure override returns (string memory) {
        return "AlignmentRewards";
    }

    /// @inheritdoc ProtocolUpgradeable
    function version() external pure override returns (string memory) {
        return "1.1.0";
    }

    // ------------------------------------------------------------------ internal

    function _authorize(AlignmentRewardsLayout storage $, uint256 licenseId) private view {
        if (!IAlignmentLicense($.license).isAuthorized(licenseId, msg.sender)) {
            revert AlignmentRewardsNotAuthorized(licenseId, msg.sender);
        }
    }

    function _current(AlignmentRewardsLayout storage $) private view returns (uint256) {
        if (block.timestamp < $.start) revert AlignmentRewardsNotStarted($.start);
        return (block.timestamp - $.start) / $.epochLength;
    }

    function _setEpochReward(AlignmentRewardsLayout storage $, uint256 epochReward_) private {
        uint256 budget = IBudgetVault($.vault).budget();
        if (epochReward_ > budget) revert AlignmentRewardsBadEpochReward(epochReward_, budget);
        $.epochReward = epochReward_;
        emit EpochRewardSet(epochReward_);
    }

    function _caseId(address service, bytes32 kind, uint256 epoch) private pure returns (bytes32) {
        return keccak256(abi.encode(service, kind, epoch));
    }

    function _s() private pure returns (AlignmentRewardsLayout storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }
}
