// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IComputeLedgerTypes
/// @notice The structs the compute ledger takes and returns.
interface IComputeLedgerTypes {
    /// @notice A user's main account: funds the user may withdraw at any time or move to providers.
    /// @param balance Wei held for the user, not yet moved to any provider.
    /// @param signerKey The user's Baby Jubjub public key (Ax, Ay): compute receipts are signed with it and
    /// settlement proofs are checked against it. (0, 0) until the account is created.
    /// @param exists Whether the account was created.
    struct Account {
        uint256 balance;
        uint256[2] signerKey;
        bool exists;
    }

    /// @notice One pending refund of a sub-account.
    /// @param amount Wei that returns to the main account.
    /// @param unlockAt Timestamp from which the refund can be processed.
    struct Refund {
        uint128 amount;
        uint64 unlockAt;
    }

    /// @notice A user's funds set aside for one provider.
    /// @param balance Wei the provider may charge, pending refunds included.
    /// @param pendingRefund The part of `balance` waiting to return to the main account (sum of `refunds`).
    /// @param refunds Pending refunds in request order.
    struct SubAccount {
        uint256 balance;
        uint256 pendingRefund;
        Refund[] refunds;
    }

    /// @notice Running totals the invariant `deposited == main + sub + paidOut + withdrawn` is stated over.
    /// @param deposited Wei ever credited to main accounts.
    /// @param withdrawn Wei ever sent back to users.
    /// @param paidOut Wei ever paid to providers.
    /// @param mainBalances Wei now in main accounts.
    /// @param subBalances Wei now in sub-accounts (pending refunds included).
    struct Totals {
        uint256 deposited;
        uint256 withdrawn;
        uint256 paidOut;
        uint256 mainBalances;
        uint256 subBalances;
    }
}

/// @title IComputeLedgerErrors
/// @notice The custom errors of the compute ledger.
interface IComputeLedgerErrors {
    /// @notice Thrown when an account is created twice.
    /// @param user The account's owner.
    error ComputeLedgerAccountExists(address user);
    /// @notice Thrown when an operation needs an account the user never created.
    /// @param user The caller.
    error ComputeLedgerNoAccount(address user);
    /// @notice Thrown when a signer key is not a point of the Baby Jubjub curve (coordinates below the BN254
    /// scalar field) or is of small order (8·key = identity, which includes (0, 1)); (0, 0) is not on the curve.
    error ComputeLedgerBadSignerKey();
    /// @notice Thrown when a transfer, withdrawal or refund names more than is available.
    /// @param available Wei available for the operation.
    /// @param requested Wei asked for.
    error ComputeLedgerInsufficientBalance(uint256 available, uint256 requested);
    /// @notice Thrown when an amount is zero.
    error ComputeLedgerZeroAmount();
    /// @notice Thrown when a sub-account already holds the most pending refunds allowed.
    /// @param max The limit.
    error ComputeLedgerTooManyRefunds(uint256 max);
    /// @notice Thrown when the refund lock time is outside [MIN_LOCK_TIME, MAX_LOCK_TIME].
    /// @param lockTime The value given.
    error ComputeLedgerBadLockTime(uint256 lockTime);
    /// @notice Thrown when the most pending refunds per sub-account is outside [1, MAX_REFUNDS_LIMIT].
    /// @param maxRefunds The value given.
    error ComputeLedgerBadMaxRefunds(uint256 maxRefunds);
    /// @notice Thrown when `processRefunds` finds no unlocked refund.
    /// @param nextUnlockAt When the earliest pending refund unlocks (0 when none is pending).
    error ComputeLedgerNoUnlockedRefund(uint64 nextUnlockAt);
    /// @notice Thrown when a native-token transfer to `to` fails.
    /// @param to The recipient.
    error ComputeLedgerTransferFailed(address to);
    /// @notice Thrown when the provider is the zero address or the user itself.
    /// @param provider The value given.
    error ComputeLedgerBadProvider(address provider);
}

// Amounts and times are read, not filtered on: indexing them would only cost gas (users and providers are indexed).
// solhint-disable gas-indexed-events
/// @title IComputeLedgerEvents
/// @notice The events of the compute ledger.
interface IComputeLedgerEvents {
    /// @notice Emitted when a user creates an account.
    /// @param user The account's owner.
    /// @param signerKey The receipt signer key (Ax, Ay).
    event AccountCreated(address indexed user, uint256[2] signerKey);
    /// @notice Emitted when a user replaces the receipt signer key.
    /// @param user The account's owner.
    /// @param signerKey The new key (Ax, Ay).
    event SignerKeyChanged(address indexed user, uint256[2] signerKey);
    /// @notice Emitted when wei enters a main account.
    /// @param user The account's owner.
    /// @param amount Wei credited.
    /// @param balance The main account's balance after.
    event Deposited(address indexed user, uint256 amount, uint256 balance);
    /// @notice Emitted when wei leaves a main account to the user's wallet.
    /// @param user The account's owner.
    /// @param amount Wei sent.
    /// @param balance The main account's balance after.
    event Withdrawn(address indexed user, uint256 amount, uint256 balance);
    /// @notice Emitted when wei moves from the main account into a provider's sub-account.
    /// @param user The account's owner.
    /// @param provider The sub-account's provider.
    /// @param amount Wei moved.
    /// @param cancelledRefunds Wei of pending refunds the transfer cancelled (they stay in the sub-account).
    event Transferred(address indexed user, address indexed provider, uint256 amount, uint256 cancelledRefunds);
    /// @notice Emitted when a refund is requested.
    /// @param user The account's owner.
    /// @param provider The sub-account's provider.
    /// @param amount Wei to return.
    /// @param unlockAt When it can be processed.
    event RefundRequested(address indexed user, address indexed provider, uint256 amount, uint64 unlockAt);
    /// @notice Emitted when unlocked refunds return to the main account.
    /// @param user The account's owner.
    /// @param provider The sub-account's provider.
    /// @param amount Wei returned.
    event RefundsProcessed(address indexed user, address indexed provider, uint256 amount);
    /// @notice Emitted when a settlement contract charges a sub-account and pays the provider.
    /// @param user The charged user.
    /// @param provider The paid provider.
    /// @param requested What the settlement asked for.
    /// @param paid What the sub-account could pay (less than requested when it ran short).
    event Charged(address indexed user, address indexed provider, uint256 requested, uint256 paid);
    /// @notice Emitted when governance changes the refund lock time.
    /// @param lockTime The new lock time in seconds.
    event LockTimeChanged(uint256 lockTime);
}

