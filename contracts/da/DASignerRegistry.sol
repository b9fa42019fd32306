// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// solhint-disable gas-strict-inequalities

import {ProtocolUpgradeable} from "../common/access/ProtocolUpgradeable.sol";
import {BN254} from "../common/libraries/BN254.sol";
import {IStaking} from "../staking/interfaces/IStaking.sol";
import {IDASignerRegistry} from "./interfaces/IDASignerRegistry.sol";

/// @title DASignerRegistry
/// @notice The data-availability signer registry (0G keeps it in a chain precompile; here it is Solidity).
/// Validators register BN254 BLS keys with a proof of possession; signers fill quorums of `maxQuorumSize` in
/// registration order; each quorum's aggregate G1 key is kept per epoch as checkpoints, updated once per
/// registration, so a certificate check never loops over the members. Weights are the members'
/// `serviceStake` in Staking, fixed once per epoch and quorum by `snapshotWeights`.
/// @dev Registration takes effect from the next epoch; there is no deregistration yet (a signer whose validator
/// leaves the service or is jailed weighs 0 from the next snapshot on and only costs non-signer gas).
contract DASignerRegistry is IDASignerRegistry, ProtocolUpgradeable {
    using BN254 for BN254.G1Point;

    /// @notice Role of the contracts that may slash a signer's validator through this registry (the DA service).
    bytes32 public constant SLASHER_ROLE = keccak256("SLASHER_ROLE");

    /// @notice Domain tag of the proof-of-possession message.
    bytes32 public constant POP_DOMAIN = keccak256("zg.da.DASignerRegistry.pop.v1");

    uint256 internal constant MIN_EPOCH_LENGTH = 60;
    uint256 internal constant MAX_EPOCH_LENGTH = 30 days;
    uint256 internal constant MAX_QUORUM_SIZE_CAP = 256;
    uint256 internal constant MAX_SOCKET_LENGTH = 256;

    /// @notice Who holds a key and where it counts, packed in one slot so a non-signer costs one read.
    struct Membership {
        address signer;
        uint32 quorumId;
        uint64 activeFromEpoch;
    }

    /// @notice A quorum's weights fixed for one epoch.
    struct WeightSnapshot {
        bool taken;
        uint256 totalWeight;
        mapping(address signer => uint256) weightOf;
    }

    /// @custom:storage-location erc7201:zg.storage.DASignerRegistry
    struct RegistryLayout {
        IStaking staking;
        uint64 epochLength;
        uint32 maxQuorumSize;
        uint32 signerCount;
        mapping(address signer => Signer) signers;
        mapping(bytes32 pubkeyHash => Membership) membership;
        mapping(uint256 quorumId => address[]) members;
        mapping(uint256 quorumId => QuorumCheckpoint[]) quorumHistory;
        QuorumCountCheckpoint[] quorumCountHistory;
        mapping(uint256 epoch => mapping(uint256 quorumId => WeightSnapshot)) snapshots;
    }

    // keccak256(abi.encode(uint256(keccak256("zg.storage.DASignerRegistry")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0x8d018667bf5887605f604ed4e81e8bda20278f4e2e7a7c78479a7c2b6b632500;

    /// @inheritdoc IDASignerRegistry
    function initialize(
        address admin,
        address pauser,
        address staking_,
        uint64 epochLength_,
        uint32 maxQuorumSize_
    ) external initializer {
        __Protocol_init(admin, pauser);
        if (staking_ == address(0)) revert DASignerRegistryZeroStaking();
        if (epochLength_ < MIN_EPOCH_LENGTH || epochLength_ > MAX_EPOCH_LENGTH) {
            revert DASignerRegistryInvalidParam("epochLength", epochLength_);
        }
        if (maxQuorumSize_ == 0 || maxQuorumSize_ > MAX_QUORUM_SIZE_CAP) {
            revert DASignerRegistryInvalidParam("maxQuorumSize", maxQuorumSize_);
        }
        RegistryLayout storage $ = _s();
        $.staking = IStaking(staking_);
        $.epochLength = epochLength_;
        $.maxQuorumSize = maxQuorumSize_;
    }

    // ------------------------------------------------------------------ signers

    /// @inheritdoc IDASignerRegistry
    function register(
        BN254.G1Point calldata pk1,
        BN254.G2Point calldata pk2,
        BN254.G1Point calldata popSignature,
        string calldata socket
    ) external whenNotPaused {
        RegistryLayout storage $ = _s();
        address signer = msg.sender;
        if ($.signers[signer].pubkeyHash != bytes32(0)) revert DASignerRegistryAlreadyRegistered(signer);
        if (!$.staking.isOptedIn(signer, address(this))) revert DASignerRegistryNotOptedIn(signer);
        _checkSocket(socket);
        BN254.G1Point memory p1 = pk1;
        if (p1.isZero() || !p1.isOnCurve()) revert DASignerRegistryInvalidPubkey();
        bytes32 pubkeyHash = keccak256(abi.encode(p1.X, p1.Y));
        address owner = $.membership[pubkeyHash].signer;
        if (owner != address(0)) revert DASignerRegistryPubkeyInUse(owner);
        _checkProofOfPossession(p1, pk2, popSignature, popMessage(signer));
        (uint32 quorumId, uint64 activeFrom) = _enroll($, signer, pubkeyHash, p1, pk2, socket);
        emit SignerRegistered(signer, pubkeyHash, quorumId, activeFrom, socket);
    }

    /// @inheritdoc IDASignerRegistry
    function updateSocket(string calldata socket) external whenNotPaused {
        RegistryLayout storage $ = _s();
        Signer storage s = $.signers[msg.sender];
        if (s.pubkeyHash == bytes32(0)) revert DASignerRegistryUnknownSigner(msg.sender);
        _checkSocket(socket);
        s.socket = socket;
        emit SocketUpdated(msg.sender, socket);
    }

    /// @inheritdoc IDASignerRegistry
    function snapshotWeights(uint256 epoch, uint256 quorumId) external whenNotPaused {
        RegistryLayout storage $ = _s();
        uint256 current = _currentEpoch($);
        if (epoch > current) revert DASignerRegistryFutureEpoch(epoch, current);
        (uint256 size, ) = _quorumAt($, epoch, quorumId);
        if (size == 0) revert DASignerRegistryUnknownQuorum(epoch, quorumId);
        WeightSnapshot storage snap = $.snapshots[epoch][quorumId];
        if (snap.taken) revert DASignerRegistryAlreadySnapshotted(epoch, quorumId);
        address[] storage members = $.members[quorumId];
        IStaking staking_ = $.staking;
        uint256 total;
        // Bounded by maxQuorumSize (≤ 256) members.
        for (uint256 i = 0; i < size; ++i) {
            address member = members[i];
            uint256 w = staking_.serviceStake(member, address(this));
            if (w != 0) {
                snap.weightOf[member] = w;
                total += w;
            }
        }
        snap.taken = true;
        snap.totalWeight = total;
        emit WeightsSnapshotted(epoch, quorumId, size, total);
    }

    /// @inheritdoc IDASignerRegistry
    function slashSigner(address signer, uint32 ppm, bytes32 reason, bool jail) external onlyRole(SLASHER_ROLE) {
        RegistryLayout storage $ = _s();
        if ($.signers[signer].pubkeyHash == bytes32(0)) revert DASignerRegistryUnknownSigner(signer);
        $.staking.slash(signer, ppm, reason, jail);
        emit SignerSlashed(signer, msg.sender, ppm, reason, jail);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IDASignerRegistry
    function signersAggregate(
        uint256 epoch,
        uint256 quorumId,
        BN254.G1Point[] calldata nonSigners
    ) external view returns (BN254.G1Point memory apk, uint256 signedWeight, uint256 totalWeight) {
        RegistryLayout storage $ = _s();
        uint256 size;
        (size, apk) = _quorumAt($, epoch, quorumId);
        if (size == 0) revert DASignerRegistryUnknownQuorum(epoch, quorumId);
        WeightSnapshot storage snap = $.snapshots[epoch][quorumId];
        if (!snap.taken) revert DASignerRegistryNotSnapshotted(epoch, quorumId);
        totalWeight = snap.totalWeight;
        (BN254.G1Point memory absentKey, uint256 absentWeight) = _absentMembers($, snap, epoch, quorumId, nonSigners);
        apk = apk.plus(absentKey.negate());
        // Every absent member's weight is part of the total it was summed into.
        signedWeight = totalWeight - absentWeight;
    }

    /// @inheritdoc IDASignerRegistry
    function currentEpoch() external view returns (uint256) {
        return _currentEpoch(_s());
    }

    /// @inheritdoc IDASignerRegistry
    function epochLength() external view returns (uint64) {
        return _s().epochLength;
    }

    /// @inheritdoc IDASignerRegistry
    function maxQuorumSize() external view returns (uint32) {
        return _s().maxQuorumSize;
    }

    /// @inheritdoc IDASignerRegistry
    function staking() external view returns (address) {
        return address(_s().staking);
    }

    /// @inheritdoc IDASignerRegistry
    function quorumCount(uint256 epoch) external view returns (uint256) {
        QuorumCountCheckpoint[] storage history = _s().quorumCountHistory;
        uint256 lo = 0;
        uint256 hi = history.length;
        // Binary search for the last checkpoint with fromEpoch ≤ epoch.
        while (lo < hi) {
            uint256 mid = (lo + hi) / 2;
            if (history[mid].fromEpoch > epoch) hi = mid;
            else lo = mid + 1;
        }
        return lo == 0 ? 0 : history[lo - 1].count;
    }

    /// @inheritdoc IDASignerRegistry
    function quorumAt(uint256 epoch, uint256 quorumId) external view returns (uint256 size, BN254.G1Point memory apk) {
        return _quorumAt(_s(), epoch, quorumId);
    }

    /// @inheritdoc IDASignerRegistry
    function quorumMember(uint256 quorumId, uint256 index) external view returns (address) {
        return _s().members[quorumId][index];
    }

    /// @inheritdoc IDASignerRegistry
    function getSigner(address signer) external view returns (Signer memory) {
        Signer storage s = _s().signers[signer];
        if (s.pubkeyHash == bytes32(0)) revert DASignerRegistryUnknownSigner(signer);
        return s;
    }

    /// @inheritdoc IDASignerRegistry
    function signerOf(bytes32 pubkeyHash) external view returns (address) {
        return _s().membership[pubkeyHash].signer;
    }

    /// @inheritdoc IDASignerRegistry
    function signerCount() external view returns (uint256) {
        return _s().signerCount;
    }

    /// @inheritdoc IDASignerRegistry
    function weightAt(
        uint256 epoch,
        uint256 quorumId,
        address signer
    ) external view returns (uint256 weight, uint256 totalWeight, bool snapshotted) {
        WeightSnapshot storage snap = _s().snapshots[epoch][quorumId];
        return (snap.weightOf[signer], snap.totalWeight, snap.taken);
    }

    /// @inheritdoc IDASignerRegistry
    function popMessage(address signer) public view returns (bytes32) {
        return keccak256(abi.encode(signer, block.chainid, POP_DOMAIN));
    }

    /// @inheritdoc ProtocolUpgradeable
    function contractName() public pure override returns (string memory) {
        return "DASignerRegistry";
    }

    /// @inheritdoc ProtocolUpgradeable
    function version() external pure override returns (string memory) {
        return "1.1.0";
    }

    // ------------------------------------------------------------------ internals

    /// @dev One pairing checks both e(σ, g2) = e(H(m), pk2) and e(pk1, g2) = e(g1, pk2): with γ a hash of every
    /// input, e(σ + γ·pk1, −g2) · e(H(m) + γ·g1, pk2) = 1 holds for a random γ only when both do. The pairing
    /// precompile also rejects a pk2 that is off the curve or outside the subgroup.
    function _checkProofOfPossession(
        BN254.G1Point memory pk1,
        BN254.G2Point calldata pk2,
        BN254.G1Point calldata sig,
        bytes32 message
    ) internal view {
        BN254.G1Point memory h = BN254.hashToG1(message);
        uint256 gamma =
            uint256(keccak256(abi.encode(sig.X, sig.Y, pk1.X, pk1.Y, pk2.X, pk2.Y, h.X, h.Y))) % BN254.FR_MODULUS;
        BN254.G1Point memory s = sig;
        bool ok = BN254.pairing(
            s.plus(pk1.scalarMul(gamma)),
            BN254.negGeneratorG2(),
            h.plus(BN254.generatorG1().scalarMul(gamma)),
            pk2
        );
        if (!ok) revert DASignerRegistryInvalidProofOfPossession();
    }

    /// @dev Stores a checked signer, appends it to the last quorum (a new one when full) and adds its key to
    /// that quorum's aggregate from the next epoch on.
    function _enroll(
        RegistryLayout storage $,
        address signer,
        bytes32 pubkeyHash,
        BN254.G1Point memory p1,
        BN254.G2Point calldata pk2,
        string calldata socket
    ) internal returns (uint32 quorumId, uint64 activeFrom) {
        activeFrom = uint64(_currentEpoch($) + 1);
        uint32 count = $.signerCount;
        // maxQuorumSize ≥ 1, so the division is defined.
        quorumId = count / $.maxQuorumSize;
        uint32 index = uint32($.members[quorumId].length);
        $.signerCount = count + 1;
        $.members[quorumId].push(signer);
        $.membership[pubkeyHash] = Membership({signer: signer, quorumId: quorumId, activeFromEpoch: activeFrom});
        Signer storage s = $.signers[signer];
        s.pubkeyHash = pubkeyHash;
        s.activeFromEpoch = activeFrom;
        s.quorumId = quorumId;
        s.index = index;
        s.pk1 = p1;
        s.pk2 = pk2;
        s.socket = socket;
        _addToQuorum($, quorumId, activeFrom, p1);
        if (index == 0) _pushQuorumCount($, activeFrom, quorumId + 1);
    }

    function _checkSocket(string calldata socket) internal pure {
        uint256 len = bytes(socket).length;
        if (len == 0 || len > MAX_SOCKET_LENGTH) revert DASignerRegistryInvalidSocket(len);
    }

    /// @dev The sum of the non-signers' keys and weights; each must be a member counted in `epoch`, and the keys
    /// must come in strictly increasing hash order so that none is subtracted twice.
    function _absentMembers(
        RegistryLayout storage $,
        WeightSnapshot storage snap,
        uint256 epoch,
        uint256 quorumId,
        BN254.G1Point[] calldata nonSigners
    ) internal view returns (BN254.G1Point memory sum, uint256 weight) {
        bytes32 previous;
        uint256 n = nonSigners.length;
        for (uint256 i = 0; i < n; ++i) {
            BN254.G1Point memory pk = nonSigners[i];
            bytes32 h = keccak256(abi.encode(pk.X, pk.Y));
            if (uint256(h) <= uint256(previous)) revert DASignerRegistryNonSignersNotSorted(i);
            previous = h;
            weight += _memberWeight($, snap, epoch, quorumId, h);
            sum = sum.plus(pk);
        }
    }

    /// @dev The snapshotted weight of the member whose key hashes to `h`; reverts when it is not a member of the
    /// quorum counted in `epoch` (an unknown key has an empty membership: signer 0).
    function _memberWeight(
        RegistryLayout storage $,
        WeightSnapshot storage snap,
        uint256 epoch,
        uint256 quorumId,
        bytes32 h
    ) internal view returns (uint256) {
        Membership memory m = $.membership[h];
        if (m.signer == address(0) || m.quorumId != quorumId || m.activeFromEpoch > epoch) {
            revert DASignerRegistryNotQuorumMember(h);
        }
        return snap.weightOf[m.signer];
    }

    /// @dev Adds `pk` to the quorum from `fromEpoch` on: updates the pending checkpoint or starts one.
    function _addToQuorum(
        RegistryLayout storage $,
        uint256 quorumId,
        uint64 fromEpoch,
        BN254.G1Point memory pk
    ) internal {
        QuorumCheckpoint[] storage history = $.quorumHistory[quorumId];
        uint256 len = history.length;
        if (len == 0) {
            history.push(QuorumCheckpoint({fromEpoch: fromEpoch, size: 1, apk: pk}));
            return;
        }
        QuorumCheckpoint storage last = history[len - 1];
        if (last.fromEpoch == fromEpoch) {
            ++last.size;
            last.apk = last.apk.plus(pk);
        } else {
            history.push(QuorumCheckpoint({fromEpoch: fromEpoch, size: last.size + 1, apk: last.apk.plus(pk)}));
        }
    }

    function _pushQuorumCount(RegistryLayout storage $, uint64 fromEpoch, uint32 count) internal {
        QuorumCountCheckpoint[] storage history = $.quorumCountHistory;
        uint256 len = history.length;
        if (len != 0 && history[len - 1].fromEpoch == fromEpoch) history[len - 1].count = count;
        else history.push(QuorumCountCheckpoint({fromEpoch: fromEpoch, count: count}));
    }

    /// @dev The last checkpoint with fromEpoch ≤ epoch, by binary search.
    function _quorumAt(
        RegistryLayout storage $,
        uint256 epoch,
        uint256 quorumId
    ) internal view returns (uint256 size, BN254.G1Point memory apk) {
        QuorumCheckpoint[] storage history = $.quorumHistory[quorumId];
        uint256 lo = 0;
        uint256 hi = history.length;
        while (lo < hi) {
            uint256 mid = (lo + hi) / 2;
            if (history[mid].fromEpoch > epoch) hi = mid;
            else lo = mid + 1;
        }
        if (lo == 0) return (0, BN254.G1Point(0, 0));
        QuorumCheckpoint storage c = history[lo - 1];
        return (c.size, c.apk);
    }

    function _currentEpoch(RegistryLayout storage $) internal view returns (uint256) {
        return block.timestamp / $.epochLength;
    }

    function _s() private pure returns (RegistryLayout storage $) {
        bytes32 slot = STORAGE_SLOT;
        // solhint-disable-next-line no-inline-assembly
        assembly {
            $.slot := slot
        }
    }
}
