// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Bounds read as the rules state them (answer by block ≤ deadline); strict rewrites would obscure them.
// solhint-disable gas-strict-inequalities

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ProtocolUpgradeable} from "../common/access/ProtocolUpgradeable.sol";
import {BN254} from "../common/libraries/BN254.sol";
import {IDAChallenge} from "./interfaces/IDAChallenge.sol";
import {IDAEntrance} from "./interfaces/IDAEntrance.sol";
import {IDASignerRegistry} from "./interfaces/IDASignerRegistry.sol";
import {SampleLib} from "./libraries/SampleLib.sol";

/// @title DAChallenge
/// @notice Slashing for unavailable blobs. Anyone may challenge the signer assigned to a line of a verified blob,
/// posting a bond and the blob's certificate (commitment and non-signers, checked against the entrance's record)
/// to show that the signer signed it. The signer shows the subline and its merkle proof within `responseWindow`
/// blocks and takes the bond; otherwise anyone finalizes, the signer's validator is slashed `slashPpm` in Staking
/// through the registry's `slashSigner` (this contract holds the registry's SLASHER_ROLE), and the challenger gets
/// the bond back. Bonds are credited and withdrawn (pull), so no recipient can block a challenge.
contract DAChallenge is IDAChallenge, ProtocolUpgradeable, ReentrancyGuardTransient {
    /// @notice The reason code passed to Staking's `slash`.
    bytes32 public constant UNAVAILABLE_REASON = keccak256("zg.da.DAChallenge.unavailable");

    uint256 internal constant PPM = 1e6;
    uint256 internal constant MAX_WINDOW = 1e6;
    uint256 internal constant MAX_CHALLENGE_EPOCHS = 1000;

    /// @custom:storage-location erc7201:zg.storage.DAChallenge
    struct ChallengeLayout {
        IDAEntrance entrance;
        IDASignerRegistry registry;
        ChallengeParams params;
        uint256 count;
        mapping(uint256 challengeId => Challenge) challenges;
        mapping(bytes32 positionKey => uint256 challengeId) openAt;
        mapping(address account => uint256) credits;
    }

    // keccak256(abi.encode(uint256(keccak256("zg.storage.DAChallenge")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0xe091999a48050f946c032f1c2e70579a8902476d3859f35d4129634f25577400;

    /// @inheritdoc IDAChallenge
    function initialize(
        address admin,
        address pauser,
        address entrance_,
        ChallengeParams calldata params
    ) external initializer {
        __Protocol_init(admin, pauser);
        if (entrance_ == address(0)) revert DAChallengeZeroAddress();
        ChallengeLayout storage $ = _s();
        $.entrance = IDAEntrance(entrance_);
        $.registry = IDASignerRegistry(IDAEntrance(entrance_).registry());
        _setParams($, params);
    }

    /// @inheritdoc IDAChallenge
    function openChallenge(
        ChallengeRequest calldata req
    ) external payable whenNotPaused nonReentrant returns (uint256 challengeId) {
        ChallengeLayout storage $ = _s();
        ChallengeParams memory p = $.params;
        if (msg.value != p.bond) revert DAChallengeWrongBond(msg.value, p.bond);
        uint256 current = $.registry.currentEpoch();
        if (uint256(req.epoch) + p.challengeEpochs < current) revert DAChallengeEpochOutOfRange(req.epoch, current);
        if (
            !$.entrance.matchesCertificate(req.dataRoot, req.epoch, req.quorumId, req.commitment, req.nonSignerPubkeys)
        ) {
            revert DAChallengeCertificateMismatch(req.dataRoot, req.epoch, req.quorumId);
        }
        SampleLib.checkPosition(
            req.dataRoot,
            req.rowsRoot,
            req.cols,
            req.dataRows,
            req.codedRows,
            req.lineIndex,
            req.sublineIndex
        );
        address signer = _signerOf($, req);
        bytes32 key = _positionKey(req.dataRoot, req.epoch, req.quorumId, req.lineIndex, req.sublineIndex);
        uint256 open = $.openAt[key];
        if (open != 0) revert DAChallengeAlreadyOpen(open);

        challengeId = ++$.count;
        $.openAt[key] = challengeId;
        // block.number + a window ≤ 1e6 stays far below 2^64.
        uint64 deadline = uint64(block.number + p.responseWindow);
        $.challenges[challengeId] = Challenge({
            challenger: msg.sender,
            deadline: deadline,
            status: ChallengeStatus.Open,
            signer: signer,
            bond: p.bond,
            dataRoot: req.dataRoot,
            rowsRoot: req.rowsRoot,
            epoch: req.epoch,
            quorumId: req.quorumId,
            cols: req.cols,
            codedRows: req.codedRows,
            lineIndex: req.lineIndex,
            sublineIndex: req.sublineIndex
        });
        _emitOpened(challengeId, signer, req, deadline);
    }

    /// @inheritdoc IDAChallenge
    function respondChallenge(
        uint256 challengeId,
        bytes calldata data,
        bytes32[] calldata proof
    ) external nonReentrant {
        ChallengeLayout storage $ = _s();
        Challenge storage c = _open($, challengeId);
        if (block.number > c.deadline) revert DAChallengeWindowClosed(challengeId, c.deadline);
        SampleLib.checkProof(c.rowsRoot, c.cols, c.codedRows, c.lineIndex, c.sublineIndex, data, proof);
        c.status = ChallengeStatus.Answered;
        _close($, c);
        address signer = c.signer;
        uint256 bond = c.bond;
        $.credits[signer] += bond;
        emit ChallengeAnswered(challengeId, signer, msg.sender, bond);
    }

    /// @inheritdoc IDAChallenge
    function finalizeChallenge(uint256 challengeId) external whenNotPaused nonReentrant {
        ChallengeLayout storage $ = _s();
        Challenge storage c = _open($, challengeId);
        if (block.number <= c.deadline) revert DAChallengeWindowOpen(challengeId, c.deadline);
        c.status = ChallengeStatus.Slashed;
        _close($, c);
        $.credits[c.challenger] += c.bond;
        address signer = c.signer;
        ChallengeParams memory p = $.params;
        bool slashed = true;
        bytes memory slashError;
        // The registry and Staking are protocol contracts behind the same governance; a refusal (cap reached,
        // validator opted out, service off) must not lock the challenger's bond, so it is recorded, not bubbled.
        try $.registry.slashSigner(signer, p.slashPpm, UNAVAILABLE_REASON, p.jail) {} catch (bytes memory err) {
            c.status = ChallengeStatus.Unslashed;
            slashed = false;
            slashError = err;
        }
        emit ChallengeFinalized(challengeId, signer, slashed, p.slashPpm, slashError);
    }

    /// @inheritdoc IDAChallenge
    function withdraw() external nonReentrant returns (uint256 amount) {
        ChallengeLayout storage $ = _s();
        amount = $.credits[msg.sender];
        if (amount == 0) revert DAChallengeNothingToWithdraw(msg.sender);
        $.credits[msg.sender] = 0;
        emit BondWithdrawn(msg.sender, amount);
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, ) = payable(msg.sender).call{value: amount}("");
        if (!ok) revert DAChallengeTransferFailed(msg.sender);
    }

    /// @inheritdoc IDAChallenge
    function setParams(ChallengeParams calldata params) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setParams(_s(), params);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IDAChallenge
    function getChallenge(uint256 challengeId) external view returns (Challenge memory) {
        return _s().challenges[challengeId];
    }

    /// @inheritdoc IDAChallenge
    function openChallengeAt(
        bytes32 dataRoot,
        uint256 epoch,
        uint256 quorumId,
        uint256 lineIndex,
        uint256 sublineIndex
    ) external view returns (uint256) {
        return _s().openAt[_positionKey(dataRoot, epoch, quorumId, lineIndex, sublineIndex)];
    }

    /// @inheritdoc IDAChallenge
    function challengeCount() external view returns (uint256) {
        return _s().count;
    }

    /// @inheritdoc IDAChallenge
    function credited(address account) external view returns (uint256) {
        return _s().credits[account];
    }

    /// @inheritdoc IDAChallenge
    function getParams() external view returns (ChallengeParams memory) {
        return _s().params;
    }

    /// @inheritdoc IDAChallenge
    function entrance() external view returns (address) {
        return address(_s().entrance);
    }

    /// @inheritdoc ProtocolUpgradeable
    function contractName() public pure override returns (string memory) {
        return "DAChallenge";
    }

    /// @inheritdoc ProtocolUpgradeable
    function version() external pure override returns (string memory) {
        return "1.0.0";
    }

    // ------------------------------------------------------------------ internals

    /// @dev The signer the line is assigned to, which must not be among the certificate's non-signers: with the
    /// certificate matching the entrance's record, every quorum member not listed there signed the blob.
    function _signerOf(
        ChallengeLayout storage $,
        ChallengeRequest calldata req
    ) internal view returns (address signer) {
        IDASignerRegistry registry = $.registry;
        (uint256 size, ) = registry.quorumAt(req.epoch, req.quorumId);
        // A verified blob's quorum had members in its epoch, so size > 0.
        signer = registry.quorumMember(req.quorumId, req.lineIndex % size);
        bytes32 pubkeyHash = registry.getSigner(signer).pubkeyHash;
        BN254.G1Point[] calldata nonSigners = req.nonSignerPubkeys;
        uint256 n = nonSigners.length;
        for (uint256 i = 0; i < n; ++i) {
            if (keccak256(abi.encode(nonSigners[i].X, nonSigners[i].Y)) == pubkeyHash) {
                revert DAChallengeSignerDidNotSign(signer);
            }
        }
    }

    function _open(ChallengeLayout storage $, uint256 challengeId) internal view returns (Challenge storage c) {
        c = $.challenges[challengeId];
        if (c.status != ChallengeStatus.Open) revert DAChallengeNotOpen(challengeId);
    }

    function _close(ChallengeLayout storage $, Challenge storage c) internal {
        delete $.openAt[_positionKey(c.dataRoot, c.epoch, c.quorumId, c.lineIndex, c.sublineIndex)];
    }

    function _emitOpened(uint256 challengeId, address signer, ChallengeRequest calldata req, uint64 deadline) internal {
        emit ChallengeOpened(
            challengeId,
            signer,
            req.dataRoot,
            msg.sender,
            req.epoch,
            req.quorumId,
            req.lineIndex,
            req.sublineIndex,
            deadline
        );
    }

    function _setParams(ChallengeLayout storage $, ChallengeParams calldata p) internal {
        if (p.bond == 0) revert DAChallengeInvalidParam("bond", 0);
        if (p.responseWindow == 0 || p.responseWindow > MAX_WINDOW) {
            revert DAChallengeInvalidParam("responseWindow", p.responseWindow);
        }
        if (p.slashPpm == 0 || p.slashPpm > PPM) revert DAChallengeInvalidParam("slashPpm", p.slashPpm);
        if (p.challengeEpochs == 0 || p.challengeEpochs > MAX_CHALLENGE_EPOCHS) {
            revert DAChallengeInvalidParam("challengeEpochs", p.challengeEpochs);
        }
        $.params = p;
        emit ParamsUpdated(p);
    }

    function _positionKey(
        bytes32 dataRoot,
        uint256 epoch,
        uint256 quorumId,
        uint256 lineIndex,
        uint256 sublineIndex
    ) internal pure returns (bytes32) {
        return keccak256(abi.encode(dataRoot, epoch, quorumId, lineIndex, sublineIndex));
    }

    function _s() private pure returns (ChallengeLayout storage $) {
        bytes32 slot = STORAGE_SLOT;
        // solhint-disable-next-line no-inline-assembly
        assembly {
            $.slot := slot
        }
    }
}
