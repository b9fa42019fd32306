// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ProtocolUpgradeable} from "../common/access/ProtocolUpgradeable.sol";
import {BN254} from "../common/libraries/BN254.sol";
import {IDAEntrance} from "./interfaces/IDAEntrance.sol";
import {IDASignerRegistry} from "./interfaces/IDASignerRegistry.sol";

/// @title DAEntrance
/// @notice Where blobs enter the data-availability layer. `submitOriginalData` takes the blob price for each data
/// root and assigns it to a quorum of the current epoch; `submitVerifiedCommitRoots` accepts a blob's erasure
/// commitment once the quorum's aggregate BLS signature over (root, epoch, quorum, commitment) verifies in one
/// pairing against the quorum's aggregate key minus the non-signers', and the signers hold ≥ 2/3 of the weight.
contract DAEntrance is IDAEntrance, ProtocolUpgradeable, ReentrancyGuardTransient {
    using BN254 for BN254.G1Point;

    /// @notice Most data roots or certificates in one call.
    uint256 public constant MAX_BATCH = 64;

    /// @dev Record value of a root that is paid for and not yet verified.
    bytes32 internal constant PAID = bytes32(uint256(1));

    /// @custom:storage-location erc7201:zg.storage.DAEntrance
    struct EntranceLayout {
        IDASignerRegistry registry;
        uint256 blobPrice;
        uint256 nextQuorum;
        // keccak256(abi.encode(dataRoot, epoch, quorumId)) => 0 (unknown), PAID, or keccak256 of the commitment.
        mapping(bytes32 key => bytes32) records;
    }

    // keccak256(abi.encode(uint256(keccak256("zg.storage.DAEntrance")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0xeb7c450741e8443cce7dd9aedc09ddc7c40bfe749ef50727823eb24990414300;

    /// @inheritdoc IDAEntrance
    function initialize(address admin, address pauser, address registry_, uint256 blobPrice_) external initializer {
        __Protocol_init(admin, pauser);
        if (registry_ == address(0)) revert DAEntranceZeroRegistry();
        EntranceLayout storage $ = _s();
        $.registry = IDASignerRegistry(registry_);
        $.blobPrice = blobPrice_;
        emit BlobPriceUpdated(blobPrice_);
    }

    /// @inheritdoc IDAEntrance
    function submitOriginalData(bytes32[] calldata dataRoots) external payable whenNotPaused nonReentrant {
        EntranceLayout storage $ = _s();
        uint256 n = dataRoots.length;
        if (n == 0 || n > MAX_BATCH) revert DAEntranceInvalidBatch(n, MAX_BATCH);
        uint256 price = $.blobPrice;
        uint256 fee = price * n;
        if (msg.value < fee) revert DAEntranceInsufficientFee(msg.value, fee);
        IDASignerRegistry registry_ = $.registry;
        uint256 epoch = registry_.currentEpoch();
        uint256 quorums = registry_.quorumCount(epoch);
        if (quorums == 0) revert DAEntranceNoQuorum(epoch);
        uint256 next = $.nextQuorum;
        for (uint256 i = 0; i < n; ++i) {
            bytes32 root = dataRoots[i];
            if (root == bytes32(0)) revert DAEntranceZeroDataRoot();
            uint256 quorumId = (next + i) % quorums;
            bytes32 key = _key(root, epoch, quorumId);
            if ($.records[key] != bytes32(0)) revert DAEntranceAlreadySubmitted(root);
            $.records[key] = PAID;
            emit DataUploaded(msg.sender, root, epoch, quorumId, price);
        }
        $.nextQuorum = next + n;
        uint256 excess = msg.value - fee;
        if (excess != 0) _send(msg.sender, excess);
    }

    /// @inheritdoc IDAEntrance
    function submitVerifiedCommitRoots(CommitRootSubmission[] calldata submissions) external whenNotPaused {
        uint256 n = submissions.length;
        if (n == 0 || n > MAX_BATCH) revert DAEntranceInvalidBatch(n, MAX_BATCH);
        EntranceLayout storage $ = _s();
        for (uint256 i = 0; i < n; ++i) {
            _verify($, submissions[i]);
        }
    }

    /// @inheritdoc IDAEntrance
    function setBlobPrice(uint256 price) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _s().blobPrice = price;
        emit BlobPriceUpdated(price);
    }

    /// @inheritdoc IDAEntrance
    function withdrawFees(address to, uint256 amount) external onlyRole(DEFAULT_ADMIN_ROLE) nonReentrant {
        _send(to, amount);
        emit FeesWithdrawn(to, amount);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IDAEntrance
    function commitMessage(
        bytes32 dataRoot,
        uint256 epoch,
        uint256 quorumId,
        BN254.G1Point calldata commitment
    ) external pure returns (bytes32) {
        return _commitMessage(dataRoot, epoch, quorumId, commitment);
    }

    /// @inheritdoc IDAEntrance
    function isPaid(bytes32 dataRoot, uint256 epoch, uint256 quorumId) external view returns (bool) {
        return _s().records[_key(dataRoot, epoch, quorumId)] != bytes32(0);
    }

    /// @inheritdoc IDAEntrance
    function verifiedCommitment(bytes32 dataRoot, uint256 epoch, uint256 quorumId) external view returns (bytes32) {
        bytes32 record = _s().records[_key(dataRoot, epoch, quorumId)];
        return record == PAID ? bytes32(0) : record;
    }

    /// @inheritdoc IDAEntrance
    function blobPrice() external view returns (uint256) {
        return _s().blobPrice;
    }

    /// @inheritdoc IDAEntrance
    function registry() external view returns (address) {
        return address(_s().registry);
    }

    /// @inheritdoc ProtocolUpgradeable
    function contractName() public pure override returns (string memory) {
        return "DAEntrance";
    }

    /// @inheritdoc ProtocolUpgradeable
    function version() external pure override returns (string memory) {
        return "1.0.0";
    }

    // ------------------------------------------------------------------ internals

    function _verify(EntranceLayout storage $, CommitRootSubmission calldata sub) internal {
        bytes32 key = _key(sub.dataRoot, sub.epoch, sub.quorumId);
        bytes32 record = $.records[key];
        if (record == bytes32(0)) revert DAEntranceDataRootNotPaid(sub.dataRoot, sub.epoch, sub.quorumId);
        if (record != PAID) revert DAEntranceAlreadyVerified(sub.dataRoot);

        (BN254.G1Point memory apk, uint256 signedWeight, uint256 totalWeight) = $.registry.signersAggregate(
            sub.epoch,
            sub.quorumId,
            sub.nonSignerPubkeys
        );
        // 3·signed ≥ 2·total, and someone signed. Weights are stake in wei (< 2^128), so neither product overflows.
        if (signedWeight == 0 || signedWeight * 3 < totalWeight * 2) {
            revert DAEntranceInsufficientSignedWeight(signedWeight, totalWeight);
        }

        bytes32 message = _commitMessage(sub.dataRoot, sub.epoch, sub.quorumId, sub.commitment);
        if (!_signatureValid(message, apk, sub.apkG2, sub.sigma)) revert DAEntranceInvalidSignature();

        $.records[key] = keccak256(abi.encode(sub.commitment.X, sub.commitment.Y));
        emit CommitRootVerified(sub.dataRoot, sub.epoch, sub.quorumId, sub.commitment, signedWeight, totalWeight);
    }

    /// @dev One pairing checks e(σ, g2) = e(H(m), apkG2) and e(apk1, g2) = e(g1, apkG2) together: with γ a hash
    /// of every input, e(σ + γ·apk1, −g2) · e(H(m) + γ·g1, apkG2) = 1 holds for a random γ only when both do.
    function _signatureValid(
        bytes32 message,
        BN254.G1Point memory apk1,
        BN254.G2Point calldata apkG2,
        BN254.G1Point calldata sigma
    ) internal view returns (bool) {
        BN254.G1Point memory h = BN254.hashToG1(message);
        uint256 gamma =
            uint256(keccak256(abi.encode(message, apk1.X, apk1.Y, apkG2.X, apkG2.Y, sigma.X, sigma.Y))) %
                BN254.FR_MODULUS;
        BN254.G1Point memory s = sigma;
        return
            BN254.pairing(
                s.plus(apk1.scalarMul(gamma)),
                BN254.negGeneratorG2(),
                h.plus(BN254.generatorG1().scalarMul(gamma)),
                apkG2
            );
    }

    function _commitMessage(
        bytes32 dataRoot,
        uint256 epoch,
        uint256 quorumId,
        BN254.G1Point calldata commitment
    ) internal pure returns (bytes32) {
        return keccak256(abi.encode(dataRoot, epoch, quorumId, commitment.X, commitment.Y));
    }

    function _key(bytes32 dataRoot, uint256 epoch, uint256 quorumId) internal pure returns (bytes32) {
        return keccak256(abi.encode(dataRoot, epoch, quorumId));
    }

    function _send(address to, uint256 amount) internal {
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, ) = payable(to).call{value: amount}("");
        if (!ok) revert DAEntranceTransferFailed(to);
    }

    function _s() private pure returns (EntranceLayout storage $) {
        bytes32 slot = STORAGE_SLOT;
        // solhint-disable-next-line no-inline-assembly
        assembly {
            $.slot := slot
        }
    }
}
