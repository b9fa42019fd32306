// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IAgentNFTTypes
/// @notice The structs and enums of the ERC-7857 agent NFT.
interface IAgentNFTTypes {
    /// @notice How a transfer proves that the data key was re-sealed: signed by an acknowledged oracle (TEE) or
    /// proved in zero knowledge (ZK).
    enum TransferMode {
        Tee,
        Zk
    }

    /// @notice One private data entry of an agent (ERC-7857's IntelligentData plus the key commitment).
    /// @param dataDescription Free text naming the entry ("model weights", "memory").
    /// @param dataHash The encrypted data's hash (its storage root).
    /// @param keyCommitment Poseidon(k0, k1) of the entry's data key, needed for ZK-mode transfers; 0 for an entry
    /// that only moves through the TEE oracle.
    struct IntelligentData {
        string dataDescription;
        bytes32 dataHash;
        bytes32 keyCommitment;
    }

    /// @notice The proof that one data entry was re-sealed to the receiver, with the receiver's consent.
    /// @param mode Which verifier checks `proof`.
    /// @param receiverKey The receiver's public key (TEE: any bytes the oracle encrypts to; ZK: abi.encode(x, y)
    /// of a Baby Jubjub point).
    /// @param sealedKey The data key sealed to `receiverKey`; published to the receiver in `PublishedSealedKey`.
    /// @param nonce The token's transfer nonce this proof was made for (`transferNonce`).
    /// @param deadline Last second (unix time) at which the proof and the consent are valid.
    /// @param consent The receiver's (or its access delegate's) EIP-712 `TransferConsent` signature.
    /// @param proof The verifier's proof: the oracle's EIP-712 signature, or an abi-encoded Groth16 proof.
    struct TransferValidityProof {
        TransferMode mode;
        bytes receiverKey;
        bytes sealedKey;
        uint256 nonce;
        uint256 deadline;
        bytes consent;
        bytes proof;
    }
}

/// @title IAgentNFTErrors
/// @notice The custom errors of the agent NFT.
interface IAgentNFTErrors {
    /// @notice Thrown when `transferFrom` or `safeTransferFrom` is called: the data key must be re-sealed, so
    /// agents move only through `iTransferFrom`.
    /// @param tokenId The token.
    error AgentNFTUseITransferFrom(uint256 tokenId);

    /// @notice Thrown when a token is minted or updated with no entries or more than the maximum.
    /// @param count The number of entries given.
    /// @param maximum The most entries a token may hold.
    error AgentNFTBadEntryCount(uint256 count, uint256 maximum);

    /// @notice Thrown when two arrays that must match in length do not (entries and sealed keys, entries and
    /// proofs).
    /// @param expected The length required.
    /// @param actual The length given.
    error AgentNFTLengthMismatch(uint256 expected, uint256 actual);

    /// @notice Thrown when an entry has a zero data hash or a description longer than the maximum.
    /// @param index The entry.
    error AgentNFTInvalidEntry(uint256 index);

    /// @notice Thrown when the caller is not the token's owner (where only the owner may act).
    /// @param tokenId The token.
    /// @param caller The caller.
    error AgentNFTNotOwner(uint256 tokenId, address caller);

    /// @notice Thrown when the zero address is given as receiver, user or verifier where one is needed.
    error AgentNFTZeroAddress();

    /// @notice Thrown when a proof names a transfer mode whose verifier is not set.
    /// @param mode The mode.
    error AgentNFTModeDisabled(IAgentNFTTypes.TransferMode mode);

    /// @notice Thrown when a proof was made for another transfer nonce (an old, replayed or future proof).
    /// @param expected The token's current nonce.
    /// @param given The nonce in the proof.
    error AgentNFTStaleNonce(uint256 expected, uint256 given);

    /// @notice Thrown when a proof's deadline has passed.
    /// @param deadline The proof's deadline.
    error AgentNFTProofExpired(uint256 deadline);

    /// @notice Thrown when the consent is not a valid signature of the receiver or of its access delegate.
    /// @param signer The address recovered from the consent (zero when the signature is malformed).
    error AgentNFTInvalidConsent(address signer);

    /// @notice Thrown when a ZK-mode proof is given for an entry with no key commitment.
    /// @param index The entry.
    error AgentNFTNoKeyCommitment(uint256 index);

