// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// solhint-disable gas-strict-inequalities

import {EIP712Upgradeable} from "@openzeppelin/contracts-upgradeable/utils/cryptography/EIP712Upgradeable.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {ProtocolUpgradeable} from "../common/access/ProtocolUpgradeable.sol";
import {IStaking} from "../staking/interfaces/IStaking.sol";
import {IComputeLedger} from "./interfaces/IComputeLedger.sol";
import {IComputeServing, ISettlementBatchVerifier} from "./interfaces/IComputeServing.sol";

/// @title ComputeServing
/// @notice Inference services, one per provider, each backed by the provider's validator stake in Staking (this
/// contract is the "compute" service validators opt into), and the settlement of what providers served against
/// the compute ledger. Zk mode: the user signs a receipt per request with its Baby Jubjub key; the provider proves
/// a batch of receipts with the settlement circuit and many proofs are checked in one pairing product. Tee mode:
/// a key held in an attested TEE, acknowledged by governance, signs EIP-712 settlements. Either way a settlement
/// names a strictly increasing nonce range per (user, provider), so nothing is paid twice.
/// @dev The public inputs of a ZK proof are built here from storage, never taken from the caller: the provider is
/// msg.sender, the key is the ledger's, prevNonce is this contract's nonce. A proof made for anything else fails.
contract ComputeServing is IComputeServing, ProtocolUpgradeable, EIP712Upgradeable {
    using EnumerableSet for EnumerableSet.AddressSet;

    /// @notice Role of the contracts that may slash a provider's validator through this service.
    bytes32 public constant SLASHER_ROLE = keccak256("SLASHER_ROLE");

    // solhint-disable gas-small-strings
    /// @notice The EIP-712 type a TEE signer signs.
    bytes32 public constant SETTLEMENT_TYPEHASH = keccak256(
        "Settlement(address user,address provider,uint64 firstNonce,uint64 lastNonce,uint256 total,bytes32 billsHash)"
    );
    // solhint-enable gas-small-strings

    /// @notice Highest price per token: with fewer than 2^32 tokens per request a fee stays below 2^128, the
    /// circuit's fee range.
    uint256 public constant MAX_PRICE = 2 ** 96 - 1;

    uint256 internal constant MAX_MODEL_LENGTH = 128;
    uint256 internal constant MAX_URL_LENGTH = 256;

    /// @custom:storage-location erc7201:zg.storage.ComputeServing
    struct ServingLayout {
        IComputeLedger ledger;
        IStaking staking;
        ISettlementBatchVerifier verifier;
        uint256 minProviderStake;
        mapping(address provider => Service) services;
        EnumerableSet.AddressSet providers;
        mapping(address user => mapping(address provider => uint64)) nonces;
        mapping(address signer => bool) acknowledged;
    }

    // keccak256(abi.encode(uint256(keccak256("zg.storage.ComputeServing")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0xdeb0dc1644caf0ca0a8b6bfe05bd641164efd69de0bbedb7c5ee0ad5b7a64400;

    /// @inheritdoc IComputeServing
    function initialize(
        address admin,
        address pauser,
        address ledger_,
        address staking_,
        address verifier_,
        uint256 minProviderStake_
    ) external initializer {
        __Protocol_init(admin, pauser);
        __EIP712_init("zg ComputeServing", "1");
        if (ledger_ == address(0)) revert ComputeServingZeroAddress("ledger");
        if (staking_ == address(0)) revert ComputeServingZeroAddress("staking");
        ServingLayout storage $ = _s();
        $.ledger = IComputeLedger(ledger_);
        $.staking = IStaking(staking_);
        _setVerifier($, verifier_);
        _setMinProviderStake($, minProviderStake_);
    }

    // ------------------------------------------------------------------ services

    /// @inheritdoc IComputeServing
    function registerService(ServiceParams calldata params) external whenNotPaused {
        ServingLayout storage $ = _s();
        address provider = msg.sender;
        if ($.services[provider].exists) revert ComputeServingServiceExists(provider);
        _checkService($, provider, params);
        _store($.services[provider], params);
        $.providers.add(provider);
        emit ServiceRegistered(
            provider,
            params.model,
            params.url,
            params.inputPrice,
            params.outputPrice,
            params.verifiability,
            params.teeSigner
        );
    }

    /// @inheritdoc IComputeServing
    function updateService(ServiceParams calldata params) external whenNotPaused {
        ServingLayout storage $ = _s();
        address provider = msg.sender;
        if (!$.services[provider].exists) revert ComputeServingUnknownService(provider);
        _checkService($, provider, params);
        _store($.services[provider], params);
        emit ServiceUpdated(
            provider,
            params.model,
            params.url,
            params.inputPrice,
            params.outputPrice,
            params.verifiability,
            params.teeSigner
        );
    }

    /// @inheritdoc IComputeServing
    function removeService() external {
        ServingLayout storage $ = _s();
        address provider = msg.sender;
        if (!$.services[provider].exists) revert ComputeServingUnknownService(provider);
        delete $.services[provider];
        $.providers.remove(provider);
        emit ServiceRemoved(provider);
    }

    // ------------------------------------------------------------------ settlement

    /// @inheritdoc IComputeServing
    function settleZk(ZkSettlement[] calldata settlements) external whenNotPaused returns (uint256 paid) {
        ServingLayout storage $ = _s();
        uint256 n = settlements.length;
        if (n == 0) revert ComputeServingEmptyBatch();
        uint256[8][] memory proofs = new uint256[8][](n);
        uint256[7][] memory inputs = new uint256[7][](n);
        uint64[] memory firstNonces = new uint64[](n);
        // Nonces move before the proofs are checked so that a second settlement of one user chains from the
        // first; a failed check reverts them all.
        for (uint256 i = 0; i < n; ++i) {
            ZkSettlement calldata s = settlements[i];
            uint256[2] memory key = _signerKey($, s.user);
            uint64 prev = _advanceNonce($, s.user, msg.sender, s.lastNonce);
            // prev < lastNonce ≤ type(uint64).max, so prev + 1 cannot overflow.
            unchecked {
                firstNonces[i] = prev + 1;
            }
            proofs[i] = s.proof;
            inputs[i] = [
                uint256(uint160(s.user)),
                uint256(uint160(msg.sender)),
                key[0],
                key[1],
                uint256(prev),
                uint256(s.lastNonce),
                s.total
            ];
        }
        if (!$.verifier.verifyBatch(proofs, inputs)) revert ComputeServingInvalidProof();
        for (uint256 i = 0; i < n; ++i) {
            ZkSettlement calldata s = settlements[i];
            paid += _charge($, s.user, firstNonces[i], s.lastNonce, s.total);
        }
    }

    /// @inheritdoc IComputeServing
    function settleTee(
        TeeSettlement[] calldata settlements,
        bytes[] calldata signatures
    ) external whenNotPaused returns (uint256 paid) {
        ServingLayout storage $ = _s();
        uint256 n = settlements.length;
        if (n == 0) revert ComputeServingEmptyBatch();
        if (signatures.length != n) revert ComputeServingLengthMismatch(n, signatures.length);
        address signer = _teeSigner($, msg.sender);
        for (uint256 i = 0; i < n; ++i) {
            TeeSettlement calldata s = settlements[i];
            (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecover(_teeDigest(s, msg.sender), signatures[i]);
            if (err != ECDSA.RecoverError.NoError || recovered != signer) revert ComputeServingInvalidSignature(i);
            _signerKey($, s.user);
            uint64 nonce = $.nonces[s.user][msg.sender];
            if (s.firstNonce <= nonce || s.lastNonce < s.firstNonce) {
                revert ComputeServingInvalidNonce(s.user, nonce, s.firstNonce, s.lastNonce);
            }
            $.nonces[s.user][msg.sender] = s.lastNonce;
        }
        // Charged only after every entry passed, so a bad entry late in the batch pays nothing at all.
        for (uint256 i = 0; i < n; ++i) {
            TeeSettlement calldata s = settlements[i];
            paid += _charge($, s.user, s.firstNonce, s.lastNonce, s.total);
            emit TeeSettled(s.user, msg.sender, signer, s.billsHash);
        }
    }

    // ------------------------------------------------------------------ governance

    /// @inheritdoc IComputeServing
    function acknowledgeTeeSigner(address signer, bool acknowledged) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (signer == address(0)) revert ComputeServingZeroAddress("signer");
        _s().acknowledged[signer] = acknowledged;
        emit TeeSignerAcknowledged(signer, acknowledged);
    }

    /// @inheritdoc IComputeServing
    function slashProvider(address provider, uint32 ppm, bytes32 reason, bool jail) external onlyRole(SLASHER_ROLE) {
        _s().staking.slash(provider, ppm, reason, jail);
        emit ProviderSlashed(provider, msg.sender, ppm, reason, jail);
    }

    /// @inheritdoc IComputeServing
    function setMinProviderStake(uint256 minProviderStake_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setMinProviderStake(_s(), minProviderStake_);
    }

    /// @inheritdoc IComputeServing
    function setVerifier(address verifier_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setVerifier(_s(), verifier_);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IComputeServing
    function getService(address provider) external view returns (Service memory) {
        return _s().services[provider];
    }

    /// @inheritdoc IComputeServing
    function providerCount() external view returns (uint256) {
        return _s().providers.length();
    }

    /// @inheritdoc IComputeServing
    function providerAt(uint256 index) external view returns (address) {
        return _s().providers.at(index);
    }

    /// @inheritdoc IComputeServing
    function nonceOf(address user, address provider) external view returns (uint64) {
        return _s().nonces[user][provider];
    }

    /// @inheritdoc IComputeServing
    function isTeeSignerAcknowledged(address signer) external view returns (bool) {
        return _s().acknowledged[signer];
    }

    /// @inheritdoc IComputeServing
    function teeSettlementDigest(TeeSettlement calldata settlement, address provider) external view returns (bytes32) {
        return _teeDigest(settlement, provider);
    }

    /// @inheritdoc IComputeServing
    function staking() external view returns (address) {
        return address(_s().staking);
    }

    /// @inheritdoc IComputeServing
    function ledger() external view returns (address) {
        return address(_s().ledger);
    }

    /// @inheritdoc IComputeServing
    function verifier() external view returns (address) {
        return address(_s().verifier);
    }

    /// @inheritdoc IComputeServing
    function minProviderStake() external view returns (uint256) {
        return _s().minProviderStake;
    }

    /// @inheritdoc ProtocolUpgradeable
    function contractName() public pure override returns (string memory) {
        return "ComputeServing";
    }

    /// @inheritdoc ProtocolUpgradeable
    function version() external pure override returns (string memory) {
        return "1.0.0";
    }

    // ------------------------------------------------------------------ internals

    function _checkService(ServingLayout storage $, address provider, ServiceParams calldata p) internal view {
        uint256 stake = $.staking.serviceStake(provider, address(this));
        if (stake < $.minProviderStake) revert ComputeServingInsufficientStake(provider, stake, $.minProviderStake);
        uint256 len = bytes(p.model).length;
        if (len == 0 || len > MAX_MODEL_LENGTH) revert ComputeServingInvalidString("model", len);
        len = bytes(p.url).length;
        if (len == 0 || len > MAX_URL_LENGTH) revert ComputeServingInvalidString("url", len);
        if (p.inputPrice > MAX_PRICE) revert ComputeServingInvalidParam("inputPrice", p.inputPrice);
        if (p.outputPrice > MAX_PRICE) revert ComputeServingInvalidParam("outputPrice", p.outputPrice);
        if ((p.verifiability == Verifiability.Tee) != (p.teeSigner != address(0))) {
            revert ComputeServingInvalidTeeSigner(p.verifiability, p.teeSigner);
        }
    }

    function _store(Service storage s, ServiceParams calldata p) internal {
        s.model = p.model;
        s.url = p.url;
        s.inputPrice = p.inputPrice;
        s.outputPrice = p.outputPrice;
        s.verifiability = p.verifiability;
        s.teeSigner = p.teeSigner;
        s.updatedAt = uint64(block.timestamp);
        s.exists = true;
    }

    /// @dev The user's receipt key from the ledger; (0, 0) means no account, and nothing can be proved for it.
    function _signerKey(ServingLayout storage $, address user) internal view returns (uint256[2] memory key) {
        key = $.ledger.signerKeyOf(user);
        if (key[0] == 0 && key[1] == 0) revert ComputeServingNoAccount(user);
    }

    /// @dev Moves the (user, provider) nonce to `lastNonce`, which must be above it; returns the old one.
    function _advanceNonce(
        ServingLayout storage $,
        address user,
        address provider,
        uint64 lastNonce
    ) internal returns (uint64 prev) {
        prev = $.nonces[user][provider];
        if (lastNonce <= prev) revert ComputeServingInvalidNonce(user, prev, prev, lastNonce);
        $.nonces[user][provider] = lastNonce;
    }

    /// @dev The caller's acknowledged TEE signer; the caller must have a Tee service.
    function _teeSigner(ServingLayout storage $, address provider) internal view returns (address signer) {
        Service storage service = $.services[provider];
        if (!service.exists) revert ComputeServingUnknownService(provider);
        if (service.verifiability != Verifiability.Tee) revert ComputeServingWrongMode(provider, service.verifiability);
        signer = service.teeSigner;
        if (!$.acknowledged[signer]) revert ComputeServingSignerNotAcknowledged(signer);
    }

    /// @dev Charges the ledger (which pays msg.sender, the provider) and reports it; state was final before.
    function _charge(
        ServingLayout storage $,
        address user,
        uint64 firstNonce,
        uint64 lastNonce,
        uint256 total
    ) internal returns (uint256 paid) {
        paid = $.ledger.charge(user, msg.sender, total);
        emit Settled(user, msg.sender, firstNonce, lastNonce, total, paid);
        if (paid < total) emit SettlementShortfall(user, msg.sender, total, paid);
    }

    function _teeDigest(TeeSettlement calldata s, address provider) internal view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(SETTLEMENT_TYPEHASH, s.user, provider, s.firstNonce, s.lastNonce, s.total, s.billsHash)
                )
            );
    }

    function _setMinProviderStake(ServingLayout storage $, uint256 value) internal {
        if (value == 0) revert ComputeServingInvalidParam("minProviderStake", 0);
        $.minProviderStake = value;
        emit MinProviderStakeChanged(value);
    }

    function _setVerifier(ServingLayout storage $, address verifier_) internal {
        if (verifier_ == address(0)) revert ComputeServingZeroAddress("verifier");
        if (verifier_.code.length == 0) revert ComputeServingNotAContract(verifier_);
        $.verifier = ISettlementBatchVerifier(verifier_);
        emit VerifierChanged(verifier_);
    }

    function _s() private pure returns (ServingLayout storage $) {
        bytes32 slot = STORAGE_SLOT;
        // solhint-disable-next-line no-inline-assembly
        assembly {
            $.slot := slot
        }
    }
}
