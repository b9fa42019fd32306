// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC721Upgradeable} from "@openzeppelin/contracts-upgradeable/token/ERC721/ERC721Upgradeable.sol";
import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {EIP712Upgradeable} from "@openzeppelin/contracts-upgradeable/utils/cryptography/EIP712Upgradeable.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {ERC721Utils} from "@openzeppelin/contracts/token/ERC721/utils/ERC721Utils.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ProtocolUpgradeable} from "../common/access/ProtocolUpgradeable.sol";
import {IAgentNFT} from "./interfaces/IAgentNFT.sol";
import {IInftTransferVerifier} from "./interfaces/IInftTransferVerifier.sol";

/// @title AgentNFT
/// @notice An ERC-7857 agent NFT. Each token holds private data entries (description, data hash, key commitment)
/// whose data is encrypted off chain under a per-entry data key; the key, sealed to the owner, is published in
/// events. A token moves only through `iTransferFrom` / `iCloneFrom` with, per entry, a verifier's proof that the
/// key was re-sealed to the receiver (TEE oracle signature or Groth16 proof) and the receiver's EIP-712 consent.
/// @dev Roles: DEFAULT_ADMIN_ROLE sets the verifiers; PAUSER_ROLE pauses mint, transfers, clones and updates.
/// Every proof names the token's transfer nonce, consumed by each transfer, clone and update, and a deadline.
contract AgentNFT is IAgentNFT, ProtocolUpgradeable, ERC721Upgradeable, EIP712Upgradeable, ReentrancyGuardTransient {
    /// @notice Most data entries per token.
    uint256 public constant MAX_ENTRIES = 8;
    /// @notice Most authorized users per token (transfers walk the list to clear it).
    uint256 public constant MAX_AUTHORIZED_USERS = 16;
    /// @notice Longest entry description, in bytes.
    uint256 public constant MAX_DESCRIPTION_LENGTH = 256;

    // solhint-disable gas-small-strings
    /// @notice EIP-712 type of the receiver's consent. `receiverKeyHash` is keccak256 of the receiver key bytes.
    bytes32 public constant CONSENT_TYPEHASH = keccak256(
        "TransferConsent(uint256 tokenId,address receiver,bool isClone,bytes32 dataHash,"
        "bytes32 receiverKeyHash,uint256 nonce,uint256 deadline)"
    );
    // solhint-enable gas-small-strings

    struct Token {
        IntelligentData[] datas;
        bytes[] sealedKeys;
        address[] authorizedUsers;
        uint256 nonce;
    }

    /// @custom:storage-location erc7201:zg.storage.AgentNFT
    struct AgentNFTLayout {
        uint256 nextTokenId;
        mapping(TransferMode mode => address) verifiers;
        mapping(uint256 tokenId => Token) tokens;
        mapping(uint256 tokenId => mapping(address user => bool)) authorized;
        mapping(address user => address) delegates;
    }

    // keccak256(abi.encode(uint256(keccak256("zg.storage.AgentNFT")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0xf054c22cb0888c3528290e37b7456c409632da8bd06c13d079a670dedf63fd00;

    /// @notice Sets up the collection: roles, name, symbol and the verifiers (either may be zero: that mode is off).
    /// @param admin Governance: admin and upgrader.
    /// @param pauser The guardian that may pause (none when zero).
    /// @param name_ The collection's name.
    /// @param symbol_ The collection's symbol.
    /// @param teeVerifier The TEE-mode verifier.
    /// @param zkVerifier The ZK-mode verifier.
    function initialize(
        address admin,
        address pauser,
        string calldata name_,
        string calldata symbol_,
        address teeVerifier,
        address zkVerifier
    ) external initializer {
        __Protocol_init(admin, pauser);
        __ERC721_init(name_, symbol_);
        __EIP712_init("AgentNFT", "1");
        _s().nextTokenId = 1;
        _setVerifier(TransferMode.Tee, teeVerifier);
        _setVerifier(TransferMode.Zk, zkVerifier);
    }

    // ------------------------------------------------------------------ minting and data

    /// @inheritdoc IAgentNFT
    function mint(
        address to,
        IntelligentData[] calldata datas,
        bytes[] calldata sealedKeys
    ) external whenNotPaused returns (uint256 tokenId) {
        if (to == address(0)) revert AgentNFTZeroAddress();
        AgentNFTLayout storage $ = _s();
        tokenId = $.nextTokenId;
        $.nextTokenId = tokenId + 1;
        _setDatas($.tokens[tokenId], datas, sealedKeys);
        // _mint, not _safeMint: the receiver hook is an external call and comes last, after the events.
        _mint(to, tokenId);
        emit Minted(tokenId, msg.sender, to);
        emit PublishedSealedKey(to, tokenId, sealedKeys);
        ERC721Utils.checkOnERC721Received(msg.sender, address(0), to, tokenId, "");
    }

    /// @inheritdoc IAgentNFT
    function update(
        uint256 tokenId,
        IntelligentData[] calldata newDatas,
        bytes[] calldata sealedKeys
    ) external whenNotPaused {
        address owner = _onlyOwner(tokenId);
        Token storage t = _s().tokens[tokenId];
        IntelligentData[] memory oldDatas = t.datas;
        _setDatas(t, newDatas, sealedKeys);
        // A proof made for the old entries must not apply to the new ones.
        ++t.nonce;
        emit Updated(tokenId, oldDatas, newDatas);
        emit PublishedSealedKey(owner, tokenId, sealedKeys);
    }

    // ------------------------------------------------------------------ transfers

    /// @inheritdoc IAgentNFT
    function iTransferFrom(
        address from,
        address to,
        uint256 tokenId,
        TransferValidityProof[] calldata proofs
    ) external whenNotPaused nonReentrant {
        _checkAuthorized(from, msg.sender, tokenId);
        Token storage t = _s().tokens[tokenId];
        bytes[] memory sealedKeys = _checkProofs(from, to, tokenId, t, false, proofs);
        // Effects before any external call: the keys sealed to `to`, the nonce, then ownership (which clears the
        // authorized users in _update). Only then the receiver hook.
        t.sealedKeys = sealedKeys;
        ++t.nonce;
        _update(to, tokenId, address(0));
        emit Transferred(tokenId, from, to);
        emit PublishedSealedKey(to, tokenId, sealedKeys);
        ERC721Utils.checkOnERC721Received(msg.sender, from, to, tokenId, "");
    }

    /// @inheritdoc IAgentNFT
    function iCloneFrom(
        address from,
        address to,
        uint256 tokenId,
        TransferValidityProof[] calldata proofs
    ) external whenNotPaused nonReentrant returns (uint256 newTokenId) {
        _checkAuthorized(from, msg.sender, tokenId);
        AgentNFTLayout storage $ = _s();
        Token storage source = $.tokens[tokenId];
        bytes[] memory sealedKeys = _checkProofs(from, to, tokenId, source, true, proofs);
        ++source.nonce;
        newTokenId = $.nextTokenId;
        $.nextTokenId = newTokenId + 1;
        Token storage clone = $.tokens[newTokenId];
        uint256 n = source.datas.length;
        for (uint256 i = 0; i < n; ++i) clone.datas.push(source.datas[i]);
        clone.sealedKeys = sealedKeys;
        _mint(to, newTokenId);
        emit Cloned(tokenId, newTokenId, from, to);
        emit PublishedSealedKey(to, newTokenId, sealedKeys);
        ERC721Utils.checkOnERC721Received(msg.sender, address(0), to, newTokenId, "");
    }

    /// @notice Always reverts: an agent's data key must be re-sealed, so tokens move only through `iTransferFrom`.
    /// @dev `safeTransferFrom` calls this too, so both plain transfers are refused.
    /// @param tokenId The token.
    function transferFrom(address, address, uint256 tokenId) public pure override {
        revert AgentNFTUseITransferFrom(tokenId);
    }

    // ------------------------------------------------------------------ usage and delegates

    /// @inheritdoc IAgentNFT
    function authorizeUsage(uint256 tokenId, address user) external whenNotPaused {
        address owner = _onlyOwner(tokenId);
        if (user == address(0)) revert AgentNFTZeroAddress();
        AgentNFTLayout storage $ = _s();
        if ($.authorized[tokenId][user]) revert AgentNFTAlreadyAuthorized(tokenId, user);
        address[] storage users = $.tokens[tokenId].authorizedUsers;
        if (users.length == MAX_AUTHORIZED_USERS) revert AgentNFTTooManyAuthorizedUsers(MAX_AUTHORIZED_USERS);
        users.push(user);
        $.authorized[tokenId][user] = true;
        emit Authorization(owner, user, tokenId);
    }

    /// @inheritdoc IAgentNFT
    function revokeAuthorization(uint256 tokenId, address user) external {
        address owner = _onlyOwner(tokenId);
        AgentNFTLayout storage $ = _s();
        if (!$.authorized[tokenId][user]) revert AgentNFTNotAuthorized(tokenId, user);
        address[] storage users = $.tokens[tokenId].authorizedUsers;
        uint256 last = users.length - 1;
        for (uint256 i = 0; i < last; ++i) {
            if (users[i] == user) {
                users[i] = users[last];
                break;
            }
        }
        users.pop();
        delete $.authorized[tokenId][user];
        emit AuthorizationRevoked(owner, user, tokenId);
    }

    /// @inheritdoc IAgentNFT
    function delegateAccess(address assistant) external {
        _s().delegates[msg.sender] = assistant;
        emit DelegateAccess(msg.sender, assistant);
    }

    // ------------------------------------------------------------------ governance

    /// @inheritdoc IAgentNFT
    function setVerifier(TransferMode mode, address verifier_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setVerifier(mode, verifier_);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IAgentNFT
    function verifier(TransferMode mode) external view returns (address) {
        return _s().verifiers[mode];
    }

    /// @inheritdoc IAgentNFT
    function getDelegateAccess(address user) external view returns (address) {
        return _s().delegates[user];
    }

    /// @inheritdoc IAgentNFT
    function intelligentDatasOf(uint256 tokenId) external view returns (IntelligentData[] memory) {
        _requireOwned(tokenId);
        return _s().tokens[tokenId].datas;
    }

    /// @inheritdoc IAgentNFT
    function sealedKeysOf(uint256 tokenId) external view returns (bytes[] memory) {
        _requireOwned(tokenId);
        return _s().tokens[tokenId].sealedKeys;
    }

    /// @inheritdoc IAgentNFT
    function transferNonce(uint256 tokenId) external view returns (uint256) {
        _requireOwned(tokenId);
        return _s().tokens[tokenId].nonce;
    }

    /// @inheritdoc IAgentNFT
    function authorizedUsersOf(uint256 tokenId) external view returns (address[] memory) {
        _requireOwned(tokenId);
        return _s().tokens[tokenId].authorizedUsers;
    }

    /// @inheritdoc IAgentNFT
    function isAuthorizedUser(uint256 tokenId, address user) external view returns (bool) {
        return _s().authorized[tokenId][user];
    }

    /// @inheritdoc IAgentNFT
    function consentDigest(
        uint256 tokenId,
        address receiver,
        bool isClone,
        bytes32 dataHash,
        bytes calldata receiverKey,
        uint256 nonce,
        uint256 deadline
    ) external view returns (bytes32) {
        return _consentDigest(tokenId, receiver, isClone, dataHash, keccak256(receiverKey), nonce, deadline);
    }

    /// @notice ERC-165: ERC-721, its metadata extension, AccessControl and IAgentNFT.
    /// @param interfaceId The interface.
    /// @return True when supported.
    function supportsInterface(
        bytes4 interfaceId
    ) public view override(AccessControlUpgradeable, ERC721Upgradeable) returns (bool) {
        return interfaceId == type(IAgentNFT).interfaceId || super.supportsInterface(interfaceId);
    }

    /// @inheritdoc ProtocolUpgradeable
    function contractName() public pure override returns (string memory) {
        return "AgentNFT";
    }

    /// @inheritdoc ProtocolUpgradeable
    function version() external pure override returns (string memory) {
        return "1.0.0";
    }

    // ------------------------------------------------------------------ internal

    /// @dev Authorized users belong to an owner: every move of the token (transfer; mint has none) clears them.
    function _update(address to, uint256 tokenId, address auth) internal override returns (address from) {
        from = super._update(to, tokenId, auth);
        if (from != address(0)) _clearAuthorizations(tokenId);
    }

    /// @dev Checks the receiver, the owner and each entry's proof; returns the keys sealed to `to`. Reads only;
    /// the verifiers are called with `staticcall` (view), so nothing external can change state here.
    function _checkProofs(
        address from,
        address to,
        uint256 tokenId,
        Token storage t,
        bool isClone,
        TransferValidityProof[] calldata proofs
    ) private view returns (bytes[] memory sealedKeys) {
        if (to == address(0)) revert AgentNFTZeroAddress();
        if (_ownerOf(tokenId) != from) revert ERC721IncorrectOwner(from, tokenId, _ownerOf(tokenId));
        uint256 n = t.datas.length;
        if (proofs.length != n) revert AgentNFTLengthMismatch(n, proofs.length);
        sealedKeys = new bytes[](n);
        for (uint256 i = 0; i < n; ++i) {
            _checkProof(i, tokenId, to, isClone, t, proofs[i]);
            sealedKeys[i] = proofs[i].sealedKey;
        }
    }

    function _checkProof(
        uint256 index,
        uint256 tokenId,
        address to,
        bool isClone,
        Token storage t,
        TransferValidityProof calldata p
    ) private view {
        if (p.nonce != t.nonce) revert AgentNFTStaleNonce(t.nonce, p.nonce);
        if (block.timestamp > p.deadline) revert AgentNFTProofExpired(p.deadline);
        IntelligentData storage data = t.datas[index];
        address verifier_ = _s().verifiers[p.mode];
        if (verifier_ == address(0)) revert AgentNFTModeDisabled(p.mode);
        if (p.mode == TransferMode.Zk && data.keyCommitment == bytes32(0)) revert AgentNFTNoKeyCommitment(index);

        bytes32 receiverKeyHash = keccak256(p.receiverKey);
        bytes32 digest = _consentDigest(tokenId, to, isClone, data.dataHash, receiverKeyHash, p.nonce, p.deadline);
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecover(digest, p.consent);
        // tryRecover never yields the zero address without an error, so an unset delegate matches no one.
        if (err != ECDSA.RecoverError.NoError) revert AgentNFTInvalidConsent(address(0));
        if (signer != to && signer != _s().delegates[to]) revert AgentNFTInvalidConsent(signer);

        IInftTransferVerifier.TransferClaim memory claim = IInftTransferVerifier.TransferClaim({
            tokenId: tokenId,
            receiver: to,
            dataHash: data.dataHash,
            keyCommitment: data.keyCommitment,
            nonce: p.nonce,
            deadline: p.deadline,
            receiverKey: p.receiverKey,
            sealedKey: p.sealedKey
        });
        if (!IInftTransferVerifier(verifier_).verifyTransferValidity(claim, p.proof))
            revert AgentNFTInvalidProof(index);
    }

    function _consentDigest(
        uint256 tokenId,
        address receiver,
        bool isClone,
        bytes32 dataHash,
        bytes32 receiverKeyHash,
        uint256 nonce,
        uint256 deadline
    ) private view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(CONSENT_TYPEHASH, tokenId, receiver, isClone, dataHash, receiverKeyHash, nonce, deadline)
                )
            );
    }

    function _setDatas(Token storage t, IntelligentData[] calldata datas, bytes[] calldata sealedKeys) private {
        uint256 n = datas.length;
        if (n == 0 || n > MAX_ENTRIES) revert AgentNFTBadEntryCount(n, MAX_ENTRIES);
        if (sealedKeys.length != n) revert AgentNFTLengthMismatch(n, sealedKeys.length);
        delete t.datas;
        for (uint256 i = 0; i < n; ++i) {
            IntelligentData calldata d = datas[i];
            if (d.dataHash == bytes32(0) || bytes(d.dataDescription).length > MAX_DESCRIPTION_LENGTH) {
                revert AgentNFTInvalidEntry(i);
            }
            IntelligentData storage stored = t.datas.push();
            stored.dataDescription = d.dataDescription;
            stored.dataHash = d.dataHash;
            stored.keyCommitment = d.keyCommitment;
        }
        delete t.sealedKeys;
        for (uint256 i = 0; i < n; ++i) t.sealedKeys.push(sealedKeys[i]);
    }

    function _clearAuthorizations(uint256 tokenId) private {
        AgentNFTLayout storage $ = _s();
        address[] storage users = $.tokens[tokenId].authorizedUsers;
        uint256 n = users.length;
        for (uint256 i = 0; i < n; ++i) delete $.authorized[tokenId][users[i]];
        delete $.tokens[tokenId].authorizedUsers;
    }

    function _setVerifier(TransferMode mode, address verifier_) private {
        _s().verifiers[mode] = verifier_;
        emit VerifierUpdated(mode, verifier_);
    }

    function _onlyOwner(uint256 tokenId) private view returns (address owner) {
        owner = _requireOwned(tokenId);
        if (owner != msg.sender) revert AgentNFTNotOwner(tokenId, msg.sender);
    }

    function _s() private pure returns (AgentNFTLayout storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }
}
