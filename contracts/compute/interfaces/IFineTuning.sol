// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IServingStake
/// @notice The two views of the compute serving contract the fine-tuning contract reads: the same stake rule
/// (Staking's service stake of the provider in the serving contract ≥ the serving contract's minimum) admits
/// providers to both.
interface IServingStake {
    /// @notice The Staking contract the serving contract is a service of.
    /// @return The Staking address.
    function staking() external view returns (address);

    /// @notice The service stake a provider must hold.
    /// @return Wei.
    function minProviderStake() external view returns (uint256);
}

/// @title IFineTuningTypes
/// @notice The structs and enums the fine-tuning contract takes and returns.
interface IFineTuningTypes {
    /// @notice The changeable parameters. A task keeps the values it was created with.
    /// @param ackWindow Seconds a user has, after delivery, to acknowledge before the provider may settle with a
    /// penalty.
    /// @param penaltyPpm The share of the fee (ppm) the provider forfeits when the user never acknowledged.
    /// @param deliveryTimeout Seconds after creation the provider has to deliver; later the user may cancel.
    struct FineTuningParams {
        uint64 ackWindow;
        uint32 penaltyPpm;
        uint64 deliveryTimeout;
    }

    /// @notice What a provider offers.
    /// @param model The base model it tunes (a name or a storage root users recognise).
    /// @param url Where the provider's broker takes fine-tuning requests.
    /// @param pricePerToken Wei per training token; the user computes a task's fee from it.
    struct ServiceParams {
        string model;
        string url;
        uint256 pricePerToken;
    }

    /// @notice A registered service.
    /// @param model The base model it tunes.
    /// @param url The provider's broker URL.
    /// @param pricePerToken Wei per training token.
    /// @param updatedAt When it was registered or last updated.
    /// @param exists Whether the provider has a service.
    struct Service {
        string model;
        string url;
        uint256 pricePerToken;
        uint64 updatedAt;
        bool exists;
    }

    /// @notice Where a task stands.
    /// @param None No such task.
    /// @param Created Waiting for the deliverable.
    /// @param Delivered The deliverable is registered; waiting for the user's acknowledgement.
    /// @param Acknowledged The user accepted the deliverable; the provider may settle the full fee.
    /// @param Settled The provider was paid.
    /// @param Cancelled The user cancelled after the delivery deadline; nothing was charged.
    enum TaskStatus {
        None,
        Created,
        Delivered,
        Acknowledged,
        Settled,
        Cancelled
    }

    /// @notice A fine-tuning task.
    /// @param user Who ordered it and pays.
    /// @param provider Who trains.
    /// @param status Where it stands.
    /// @param penaltyPpm The penalty that applies to it (the parameter at creation).
    /// @param deliverBy The provider must deliver by this time; after it the user may cancel.
    /// @param ackWindow The acknowledgement window that applies to it (the parameter at creation).
    /// @param ackDeadline After this time a delivered, unacknowledged task settles with the penalty (0 before
    /// delivery).
    /// @param fee Wei the user offers.
    /// @param paid Wei the ledger paid at settlement (less than the amount charged when the sub-account ran short).
    /// @param datasetRoot Storage root of the training data set.
    /// @param modelRoot Storage root of the trained model (0 before delivery).
    /// @param modelHash Hash of the trained model's bytes, so the user can check what was stored.
    /// @param spec Training parameters (JSON).
    struct Task {
        address user;
        TaskStatus status;
        uint32 penaltyPpm;
        uint64 deliverBy;
        address provider;
        uint64 ackWindow;
        uint64 ackDeadline;
        uint256 fee;
        uint256 paid;
        bytes32 datasetRoot;
        bytes32 modelRoot;
        bytes32 modelHash;
        string spec;
    }
}