/// @title IComputeLedger
/// @notice Escrow for compute: a user's main account, per-provider sub-accounts, refunds that wait out a lock
/// time, and charges made only by settlement contracts holding SETTLER_ROLE.
interface IComputeLedger is IComputeLedgerTypes, IComputeLedgerErrors, IComputeLedgerEvents {
    /// @notice Initializes the proxy.
    /// @param admin Receives DEFAULT_ADMIN_ROLE and UPGRADER_ROLE.
    /// @param pauser Receives PAUSER_ROLE.
    /// @param lockTime Seconds a refund waits, within [1 hour, 7 days].
    /// @param maxRefunds Most pending refunds per sub-account (1..64).
    function initialize(address admin, address pauser, uint256 lockTime, uint256 maxRefunds) external;

    /// @notice Creates the caller's account with its receipt signer key, crediting msg.value.
    /// @param signerKey The Baby Jubjub public key (Ax, Ay) receipts will be signed with.
    function createAccount(uint256[2] calldata signerKey) external payable;

    /// @notice Replaces the caller's receipt signer key. Receipts signed with the old key no longer settle.
    /// @param signerKey The new Baby Jubjub public key (Ax, Ay).
    function setSignerKey(uint256[2] calldata signerKey) external;

    /// @notice Credits msg.value to the caller's main account.
    function deposit() external payable;

    /// @notice Sends `amount` from the caller's main account to the caller.
    /// @param amount Wei to withdraw.
    function withdraw(uint256 amount) external;

    /// @notice Moves `amount` from the caller's main account into its sub-account for `provider`, cancelling the
    /// sub-account's pending refunds (the funds stay in the sub-account).
    /// @param provider The provider the funds are for.
    /// @param amount Wei to move.
    function transfer(address provider, uint256 amount) external;

    /// @notice Starts a refund of `amount` from the sub-account for `provider`; it unlocks after the lock time.
    /// The provider can still charge it until then.
    /// @param provider The sub-account's provider.
    /// @param amount Wei to return, at most the part of the balance not already being refunded.
    function requestRefund(address provider, uint256 amount) external;

    /// @notice Returns every unlocked refund of the caller's sub-account for `provider` to the main account.
    /// @param provider The sub-account's provider.
    /// @return amount Wei returned.
    function processRefunds(address provider) external returns (uint256 amount);

    /// @notice Charges `amount` to `user`'s sub-account for `provider` and pays the provider what it holds, up to
    /// `amount`; pending refunds shrink (newest first) when the rest of the balance cannot cover it.
    /// @dev Only SETTLER_ROLE (the serving and fine-tuning contracts). Never reverts for a short balance.
    /// @param user The charged user.
    /// @param provider The provider paid.
    /// @param amount Wei the settlement asks for.
    /// @return paid Wei sent to the provider.
    function charge(address user, address provider, uint256 amount) external returns (uint256 paid);

    /// @notice Sets the refund lock time (admin). Refunds already requested keep their unlock time.
    /// @param lockTime Seconds, within [1 hour, 7 days].
    function setLockTime(uint256 lockTime) external;

    /// @notice The user's main account.
    /// @param user The account's owner.
    /// @return The account (zero when never created).
    function getAccount(address user) external view returns (Account memory);

    /// @notice The user's receipt signer key ((0, 0) without an account).
    /// @param user The account's owner.
    /// @return The key (Ax, Ay).
    function signerKeyOf(address user) external view returns (uint256[2] memory);

    /// @notice The sub-account of `user` for `provider`.
    /// @param user The account's owner.
    /// @param provider The provider.
    /// @return The sub-account.
    function getSubAccount(address user, address provider) external view returns (SubAccount memory);

    /// @notice Wei the provider could charge now (the sub-account's balance, pending refunds included).
    /// @param user The account's owner.
    /// @param provider The provider.
    /// @return The sub-account's balance.
    function chargeable(address user, address provider) external view returns (uint256);

    /// @notice The refund lock time in seconds.
    /// @return Seconds.
    function lockTime() external view returns (uint256);

    /// @notice Most pending refunds per sub-account.
    /// @return The limit.
    function maxRefunds() external view returns (uint256);

    /// @notice The running totals.
    /// @return The totals.
    function totals() external view returns (Totals memory);
}
