// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ProtocolUpgradeable} from "../common/access/ProtocolUpgradeable.sol";
import {BN254} from "../common/libraries/BN254.sol";
import {IDAEntrance} from "./interfaces/IDAEntrance.sol";
import {IDASignerRegistry} from "./interfaces/IDASignerRegistry.sol";

/// @title DAEntrance
/// @notice Where blobs enter the data-availability layer. `submitOriginalData` takes the blob price for each data
/// root and assigns it to a quorum of the current epoch; `submitVerifiedCommitRoots` accepts a blob's erasure
/// commitment once the quorum's aggregate BLS signature over (root, epoch, quorum, commitment) verifies in one
/// pairing against the quorum's aggregate key minus the non-signers', and the signers hold ≥ 2/3 of the weight.
/// Each epoch's fees, less a service fee, become that epoch's sampling reward pool: the sampler (SAMPLER_ROLE)
/// pulls them once the epoch is over (`releaseEpochFees`), so paying for a blob costs no extra call or slot.
contract DAEntrance is IDAEntrance, ProtocolUpgradeable, ReentrancyGuardTransient {
    using BN254 for BN254.G1Point;

    /// @notice Most data roots or certificates in one call.
    uint256 public constant MAX_BATCH = 64;

    /// @notice Role of the sampler, which pulls each finished epoch's fees into its reward pool.
    bytes32 public constant SAMPLER_ROLE = keccak256("SAMPLER_ROLE");

    /// @notice Parts per million: the unit of `serviceFeePpm`.
    uint256 internal constant PPM = 1e6;

    /// @notice The highest service fee: half of the fees.
    uint256 internal constant MAX_SERVICE_FEE_PPM = 500_000;

    /// @dev Record value of a root that is paid for and not yet verified.
    bytes32 internal constant PAID = bytes32(uint256(1));

    /// @notice The round-robin position and the fees accrued in the epoch of the last payment, in one slot that
    /// every payment writes anyway (nextQuorum sits in the low 64 bits, where the old uint256 kept it).
    struct FeeCursor {
        uint64 nextQuorum;
        uint64 epoch;
        uint128 accrued;
    }

    /// @notice The fees of a past epoch (moved out of the cursor when a payment opens a new epoch).
    struct EpochFees {
        uint128 gross;
        bool released;
    }

    /// @custom:storage-location erc7201:zg.storage.DAEntrance
    struct EntranceLayout {
        IDASignerRegistry registry;
        uint256 blobPrice;
        FeeCursor cursor;
        // keccak256(abi.encode(dataRoot, epoch, quorumId)) => 0 (unknown), PAID, or the certificate hash.
        mapping(bytes32 key => bytes32) records;
        uint32 serviceFeePpm;
        uint256 serviceFees;
        mapping(uint256 epoch => EpochFees) epochFees;
    }

    // keccak256(abi.encode(uint256(keccak256("zg.storage.DAEntrance")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0xeb7c450741e8443cce7dd9aedc09ddc7c40bfe749ef50727823eb24990414300;

    /// @inheritdoc IDAEntrance
    function initialize(
        address admin,
        address pauser,
        address registry_,
        uint256 blobPrice_,
        uint32 serviceFeePpm_
    ) external initializer {
        __Protocol_init(admin, pauser);
        if (registry_ == address(0)) revert DAEntranceZeroRegistry();
        EntranceLayout storage $ = _s();
        $.registry = IDASignerRegistry(registry_);
        $.blobPrice = blobPrice_;
        emit BlobPriceUpdated(blobPrice_);
        _setServiceFee($, serviceFeePpm_);
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
        FeeCursor memory c = $.cursor;
        if (c.epoch != epoch) {
            // The cursor's epoch is over: its fees move to their own slot (once per epoch), unless released.
            if (c.accrued != 0) $.epochFees[c.epoch].gross = c.accrued;
            c.epoch = SafeCast.toUint64(epoch);
            c.accrued = 0;
        }
        uint256 next = c.nextQuorum;
        for (uint256 i = 0; i < n; ++i) {
            bytes32 root = dataRoots[i];
            if (root == bytes32(0)) revert DAEntranceZeroDataRoot();
            uint256 quorumId = (next + i) % quorums;
            bytes32 key = _key(root, epoch, quorumId);
            if ($.records[key] != bytes32(0)) revert DAEntranceAlreadySubmitted(root);
            $.records[key] = PAID;
            emit DataUploaded(msg.sender, root, epoch, quorumId, price);
        }
        // nextQuorum grows by at most 64 per call: 2^64 is out of reach.
        c.nextQuorum = uint64(next + n);
        c.accrued += SafeCast.toUint128(fee);
        $.cursor = c;
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
        EntranceLayout storage $ = _s();
        uint256 available = $.serviceFees;
        if (amount > available) revert DAEntranceExceedsServiceFees(amount, available);
        $.serviceFees = available - amount;
        emit FeesWithdrawn(to, amount);
        _send(to, amount);
    }

    /// @inheritdoc IDAEntrance
    function setServiceFeePpm(uint32 ppm) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setServiceFee(_s(), ppm);
    }

    /// @inheritdoc IDAEntrance
    function releaseEpochFees(uint256 epoch) external onlyRole(SAMPLER_ROLE) nonReentrant returns (uint256 pool) {
        EntranceLayout storage $ = _s();
        uint256 current = $.registry.currentEpoch();
        if (epoch + 1 > current) revert DAEntranceEpochNotOver(epoch, current);
        EpochFees storage f = $.epochFees[epoch];
        if (f.released) revert DAEntranceFeesAlreadyReleased(epoch);
        FeeCursor storage c = $.cursor;
        // An epoch's fees sit either in the cursor (no payment since it ended) or in their slot, never both.
        uint128 gross = f.gross;
        if (c.epoch == epoch) {
            gross = c.accrued;
            c.accrued = 0;
        }
        f.gross = gross;
        f.released = true;
        uint256 fee = (uint256(gross) * $.serviceFeePpm) / PPM;
        $.serviceFees += fee;
        pool = gross - fee;
        emit EpochFeesReleased(epoch, msg.sender, gross, fee, pool);
        if (pool != 0) _send(msg.sender, pool);
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
    function isVerified(bytes32 dataRoot, uint256 epoch, uint256 quorumId) external view returns (bool) {
        return _certificate(dataRoot, epoch, quorumId) != bytes32(0);
    }

    /// @inheritdoc IDAEntrance
    function certificateHash(bytes32 dataRoot, uint256 epoch, uint256 quorumId) external view returns (bytes32) {
        return _certificate(dataRoot, epoch, quorumId);
    }

    /// @inheritdoc IDAEntrance
    function matchesCertificate(
        bytes32 dataRoot,
        uint256 epoch,
        uint256 quorumId,
        BN254.G1Point calldata commitment,
        BN254.G1Point[] calldata nonSignerPubkeys
    ) external view returns (bool) {
        bytes32 record = _certificate(dataRoot, epoch, quorumId);
        return record != bytes32(0) && record == _certificateHash(commitment, nonSignerPubkeys);
    }

    /// @inheritdoc IDAEntrance
    function certificateHashOf(
        BN254.G1Point calldata commitment,
        BN254.G1Point[] calldata nonSignerPubkeys
    ) external pure returns (bytes32) {
        return _certificateHash(commitment, nonSignerPubkeys);
    }

    /// @inheritdoc IDAEntrance
    function epochFees(uint256 epoch) external view returns (uint256 gross, bool released) {
        EntranceLayout storage $ = _s();
        EpochFees storage f = $.epochFees[epoch];
        FeeCursor storage c = $.cursor;
        released = f.released;
        // Until released, a current (or not yet moved) epoch's fees sit in the cursor.
        gross = c.epoch == epoch && !released ? c.accrued : f.gross;
    }

    /// @inheritdoc IDAEntrance
    function serviceFeePpm() external view returns (uint32) {
        return _s().serviceFeePpm;
    }

    /// @inheritdoc IDAEntrance
    function serviceFees() external view returns (uint256) {
        return _s().serviceFees;
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
        return "1.1.0";
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

        $.records[key] = _certificateHash(sub.commitment, sub.nonSignerPubkeys);
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

    /// @dev The record binds the commitment and the non-signers, so a challenge can prove who signed.
    function _certificateHash(
        BN254.G1Point calldata commitment,
        BN254.G1Point[] calldata nonSignerPubkeys
    ) internal pure returns (bytes32) {
        return keccak256(abi.encode(commitment.X, commitment.Y, keccak256(abi.encode(nonSignerPubkeys))));
    }

    function _certificate(bytes32 dataRoot, uint256 epoch, uint256 quorumId) internal view returns (bytes32) {
        bytes32 record = _s().records[_key(dataRoot, epoch, quorumId)];
        return record == PAID ? bytes32(0) : record;
    }

    function _setServiceFee(EntranceLayout storage $, uint32 ppm) internal {
        if (ppm > MAX_SERVICE_FEE_PPM) revert DAEntranceInvalidServiceFee(ppm, MAX_SERVICE_FEE_PPM);
        $.serviceFeePpm = ppm;
        emit ServiceFeeUpdated(ppm);
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
