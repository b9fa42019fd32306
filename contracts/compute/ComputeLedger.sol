// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Bounds read as the rules state them (unlocks at unlockAt, lock time within [1 h, 7 d]).
// solhint-disable gas-strict-inequalities

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ProtocolUpgradeable} from "../common/access/ProtocolUpgradeable.sol";
import {IComputeLedger} from "./interfaces/IComputeLedger.sol";

/// @title ComputeLedger
/// @notice Escrow for compute. A user's main account holds funds the user may withdraw at any time; a transfer
/// moves funds into a sub-account for one provider, which the provider's settlements (through a contract holding
/// SETTLER_ROLE) charge. Funds leave a sub-account for the main account only through a refund that waits out the
/// lock time, during which the provider can still settle what it served; a new transfer to that provider
/// cancels the pending refunds. The account also stores the user's Baby Jubjub key that signs compute receipts.
/// @dev Pausing stops money coming in (createAccount, deposit, transfer); withdrawals, refunds and charges keep
/// working so users can always leave and providers can settle what they served. Charges stop when governance
/// revokes a settler's role.
contract ComputeLedger is IComputeLedger, ProtocolUpgradeable, ReentrancyGuardTransient {
    /// @notice Role of the settlement contracts that may charge sub-accounts.
    bytes32 public constant SETTLER_ROLE = keccak256("SETTLER_ROLE");
    /// @notice Shortest refund lock time.
    uint256 public constant MIN_LOCK_TIME = 1 hours;
    /// @notice Longest refund lock time.
    uint256 public constant MAX_LOCK_TIME = 7 days;
    /// @notice The largest `maxRefunds` (bounds the loops over a sub-account's refunds).
    uint256 public constant MAX_REFUNDS_LIMIT = 64;

    /// @dev BN254 scalar field, over which Baby Jubjub is defined.
    uint256 internal constant FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    /// @dev Baby Jubjub (EIP-2494): a·x² + y² = 1 + d·x²·y².
    uint256 internal constant BJJ_A = 168700;
    uint256 internal constant BJJ_D = 168696;

    /// @custom:storage-location erc7201:zg.storage.ComputeLedger
    struct LedgerLayout {
        uint256 lockTime;
        uint256 maxRefunds;
        Totals totals;
        mapping(address user => Account) accounts;
        mapping(address user => mapping(address provider => SubAccount)) subs;
    }

    // keccak256(abi.encode(uint256(keccak256("zg.storage.ComputeLedger")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0x3dc8a7003cf7e83ca8c369665dd67a95a51d58281763a4efdd0c303f870fd400;

    /// @inheritdoc IComputeLedger
    function initialize(address admin, address pauser, uint256 lockTime_, uint256 maxRefunds_) external initializer {
        __Protocol_init(admin, pauser);
        if (maxRefunds_ == 0 || maxRefunds_ > MAX_REFUNDS_LIMIT) revert ComputeLedgerBadMaxRefunds(maxRefunds_);
        LedgerLayout storage $ = _s();
        $.maxRefunds = maxRefunds_;
        _setLockTime($, lockTime_);
    }

    /// @inheritdoc IComputeLedger
    function createAccount(uint256[2] calldata signerKey) external payable whenNotPaused {
        Account storage account = _s().accounts[msg.sender];
        if (account.exists) revert ComputeLedgerAccountExists(msg.sender);
        _checkSignerKey(signerKey);
        account.exists = true;
        account.signerKey = signerKey;
        emit AccountCreated(msg.sender, signerKey);
        if (msg.value > 0) _credit(account);
    }

    /// @inheritdoc IComputeLedger
    function setSignerKey(uint256[2] calldata signerKey) external {
        Account storage account = _account(msg.sender);
        _checkSignerKey(signerKey);
        account.signerKey = signerKey;
        emit SignerKeyChanged(msg.sender, signerKey);
    }

    /// @inheritdoc IComputeLedger
    function deposit() external payable whenNotPaused {
        Account storage account = _account(msg.sender);
        if (msg.value == 0) revert ComputeLedgerZeroAmount();
        _credit(account);
    }

    /// @inheritdoc IComputeLedger
    function withdraw(uint256 amount) external nonReentrant {
        LedgerLayout storage $ = _s();
        Account storage account = _account(msg.sender);
        _debit(account, amount);
        $.totals.mainBalances -= amount;
        $.totals.withdrawn += amount;
        emit Withdrawn(msg.sender, amount, account.balance);
        _send(msg.sender, amount);
    }

    /// @inheritdoc IComputeLedger
    function transfer(address provider, uint256 amount) external whenNotPaused {
        if (provider == address(0) || provider == msg.sender) revert ComputeLedgerBadProvider(provider);
        LedgerLayout storage $ = _s();
        Account storage account = _account(msg.sender);
        _debit(account, amount);
        SubAccount storage sub = $.subs[msg.sender][provider];
        sub.balance += amount;
        uint256 cancelled = sub.pendingRefund;
        if (cancelled > 0) {
            sub.pendingRefund = 0;
            delete sub.refunds;
        }
        $.totals.mainBalances -= amount;
        $.totals.subBalances += amount;
        emit Transferred(msg.sender, provider, amount, cancelled);
    }

    /// @inheritdoc IComputeLedger
    function requestRefund(address provider, uint256 amount) external {
        if (amount == 0) revert ComputeLedgerZeroAmount();
        LedgerLayout storage $ = _s();
        SubAccount storage sub = $.subs[msg.sender][provider];
        // pendingRefund ≤ balance always holds (charge shrinks refunds to keep it).
        uint256 available = sub.balance - sub.pendingRefund;
        if (amount > available) revert ComputeLedgerInsufficientBalance(available, amount);
        uint256 max = $.maxRefunds;
        if (sub.refunds.length >= max) revert ComputeLedgerTooManyRefunds(max);
        // block.timestamp + at most 7 days fits 64 bits for the next 500 billion years.
        uint64 unlockAt = uint64(block.timestamp + $.lockTime);
        sub.refunds.push(Refund({amount: SafeCast.toUint128(amount), unlockAt: unlockAt}));
        sub.pendingRefund += amount;
        emit RefundRequested(msg.sender, provider, amount, unlockAt);
    }

    /// @inheritdoc IComputeLedger
    function processRefunds(address provider) external returns (uint256 amount) {
        LedgerLayout storage $ = _s();
        SubAccount storage sub = $.subs[msg.sender][provider];
        Refund[] storage refunds = sub.refunds;
        uint256 n = refunds.length;
        uint256 kept = 0;
        uint64 next = 0;
        // Lock time changes make unlock times non-monotonic, so every entry is looked at; order is kept.
        for (uint256 i = 0; i < n; ++i) {
            Refund memory r = refunds[i];
            if (block.timestamp >= r.unlockAt) {
                amount += r.amount;
            } else {
                if (next == 0 || r.unlockAt < next) next = r.unlockAt;
                if (kept != i) refunds[kept] = r;
                ++kept;
            }
        }
        // A stored refund is never zero (charge pops refunds it empties), so amount == 0 means none unlocked.
        if (amount == 0) revert ComputeLedgerNoUnlockedRefund(next);
        for (uint256 i = kept; i < n; ++i) refunds.pop();
        sub.balance -= amount;
        sub.pendingRefund -= amount;
        Account storage account = $.accounts[msg.sender];
        account.balance += amount;
        $.totals.subBalances -= amount;
        $.totals.mainBalances += amount;
        emit RefundsProcessed(msg.sender, provider, amount);
    }

    /// @inheritdoc IComputeLedger
    function charge(
        address user,
        address provider,
        uint256 amount
    ) external onlyRole(SETTLER_ROLE) nonReentrant returns (uint256 paid) {
        LedgerLayout storage $ = _s();
        SubAccount storage sub = $.subs[user][provider];
        uint256 balance = sub.balance;
        paid = amount < balance ? amount : balance;
        balance -= paid;
        sub.balance = balance;
        uint256 pending = sub.pendingRefund;
        if (pending > balance) {
            sub.pendingRefund = balance;
            _shrinkRefunds(sub.refunds, pending - balance);
        }
        $.totals.subBalances -= paid;
        $.totals.paidOut += paid;
        emit Charged(user, provider, amount, paid);
        if (paid > 0) _send(provider, paid);
    }

    /// @inheritdoc IComputeLedger
    function setLockTime(uint256 lockTime_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setLockTime(_s(), lockTime_);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IComputeLedger
    function getAccount(address user) external view returns (Account memory) {
        return _s().accounts[user];
    }

    /// @inheritdoc IComputeLedger
    function signerKeyOf(address user) external view returns (uint256[2] memory) {
        return _s().accounts[user].signerKey;
    }

    /// @inheritdoc IComputeLedger
    function getSubAccount(address user, address provider) external view returns (SubAccount memory) {
        return _s().subs[user][provider];
    }

    /// @inheritdoc IComputeLedger
    function chargeable(address user, address provider) external view returns (uint256) {
        return _s().subs[user][provider].balance;
    }

    /// @inheritdoc IComputeLedger
    function lockTime() external view returns (uint256) {
        return _s().lockTime;
    }

    /// @inheritdoc IComputeLedger
    function maxRefunds() external view returns (uint256) {
        return _s().maxRefunds;
    }

    /// @inheritdoc IComputeLedger
    function totals() external view returns (Totals memory) {
        return _s().totals;
    }

    /// @inheritdoc ProtocolUpgradeable
    function contractName() public pure override returns (string memory) {
        return "ComputeLedger";
    }

    /// @inheritdoc ProtocolUpgradeable
    function version() external pure override returns (string memory) {
        return "1.0.0";
    }

    // ------------------------------------------------------------------ internals

    function _account(address user) internal view returns (Account storage account) {
        account = _s().accounts[user];
        if (!account.exists) revert ComputeLedgerNoAccount(user);
    }

    function _credit(Account storage account) internal {
        LedgerLayout storage $ = _s();
        uint256 balance = account.balance + msg.value;
        account.balance = balance;
        $.totals.deposited += msg.value;
        $.totals.mainBalances += msg.value;
        emit Deposited(msg.sender, msg.value, balance);
    }

    function _debit(Account storage account, uint256 amount) internal {
        if (amount == 0) revert ComputeLedgerZeroAmount();
        uint256 balance = account.balance;
        if (amount > balance) revert ComputeLedgerInsufficientBalance(balance, amount);
        // Checked just above.
        unchecked {
            account.balance = balance - amount;
        }
    }

    /// @dev Removes `excess` from the newest refunds: what a provider charged came out of funds on their way back
    /// to the user, and the user's latest requests are the ones that had the least time to be settled against.
    /// The caller guarantees excess ≤ the sum of the refunds.
    function _shrinkRefunds(Refund[] storage refunds, uint256 excess) internal {
        while (excess > 0) {
            uint256 last = refunds.length - 1;
            uint256 amount = refunds[last].amount;
            if (amount <= excess) {
                excess -= amount;
                refunds.pop();
            } else {
                // amount > excess, and amount fits 128 bits.
                refunds[last].amount = uint128(amount - excess);
                excess = 0;
            }
        }
    }

    function _send(address to, uint256 amount) internal {
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, ) = payable(to).call{value: amount}("");
        if (!ok) revert ComputeLedgerTransferFailed(to);
    }

    function _setLockTime(LedgerLayout storage $, uint256 lockTime_) internal {
        if (lockTime_ < MIN_LOCK_TIME || lockTime_ > MAX_LOCK_TIME) revert ComputeLedgerBadLockTime(lockTime_);
        $.lockTime = lockTime_;
        emit LockTimeChanged(lockTime_);
    }

    /// @dev A key must lie on Baby Jubjub with coordinates in the field and must not be of small order: for a
    /// point P of order dividing 8, 8·P is the identity, the cofactor-cleared EdDSA check (S·B8 = R8 + 8·h·A)
    /// ignores the key, and anyone could sign receipts for it. On the curve, P has order dividing 8 exactly
    /// when x = 0 (orders 1, 2), y = 0 (order 4) or y² = a·x² (order 8: then 2P has y = 0). Points with a
    /// small-order component added to a subgroup point verify the same signatures as that point, so they are
    /// harmless and not excluded (that would need a full scalar multiplication).
    function _checkSignerKey(uint256[2] calldata key) internal pure {
        uint256 x = key[0];
        uint256 y = key[1];
        if (x >= FIELD || y >= FIELD) revert ComputeLedgerBadSignerKey();
        uint256 xx = mulmod(x, x, FIELD);
        uint256 yy = mulmod(y, y, FIELD);
        uint256 axx = mulmod(BJJ_A, xx, FIELD);
        uint256 lhs = addmod(axx, yy, FIELD);
        uint256 rhs = addmod(1, mulmod(BJJ_D, mulmod(xx, yy, FIELD), FIELD), FIELD);
        if (lhs != rhs || x == 0 || y == 0 || yy == axx) revert ComputeLedgerBadSignerKey();
    }

    function _s() private pure returns (LedgerLayout storage $) {
        bytes32 slot = STORAGE_SLOT;
        // solhint-disable-next-line no-inline-assembly
        assembly {
            $.slot := slot
        }
    }
}