    /// @notice Thrown when a verifier returns false instead of reverting.
    /// @param index The entry whose proof failed.
    error AgentNFTInvalidProof(uint256 index);

    /// @notice Thrown when a user is authorized twice.
    /// @param tokenId The token.
    /// @param user The user.
    error AgentNFTAlreadyAuthorized(uint256 tokenId, address user);

    /// @notice Thrown when a user that is not authorized is revoked.
    /// @param tokenId The token.
    /// @param user The user.
    error AgentNFTNotAuthorized(uint256 tokenId, address user);

    /// @notice Thrown when a token already has the most authorized users.
    /// @param maximum The cap.
    error AgentNFTTooManyAuthorizedUsers(uint256 maximum);
}

// ERC-7857 fixes which fields of its events are indexed; indexers match on the standard's signatures.
// solhint-disable gas-indexed-events
/// @title IAgentNFTEvents
/// @notice The events of the agent NFT (ERC-7857's, plus governance's).
interface IAgentNFTEvents {
    /// @notice Emitted when an agent is minted.
    /// @param tokenId The new token.
    /// @param creator Who minted it.
    /// @param owner Who owns it.
    event Minted(uint256 indexed tokenId, address indexed creator, address indexed owner);

    /// @notice Emitted when a token's data entries are replaced (a key rotation or new data).
    /// @param tokenId The token.
    /// @param oldDatas The entries before.
    /// @param newDatas The entries after.
    event Updated(
        uint256 indexed tokenId,
        IAgentNFTTypes.IntelligentData[] oldDatas,
        IAgentNFTTypes.IntelligentData[] newDatas
    );

    /// @notice Emitted when a token moves with its data through `iTransferFrom`.
    /// @param tokenId The token.
    /// @param from The previous owner.
    /// @param to The new owner.
    event Transferred(uint256 tokenId, address indexed from, address indexed to);

    /// @notice Emitted when a token's data is cloned into a new token.
    /// @param tokenId The source token.
    /// @param newTokenId The clone.
    /// @param from The source token's owner.
    /// @param to The clone's owner.
    event Cloned(uint256 indexed tokenId, uint256 indexed newTokenId, address from, address to);

    /// @notice Emitted when sealed data keys are published to a token's (new) owner.
    /// @param to The owner the keys are sealed to.
    /// @param tokenId The token.
    /// @param sealedKeys One sealed key per data entry.
    event PublishedSealedKey(address indexed to, uint256 indexed tokenId, bytes[] sealedKeys);

    /// @notice Emitted when an owner authorizes a user to use the agent (through a sealed executor).
    /// @param from The owner.
    /// @param to The user.
    /// @param tokenId The token.
    event Authorization(address indexed from, address indexed to, uint256 indexed tokenId);

    /// @notice Emitted when an owner revokes a user's authorization.
    /// @param from The owner.
    /// @param to The user.
    /// @param tokenId The token.
    event AuthorizationRevoked(address indexed from, address indexed to, uint256 indexed tokenId);

    /// @notice Emitted when a user names an access delegate that may sign transfer consents for it.
    /// @param user The user.
    /// @param assistant The delegate (zero clears it).
    event DelegateAccess(address indexed user, address indexed assistant);

    /// @notice Emitted when governance sets (or clears) the verifier of a transfer mode.
    /// @param mode The mode.
    /// @param verifier The verifier (zero disables the mode).
    event VerifierUpdated(IAgentNFTTypes.TransferMode indexed mode, address verifier);
}
// solhint-enable gas-indexed-events

/// @title IAgentNFT
/// @notice An ERC-7857 agent NFT: ERC-721 tokens whose private data entries move only with a proof that their
/// data keys were re-sealed to the receiver and the receiver's signed consent.
interface IAgentNFT is IAgentNFTTypes, IAgentNFTErrors, IAgentNFTEvents {
    /// @notice Mints an agent to `to` with its data entries and the owner's sealed keys.
    /// @param to The owner.
    /// @param datas The entries (1 to 8; nonzero data hashes; descriptions up to 256 bytes).
    /// @param sealedKeys One data key per entry, sealed to the owner.
    /// @return tokenId The new token.
    function mint(
        address to,
        IntelligentData[] calldata datas,
        bytes[] calldata sealedKeys
    ) external returns (uint256 tokenId);

