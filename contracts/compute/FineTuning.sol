// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Bounds read as the rules state them (stake ≥ minimum, settle once now ≥ the acknowledgement deadline).
// solhint-disable gas-strict-inequalities

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {ProtocolUpgradeable} from "../common/access/ProtocolUpgradeable.sol";
import {IStaking} from "../staking/interfaces/IStaking.sol";
import {IComputeLedger} from "./interfaces/IComputeLedger.sol";
import {IFineTuning, IServingStake} from "./interfaces/IFineTuning.sol";

/// @title FineTuning
/// @notice Fine-tuning tasks paid through the compute ledger. A provider admitted by the serving contract's stake
/// rule offers a service; a user orders a task on a data set given by its storage root, with a fee its
/// sub-account for the provider covers beyond its other open tasks there; the provider registers the trained
/// model's storage root by the delivery deadline; the user acknowledges it and the provider settles the full fee,
/// or, when the user stays silent through the acknowledgement window, the fee less a penalty. An undelivered task
/// can be cancelled after its deadline at no charge. This contract holds the ledger's SETTLER_ROLE.
/// @dev Pausing stops new services and tasks; tasks already ordered run to their end.
contract FineTuning is IFineTuning, ProtocolUpgradeable, ReentrancyGuardTransient {
    using EnumerableSet for EnumerableSet.AddressSet;

    /// @notice Longest task spec in bytes.
    uint256 public constant MAX_SPEC_LENGTH = 4096;
    /// @notice Longest model name and URL in bytes.
    uint256 public constant MAX_FIELD_LENGTH = 512;

    uint256 internal constant PPM = 1e6;
    uint256 internal constant MIN_WINDOW = 60;
    uint256 internal constant MAX_ACK_WINDOW = 30 days;
    uint256 internal constant MAX_DELIVERY_TIMEOUT = 90 days;

    /// @custom:storage-location erc7201:zg.storage.FineTuning
    struct FineTuningLayout {
        IComputeLedger ledger;
        IServingStake serving;
        FineTuningParams params;
        uint256 count;
        EnumerableSet.AddressSet providers;
        mapping(address provider => Service) services;
        mapping(uint256 taskId => Task) tasks;
        mapping(address user => mapping(address provider => uint256)) openFees;
    }

    // keccak256(abi.encode(uint256(keccak256("zg.storage.FineTuning")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0x333ee47de96db68adc4c9e6a37b5f6d616529829ada5a44fa297e575c4cfcd00;

    /// @inheritdoc IFineTuning
    function initialize(
        address admin,
        address pauser,
        address ledger_,
        address serving_,
        FineTuningParams calldata params
    ) external initializer {
        __Protocol_init(admin, pauser);
        if (ledger_ == address(0) || serving_ == address(0)) revert FineTuningZeroAddress();
        FineTuningLayout storage $ = _s();
        $.ledger = IComputeLedger(ledger_);
        $.serving = IServingStake(serving_);
        _setParams($, params);
    }

    // ------------------------------------------------------------------ services

    /// @inheritdoc IFineTuning
    function registerService(ServiceParams calldata params) external whenNotPaused {
        FineTuningLayout storage $ = _s();
        if ($.services[msg.sender].exists) revert FineTuningServiceExists(msg.sender);
        $.providers.add(msg.sender);
        _writeService($, params);
    }

    /// @inheritdoc IFineTuning
    function updateService(ServiceParams calldata params) external whenNotPaused {
        FineTuningLayout storage $ = _s();
        if (!$.services[msg.sender].exists) revert FineTuningNoService(msg.sender);
        _writeService($, params);
    }

    /// @inheritdoc IFineTuning
    function removeService() external {
        FineTuningLayout storage $ = _s();
        if (!$.services[msg.sender].exists) revert FineTuningNoService(msg.sender);
        delete $.services[msg.sender];
        $.providers.remove(msg.sender);
        emit ServiceRemoved(msg.sender);
    }

    // ------------------------------------------------------------------ tasks

    /// @inheritdoc IFineTuning
    function createTask(
        address provider,
        bytes32 datasetRoot,
        string calldata spec,
        uint256 fee
    ) external whenNotPaused returns (uint256 taskId) {
        FineTuningLayout storage $ = _s();
        if (!$.services[provider].exists) revert FineTuningNoService(provider);
        _checkStake($, provider);
        if (datasetRoot == bytes32(0)) revert FineTuningZeroRoot();
        if (bytes(spec).length > MAX_SPEC_LENGTH) revert FineTuningSpecTooLong(bytes(spec).length);
        _reserve($, provider, fee);
        taskId = ++$.count;
        uint64 deliverBy = _storeTask($, $.tasks[taskId], provider, datasetRoot, fee, spec);
        emit TaskCreated(taskId, msg.sender, provider, datasetRoot, fee, deliverBy, spec);
    }

    /// @inheritdoc IFineTuning
    function submitDeliverable(uint256 taskId, bytes32 modelRoot, bytes32 modelHash) external {
        Task storage t = _task(taskId, TaskStatus.Created);
        if (msg.sender != t.provider) revert FineTuningUnauthorized(taskId, msg.sender);
        if (block.timestamp > t.deliverBy) revert FineTuningDeliveryExpired(taskId, t.deliverBy);
        if (modelRoot == bytes32(0)) revert FineTuningZeroRoot();
        // Both terms are below 2^63 (a timestamp and a window of at most 30 days).
        uint64 ackDeadline = uint64(block.timestamp) + t.ackWindow;
        t.status = TaskStatus.Delivered;
        t.modelRoot = modelRoot;
        t.modelHash = modelHash;
        t.ackDeadline = ackDeadline;
        emit DeliverableSubmitted(taskId, modelRoot, modelHash, ackDeadline);
    }

    /// @inheritdoc IFineTuning
    function acknowledge(uint256 taskId) external {
        Task storage t = _task(taskId, TaskStatus.Delivered);
        if (msg.sender != t.user) revert FineTuningUnauthorized(taskId, msg.sender);
        t.status = TaskStatus.Acknowledged;
        emit TaskAcknowledged(taskId);
    }

    /// @inheritdoc IFineTuning
    function settle(uint256 taskId) external nonReentrant returns (uint256 paid) {
        FineTuningLayout storage $ = _s();
        Task storage t = $.tasks[taskId];
        TaskStatus status = t.status;
        if (status == TaskStatus.None) revert FineTuningNoTask(taskId);
        if (msg.sender != t.provider) revert FineTuningUnauthorized(taskId, msg.sender);
        bool acknowledged = status == TaskStatus.Acknowledged;
        if (!acknowledged && status != TaskStatus.Delivered) revert FineTuningWrongStatus(taskId, status);
        if (!acknowledged && block.timestamp < t.ackDeadline) revert FineTuningAckWindowOpen(taskId, t.ackDeadline);
        uint256 fee = t.fee;
        uint256 charged = acknowledged ? fee : fee - (fee * t.penaltyPpm) / PPM;
        t.status = TaskStatus.Settled;
        address user = t.user;
        $.openFees[user][msg.sender] -= fee;
        paid = $.ledger.charge(user, msg.sender, charged);
        t.paid = paid;
        emit TaskSettled(taskId, charged, paid, acknowledged);
    }

    /// @inheritdoc IFineTuning
    function cancel(uint256 taskId) external {
        Task storage t = _task(taskId, TaskStatus.Created);
        if (msg.sender != t.user) revert FineTuningUnauthorized(taskId, msg.sender);
        if (block.timestamp <= t.deliverBy) revert FineTuningDeliveryPending(taskId, t.deliverBy);
        t.status = TaskStatus.Cancelled;
        _s().openFees[msg.sender][t.provider] -= t.fee;
        emit TaskCancelled(taskId);
    }

    /// @inheritdoc IFineTuning
    function setParams(FineTuningParams calldata params) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setParams(_s(), params);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IFineTuning
    function getTask(uint256 taskId) external view returns (Task memory) {
        return _s().tasks[taskId];
    }

    /// @inheritdoc IFineTuning
    function taskCount() external view returns (uint256) {
        return _s().count;
    }

    /// @inheritdoc IFineTuning
    function getService(address provider) external view returns (Service memory) {
        return _s().services[provider];
    }

    /// @inheritdoc IFineTuning
    function providerCount() external view returns (uint256) {
        return _s().providers.length();
    }

    /// @inheritdoc IFineTuning
    function providerAt(uint256 index) external view returns (address) {
        return _s().providers.at(index);
    }

    /// @inheritdoc IFineTuning
    function isEligible(address provider) external view returns (bool) {
        (uint256 stake, uint256 minStake) = _stakeOf(_s(), provider);
        return stake >= minStake;
    }

    /// @inheritdoc IFineTuning
    function openFees(address user, address provider) external view returns (uint256) {
        return _s().openFees[user][provider];
    }

    /// @inheritdoc IFineTuning
    function getParams() external view returns (FineTuningParams memory) {
        return _s().params;
    }

    /// @inheritdoc IFineTuning
    function ledger() external view returns (address) {
        return address(_s().ledger);
    }

    /// @inheritdoc IFineTuning
    function serving() external view returns (address) {
        return address(_s().serving);
    }

    /// @inheritdoc ProtocolUpgradeable
    function contractName() public pure override returns (string memory) {
        return "FineTuning";
    }

    /// @inheritdoc ProtocolUpgradeable
    function version() external pure override returns (string memory) {
        return "1.0.0";
    }

    // ------------------------------------------------------------------ internals

    function _task(uint256 taskId, TaskStatus expected) internal view returns (Task storage t) {
        t = _s().tasks[taskId];
        TaskStatus status = t.status;
        if (status == TaskStatus.None) revert FineTuningNoTask(taskId);
        if (status != expected) revert FineTuningWrongStatus(taskId, status);
    }

    /// @dev Promises `fee` of the caller's sub-account for `provider` to a new task.
    function _reserve(FineTuningLayout storage $, address provider, uint256 fee) internal {
        if (fee == 0) revert FineTuningZeroFee();
        uint256 promised = $.openFees[msg.sender][provider];
        uint256 balance = $.ledger.chargeable(msg.sender, provider);
        // Charges and refunds can shrink the balance below what open tasks promised.
        uint256 available = balance > promised ? balance - promised : 0;
        if (fee > available) revert FineTuningInsufficientBalance(available, fee);
        $.openFees[msg.sender][provider] = promised + fee;
    }

    /// @dev Writes a new task with the current parameters; returns its delivery deadline.
    function _storeTask(
        FineTuningLayout storage $,
        Task storage t,
        address provider,
        bytes32 datasetRoot,
        uint256 fee,
        string calldata spec
    ) internal returns (uint64 deliverBy) {
        FineTuningParams memory p = $.params;
        // block.timestamp + at most 90 days fits 64 bits.
        deliverBy = uint64(block.timestamp + p.deliveryTimeout);
        t.user = msg.sender;
        t.status = TaskStatus.Created;
        t.penaltyPpm = p.penaltyPpm;
        t.deliverBy = deliverBy;
        t.provider = provider;
        t.ackWindow = p.ackWindow;
        t.fee = fee;
        t.datasetRoot = datasetRoot;
        t.spec = spec;
    }

    function _writeService(FineTuningLayout storage $, ServiceParams calldata params) internal {
        _checkStake($, msg.sender);
        uint256 modelLength = bytes(params.model).length;
        if (modelLength == 0 || modelLength > MAX_FIELD_LENGTH) revert FineTuningBadServiceField("model");
        uint256 urlLength = bytes(params.url).length;
        if (urlLength == 0 || urlLength > MAX_FIELD_LENGTH) revert FineTuningBadServiceField("url");
        $.services[msg.sender] = Service({
            model: params.model,
            url: params.url,
            pricePerToken: params.pricePerToken,
            updatedAt: uint64(block.timestamp),
            exists: true
        });
        emit ServiceUpdated(msg.sender, params.model, params.url, params.pricePerToken);
    }

    function _checkStake(FineTuningLayout storage $, address provider) internal view {
        (uint256 stake, uint256 minStake) = _stakeOf($, provider);
        if (stake < minStake) revert FineTuningInsufficientStake(provider, stake, minStake);
    }

    /// @dev The serving contract's rule: the provider's Staking service stake in the serving contract.
    function _stakeOf(
        FineTuningLayout storage $,
        address provider
    ) internal view returns (uint256 stake, uint256 minStake) {
        IServingStake serving_ = $.serving;
        stake = IStaking(serving_.staking()).serviceStake(provider, address(serving_));
        minStake = serving_.minProviderStake();
    }

    function _setParams(FineTuningLayout storage $, FineTuningParams calldata p) internal {
        if (p.ackWindow < MIN_WINDOW || p.ackWindow > MAX_ACK_WINDOW) {
            revert FineTuningInvalidParam("ackWindow", p.ackWindow);
        }
        if (p.penaltyPpm > PPM) revert FineTuningInvalidParam("penaltyPpm", p.penaltyPpm);
        if (p.deliveryTimeout < MIN_WINDOW || p.deliveryTimeout > MAX_DELIVERY_TIMEOUT) {
            revert FineTuningInvalidParam("deliveryTimeout", p.deliveryTimeout);
        }
        $.params = p;
        emit ParamsUpdated(p);
    }

    function _s() private pure returns (FineTuningLayout storage $) {
        bytes32 slot = STORAGE_SLOT;
        // solhint-disable-next-line no-inline-assembly
        assembly {
            $.slot := slot
        }
    }
}