/// @title IFineTuningErrors
/// @notice The custom errors of the fine-tuning contract.
interface IFineTuningErrors {
    /// @notice Thrown when the ledger or serving address is zero.
    error FineTuningZeroAddress();
    /// @notice Thrown when a parameter is outside its bounds.
    /// @param name The parameter.
    /// @param value The value given.
    error FineTuningInvalidParam(string name, uint256 value);
    /// @notice Thrown when a provider's service stake is below the minimum.
    /// @param provider The provider.
    /// @param stake Its service stake.
    /// @param minStake The minimum.
    error FineTuningInsufficientStake(address provider, uint256 stake, uint256 minStake);
    /// @notice Thrown when a provider registers a second service.
    /// @param provider The provider.
    error FineTuningServiceExists(address provider);
    /// @notice Thrown when a provider has no service.
    /// @param provider The provider.
    error FineTuningNoService(address provider);
    /// @notice Thrown when a service's model or URL is empty or too long.
    /// @param field "model" or "url".
    error FineTuningBadServiceField(string field);
    /// @notice Thrown when a storage root is zero.
    error FineTuningZeroRoot();
    /// @notice Thrown when a fee is zero.
    error FineTuningZeroFee();
    /// @notice Thrown when a spec is longer than MAX_SPEC_LENGTH bytes.
    /// @param length Its length.
    error FineTuningSpecTooLong(uint256 length);
    /// @notice Thrown when the sub-account, less the fees of the user's other open tasks with the provider,
    /// cannot cover a new task's fee.
    /// @param available Wei not yet promised to open tasks.
    /// @param fee The fee asked for.
    error FineTuningInsufficientBalance(uint256 available, uint256 fee);
    /// @notice Thrown when a task does not exist.
    /// @param taskId The id.
    error FineTuningNoTask(uint256 taskId);
    /// @notice Thrown when the caller is not the task's user or provider, as the function needs.
    /// @param taskId The task.
    /// @param caller The caller.
    error FineTuningUnauthorized(uint256 taskId, address caller);
    /// @notice Thrown when a task is not in the status the function needs.
    /// @param taskId The task.
    /// @param status Its status.
    error FineTuningWrongStatus(uint256 taskId, IFineTuningTypes.TaskStatus status);
    /// @notice Thrown when a deliverable comes after the task's delivery deadline.
    /// @param taskId The task.
    /// @param deliverBy The deadline.
    error FineTuningDeliveryExpired(uint256 taskId, uint64 deliverBy);
    /// @notice Thrown when a user cancels before the delivery deadline passed.
    /// @param taskId The task.
    /// @param deliverBy The deadline.
    error FineTuningDeliveryPending(uint256 taskId, uint64 deliverBy);
    /// @notice Thrown when a provider settles an unacknowledged task before its acknowledgement window closed.
    /// @param taskId The task.
    /// @param ackDeadline When the window closes.
    error FineTuningAckWindowOpen(uint256 taskId, uint64 ackDeadline);
}

// Amounts, roots and flags are read, not filtered on: indexing them would only cost gas (ids and parties are indexed).
// solhint-disable gas-indexed-events
/// @title IFineTuningEvents
/// @notice The events of the fine-tuning contract.
interface IFineTuningEvents {
    /// @notice Emitted when the parameters change.
    /// @param params The new parameters.
    event ParamsUpdated(IFineTuningTypes.FineTuningParams params);
    /// @notice Emitted when a provider registers or updates its service.
    /// @param provider The provider.
    /// @param model The base model.
    /// @param url The broker URL.
    /// @param pricePerToken Wei per training token.
    event ServiceUpdated(address indexed provider, string model, string url, uint256 pricePerToken);
    /// @notice Emitted when a provider removes its service.
    /// @param provider The provider.
    event ServiceRemoved(address indexed provider);
    /// @notice Emitted when a user orders a task.
    /// @param taskId The new task's id.
    /// @param user The user.
    /// @param provider The provider.
    /// @param datasetRoot Storage root of the data set.
    /// @param fee Wei offered.
    /// @param deliverBy The delivery deadline.
    /// @param spec Training parameters.
    event TaskCreated(
        uint256 indexed taskId,
        address indexed user,
        address indexed provider,
        bytes32 datasetRoot,
        uint256 fee,
        uint64 deliverBy,
        string spec
    );
    /// @notice Emitted when the provider registers the trained model.
    /// @param taskId The task.
    /// @param modelRoot Storage root of the model.
    /// @param modelHash Hash of the model's bytes.
    /// @param ackDeadline The end of the user's acknowledgement window.
    event DeliverableSubmitted(uint256 indexed taskId, bytes32 modelRoot, bytes32 modelHash, uint64 ackDeadline);
    /// @notice Emitted when the user accepts the deliverable.
    /// @param taskId The task.
    event TaskAcknowledged(uint256 indexed taskId);
    /// @notice Emitted when the provider settles.
    /// @param taskId The task.
    /// @param charged Wei asked of the ledger (the fee, less the penalty when unacknowledged).
    /// @param paid Wei the ledger paid.
    /// @param acknowledged Whether the user had acknowledged.
    event TaskSettled(uint256 indexed taskId, uint256 charged, uint256 paid, bool acknowledged);
    /// @notice Emitted when the user cancels an undelivered task.
    /// @param taskId The task.
    event TaskCancelled(uint256 indexed taskId);
}