    /// @notice Moves `tokenId` from `from` to `to` with one proof per data entry; publishes the new sealed keys,
    /// consumes the nonce and clears authorized users. The caller must be the owner or approved.
    /// @param from The owner.
    /// @param to The receiver.
    /// @param tokenId The token.
    /// @param proofs One proof per entry, in entry order.
    function iTransferFrom(address from, address to, uint256 tokenId, TransferValidityProof[] calldata proofs) external;

    /// @notice Mints to `to` a new token with the same entries as `tokenId`, keys re-sealed to `to`; consumes the
    /// source's nonce. The caller must be the owner of `tokenId` or approved.
    /// @param from The source token's owner.
    /// @param to The clone's owner.
    /// @param tokenId The source token.
    /// @param proofs One proof per entry, in entry order.
    /// @return newTokenId The clone.
    function iCloneFrom(
        address from,
        address to,
        uint256 tokenId,
        TransferValidityProof[] calldata proofs
    ) external returns (uint256 newTokenId);

    /// @notice Replaces the entries of `tokenId` (new data or a rotated key) and the owner's sealed keys; consumes
    /// the nonce so no proof made for the old entries stays usable. Only the owner.
    /// @param tokenId The token.
    /// @param newDatas The new entries.
    /// @param sealedKeys One sealed key per new entry, sealed to the owner.
    function update(uint256 tokenId, IntelligentData[] calldata newDatas, bytes[] calldata sealedKeys) external;

    /// @notice Authorizes `user` to use the agent without owning its data (at most 16 users; cleared on every
    /// transfer). Only the owner.
    /// @param tokenId The token.
    /// @param user The user.
    function authorizeUsage(uint256 tokenId, address user) external;

    /// @notice Revokes `user`'s authorization. Only the owner.
    /// @param tokenId The token.
    /// @param user The user.
    function revokeAuthorization(uint256 tokenId, address user) external;

    /// @notice Names `assistant` as the caller's access delegate: it may sign transfer consents for the caller.
    /// @param assistant The delegate; zero clears it.
    function delegateAccess(address assistant) external;

    /// @notice Sets the verifier of a transfer mode; zero disables the mode. Only `DEFAULT_ADMIN_ROLE`.
    /// @param mode The mode.
    /// @param verifier The verifier contract.
    function setVerifier(TransferMode mode, address verifier) external;

    /// @notice The verifier of a transfer mode (zero when disabled).
    /// @param mode The mode.
    /// @return The verifier contract's address.
    function verifier(TransferMode mode) external view returns (address);

    /// @notice The access delegate of `user`.
    /// @param user The user.
    /// @return The delegate (zero when none).
    function getDelegateAccess(address user) external view returns (address);

    /// @notice The data entries of a token.
    /// @param tokenId The token.
    /// @return The entries.
    function intelligentDatasOf(uint256 tokenId) external view returns (IntelligentData[] memory);

    /// @notice The data keys of a token sealed to its current owner.
    /// @param tokenId The token.
    /// @return One sealed key per entry.
    function sealedKeysOf(uint256 tokenId) external view returns (bytes[] memory);

    /// @notice The nonce the next transfer, clone or update proof of `tokenId` must name.
    /// @param tokenId The token.
    /// @return The nonce.
    function transferNonce(uint256 tokenId) external view returns (uint256);

    /// @notice The users authorized to use a token.
    /// @param tokenId The token.
    /// @return The users.
    function authorizedUsersOf(uint256 tokenId) external view returns (address[] memory);

    /// @notice Whether `user` is authorized to use `tokenId`.
    /// @param tokenId The token.
    /// @param user The user.
    /// @return True when authorized.
    function isAuthorizedUser(uint256 tokenId, address user) external view returns (bool);

    /// @notice The EIP-712 digest a receiver signs to consent to receiving one entry of `tokenId`.
    /// @param tokenId The token.
    /// @param receiver The receiver.
    /// @param isClone True for a clone, false for a transfer.
    /// @param dataHash The entry's data hash.
    /// @param receiverKey The receiver's public key.
    /// @param nonce The token's transfer nonce.
    /// @param deadline The consent's deadline.
    /// @return The digest.
    function consentDigest(
        uint256 tokenId,
        address receiver,
        bool isClone,
        bytes32 dataHash,
        bytes calldata receiverKey,
        uint256 nonce,
        uint256 deadline
    ) external view returns (bytes32);
}