/// @title IFineTuning
/// @notice Fine-tuning tasks paid through the compute ledger: a staked provider offers a service, a user orders
/// a task on a data set stored under a storage root, the provider registers the trained model's storage root,
/// the user acknowledges it, and the provider settles the fee (less a penalty when the user never
/// acknowledged). An undelivered task can be cancelled after its deadline at no charge.
interface IFineTuning is IFineTuningTypes, IFineTuningErrors, IFineTuningEvents {
    /// @notice Initializes the proxy.
    /// @param admin Receives DEFAULT_ADMIN_ROLE and UPGRADER_ROLE.
    /// @param pauser Receives PAUSER_ROLE.
    /// @param ledger The compute ledger (this contract must hold its SETTLER_ROLE).
    /// @param serving The compute serving contract, whose stake rule admits providers.
    /// @param params The initial parameters.
    function initialize(
        address admin,
        address pauser,
        address ledger,
        address serving,
        FineTuningParams calldata params
    ) external;

    /// @notice Registers the caller's service. Needs the provider stake.
    /// @param params The service.
    function registerService(ServiceParams calldata params) external;

    /// @notice Replaces the caller's service. Needs the provider stake. Open tasks keep their fee.
    /// @param params The service.
    function updateService(ServiceParams calldata params) external;

    /// @notice Removes the caller's service. Open tasks stay and can be delivered and settled.
    function removeService() external;

    /// @notice Orders a task from `provider`, whose fee the caller's sub-account for `provider` must cover
    /// beyond the fees of the caller's other open tasks with it.
    /// @param provider The provider.
    /// @param datasetRoot Storage root of the data set.
    /// @param spec Training parameters (JSON), at most MAX_SPEC_LENGTH bytes.
    /// @param fee Wei offered.
    /// @return taskId The new task's id (from 1).
    function createTask(
        address provider,
        bytes32 datasetRoot,
        string calldata spec,
        uint256 fee
    ) external returns (uint256 taskId);

    /// @notice Registers the trained model of a task (its provider, by the delivery deadline).
    /// @param taskId The task.
    /// @param modelRoot Storage root of the model.
    /// @param modelHash Hash of the model's bytes.
    function submitDeliverable(uint256 taskId, bytes32 modelRoot, bytes32 modelHash) external;

    /// @notice Accepts a task's deliverable (its user): the provider may settle the full fee.
    /// @param taskId The task.
    function acknowledge(uint256 taskId) external;

    /// @notice Charges the task's fee through the ledger (its provider): the full fee when acknowledged, the fee
    /// less penaltyPpm once the acknowledgement window of an unacknowledged deliverable closed.
    /// @param taskId The task.
    /// @return paid Wei the ledger paid (less than charged when the sub-account ran short).
    function settle(uint256 taskId) external returns (uint256 paid);

    /// @notice Cancels an undelivered task after its delivery deadline (its user); nothing is charged.
    /// @param taskId The task.
    function cancel(uint256 taskId) external;

    /// @notice Sets the parameters (admin); open tasks keep theirs.
    /// @param params The parameters.
    function setParams(FineTuningParams calldata params) external;

    /// @notice A task.
    /// @param taskId The id.
    /// @return The task (zero when it does not exist).
    function getTask(uint256 taskId) external view returns (Task memory);

    /// @notice How many tasks were created (the last id).
    /// @return The count.
    function taskCount() external view returns (uint256);

    /// @notice A provider's service.
    /// @param provider The provider.
    /// @return The service (exists false when none).
    function getService(address provider) external view returns (Service memory);

    /// @notice How many providers have a service.
    /// @return The count.
    function providerCount() external view returns (uint256);

    /// @notice The provider at `index` (order changes when one is removed).
    /// @param index Below providerCount().
    /// @return The provider.
    function providerAt(uint256 index) external view returns (address);

    /// @notice Whether `provider` holds the stake the serving contract requires.
    /// @param provider The provider.
    /// @return Whether it may register and receive tasks.
    function isEligible(address provider) external view returns (bool);

    /// @notice The fees of `user`'s open (created, delivered or acknowledged) tasks with `provider`.
    /// @param user The user.
    /// @param provider The provider.
    /// @return Wei.
    function openFees(address user, address provider) external view returns (uint256);

    /// @notice The parameters.
    /// @return The parameters.
    function getParams() external view returns (FineTuningParams memory);

    /// @notice The compute ledger.
    /// @return Its address.
    function ledger() external view returns (address);

    /// @notice The compute serving contract.
    /// @return Its address.
    function serving() external view returns (address);
}
