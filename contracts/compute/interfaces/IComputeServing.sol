// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ISettlementBatchVerifier
/// @notice The generated Groth16 verifier of the settlement circuit, checking many proofs in one pairing product.
interface ISettlementBatchVerifier {
    /// @notice Whether every proof verifies against its public inputs; false (never a revert) for any invalid one.
    /// @param proofs Each [a.x, a.y, b.x.c1, b.x.c0, b.y.c1, b.y.c0, c.x, c.y].
    /// @param inputs Each [user, provider, Ax, Ay, prevNonce, lastNonce, total].
    /// @return ok True when all verify.
    function verifyBatch(uint256[8][] calldata proofs, uint256[7][] calldata inputs) external view returns (bool ok);
}

/// @title IComputeServingTypes
/// @notice The structs and enums the inference serving contract takes and returns.
interface IComputeServingTypes {
    /// @notice How a provider's charges are proved: receipts signed by the user and settled with a Groth16 proof,
    /// or a settlement signed by a TEE-held key that governance acknowledged.
    enum Verifiability {
        Zk,
        Tee
    }

    /// @notice What a provider states when it registers or updates its service.
    /// @param model The model name clients ask for (1..128 bytes).
    /// @param url Where the provider's broker listens (1..256 bytes).
    /// @param inputPrice Wei per input token (at most MAX_PRICE).
    /// @param outputPrice Wei per output token (at most MAX_PRICE).
    /// @param verifiability The settlement mode.
    /// @param teeSigner The TEE-held key that signs settlements: non-zero for Tee, zero for Zk.
    struct ServiceParams {
        string model;
        string url;
        uint256 inputPrice;
        uint256 outputPrice;
        Verifiability verifiability;
        address teeSigner;
    }

    /// @notice A provider's inference service as stored.
    /// @param updatedAt Timestamp of the last registration or update.
    /// @param exists Whether the provider has a service now.
    struct Service {
        string model;
        string url;
        uint256 inputPrice;
        uint256 outputPrice;
        Verifiability verifiability;
        address teeSigner;
        uint64 updatedAt;
        bool exists;
    }

    /// @notice One user's receipts settled with a Groth16 proof of the settlement circuit.
    /// @param user Whose sub-account pays.
    /// @param lastNonce The nonce of the last receipt proved; the (user, provider) nonce moves to it.
    /// @param total The sum of the proved receipts' fees.
    /// @param proof [a.x, a.y, b.x.c1, b.x.c0, b.y.c1, b.y.c0, c.x, c.y] (snarkjs' Solidity calldata order).
    struct ZkSettlement {
        address user;
        uint64 lastNonce;
        uint256 total;
        uint256[8] proof;
    }

    /// @notice One user's bills settled by the provider's TEE signer (EIP-712 `Settlement`).
    /// @param user Whose sub-account pays.
    /// @param firstNonce The first bill's nonce (above the current nonce).
    /// @param lastNonce The last bill's nonce (at least firstNonce); the (user, provider) nonce moves to it.
    /// @param total The sum of the bills' fees.
    /// @param billsHash The TEE's commitment to the bills (kept off chain, shown in `TeeSettled`).
    struct TeeSettlement {
        address user;
        uint64 firstNonce;
        uint64 lastNonce;
        uint256 total;
        bytes32 billsHash;
    }
}

/// @title IComputeServingErrors
/// @notice The custom errors of the inference serving contract.
interface IComputeServingErrors is IComputeServingTypes {
    /// @notice Thrown when a required address is zero.
    /// @param name Which one.
    error ComputeServingZeroAddress(string name);
    /// @notice Thrown when a parameter is outside its bounds.
    /// @param name The parameter.
    /// @param value The value given.
    error ComputeServingInvalidParam(string name, uint256 value);
    /// @notice Thrown when a provider's service stake in Staking is below `minProviderStake` (0 when not opted in).
    /// @param provider The provider.
    /// @param stake Its service stake.
    /// @param required The minimum.
    error ComputeServingInsufficientStake(address provider, uint256 stake, uint256 required);
    /// @notice Thrown when a provider that has a service registers again.
    /// @param provider The provider.
    error ComputeServingServiceExists(address provider);
    /// @notice Thrown when a provider without a service updates, removes or settles in Tee mode.
    /// @param provider The provider.
    error ComputeServingUnknownService(address provider);
    /// @notice Thrown when a model name or URL is empty or too long.
    /// @param field "model" or "url".
    /// @param length Its length in bytes.
    error ComputeServingInvalidString(string field, uint256 length);
    /// @notice Thrown when a Tee service has no signer or a Zk service names one.
    /// @param verifiability The mode asked for.
    /// @param teeSigner The signer given.
    error ComputeServingInvalidTeeSigner(Verifiability verifiability, address teeSigner);
    /// @notice Thrown when a settlement batch is empty.
    error ComputeServingEmptyBatch();
    /// @notice Thrown when a user has no ledger account (no receipt signer key).
    /// @param user The user.
    error ComputeServingNoAccount(address user);
    /// @notice Thrown when a settlement's nonces are not above the (user, provider) nonce or not in order.
    /// @param user The user.
    /// @param nonce The (user, provider) nonce at that point of the batch.
    /// @param firstNonce The settlement's first nonce (ZK: `nonce`, as the range starts after it).
    /// @param lastNonce The settlement's last nonce.
    error ComputeServingInvalidNonce(address user, uint64 nonce, uint64 firstNonce, uint64 lastNonce);
    /// @notice Thrown when the batch of proofs does not verify against the inputs built from storage.
    error ComputeServingInvalidProof();
    /// @notice Thrown when the provider's service settles in the other mode.
    /// @param provider The provider.
    /// @param verifiability The service's mode.
    error ComputeServingWrongMode(address provider, Verifiability verifiability);
    /// @notice Thrown when the number of signatures differs from the number of settlements.
    /// @param settlements How many settlements.
    /// @param signatures How many signatures.
    error ComputeServingLengthMismatch(uint256 settlements, uint256 signatures);
    /// @notice Thrown when a settlement's signature is malformed or not by the service's TEE signer.
    /// @param index The settlement's position in the batch.
    error ComputeServingInvalidSignature(uint256 index);
    /// @notice Thrown when the service's TEE signer is not (or no longer) acknowledged by governance.
    /// @param signer The signer.
    error ComputeServingSignerNotAcknowledged(address signer);
    /// @notice Thrown when a verifier address has no code.
    /// @param verifier The address.
    error ComputeServingNotAContract(address verifier);
}

// solhint-disable gas-indexed-events
/// @title IComputeServingEvents
/// @notice The events of the inference serving contract.
interface IComputeServingEvents is IComputeServingTypes {
    /// @notice Emitted when a provider registers its service.
    /// @param provider The provider.
    /// @param model The model.
    /// @param url The broker URL.
    /// @param inputPrice Wei per input token.
    /// @param outputPrice Wei per output token.
    /// @param verifiability The settlement mode.
    /// @param teeSigner The TEE signer (zero for Zk).
    event ServiceRegistered(
        address indexed provider,
        string model,
        string url,
        uint256 inputPrice,
        uint256 outputPrice,
        Verifiability verifiability,
        address teeSigner
    );
    /// @notice Emitted when a provider replaces its service's fields.
    /// @param provider The provider.
    /// @param model The model.
    /// @param url The broker URL.
    /// @param inputPrice Wei per input token.
    /// @param outputPrice Wei per output token.
    /// @param verifiability The settlement mode.
    /// @param teeSigner The TEE signer (zero for Zk).
    event ServiceUpdated(
        address indexed provider,
        string model,
        string url,
        uint256 inputPrice,
        uint256 outputPrice,
        Verifiability verifiability,
        address teeSigner
    );
    /// @notice Emitted when a provider removes its service.
    /// @param provider The provider.
    event ServiceRemoved(address indexed provider);
    /// @notice Emitted for each settlement, after the ledger charged the user.
    /// @param user The user.
    /// @param provider The provider.
    /// @param firstNonce The first nonce settled (ZK: the previous nonce + 1).
    /// @param lastNonce The last nonce settled; the (user, provider) nonce now.
    /// @param total What the settlement claimed.
    /// @param paid What the ledger paid the provider (less than total when the sub-account ran short).
    event Settled(
        address indexed user,
        address indexed provider,
        uint64 firstNonce,
        uint64 lastNonce,
        uint256 total,
        uint256 paid
    );
    /// @notice Emitted with `Settled` when the sub-account could not pay the whole claim; the nonces are consumed
    /// all the same (the bills cannot be settled again), and the shortfall is the provider's loss.
    /// @param user The user.
    /// @param provider The provider.
    /// @param total What the settlement claimed.
    /// @param paid What was paid.
    event SettlementShortfall(address indexed user, address indexed provider, uint256 total, uint256 paid);
    /// @notice Emitted for each TEE settlement, with the TEE's commitment to the bills it covers.
    /// @param user The user.
    /// @param provider The provider.
    /// @param signer The TEE signer that signed it.
    /// @param billsHash The commitment.
    event TeeSettled(address indexed user, address indexed provider, address indexed signer, bytes32 billsHash);
    /// @notice Emitted when governance acknowledges or revokes a TEE signer key.
    /// @param signer The key's address.
    /// @param acknowledged Whether it may sign settlements now.
    event TeeSignerAcknowledged(address indexed signer, bool acknowledged);
    /// @notice Emitted when a slasher has this contract (the compute service) slash a provider in Staking.
    /// @param provider The provider (its validator).
    /// @param slasher The SLASHER_ROLE holder that asked.
    /// @param ppm The fraction slashed.
    /// @param reason The slasher's code for the fault.
    /// @param jailed Whether the validator was jailed too.
    event ProviderSlashed(address indexed provider, address indexed slasher, uint32 ppm, bytes32 reason, bool jailed);
    /// @notice Emitted when governance changes the minimum service stake.
    /// @param minProviderStake The new minimum (wei).
    event MinProviderStakeChanged(uint256 minProviderStake);
    /// @notice Emitted when governance changes the settlement verifier.
    /// @param verifier The new verifier.
    event VerifierChanged(address verifier);
}

/// @title IComputeServing
/// @notice Inference services (one per provider, backed by the provider's stake in Staking) and the settlement
/// of their charges against the compute ledger: by Groth16 proofs of user-signed receipts (Zk) or by EIP-712
/// settlements signed by a governance-acknowledged TEE key (Tee).
interface IComputeServing is IComputeServingErrors, IComputeServingEvents {
    /// @notice Sets roles and parameters once, behind the proxy.
    /// @param admin Gets DEFAULT_ADMIN_ROLE and UPGRADER_ROLE.
    /// @param pauser Gets PAUSER_ROLE when non-zero.
    /// @param ledger The compute ledger (this contract needs its SETTLER_ROLE).
    /// @param staking The staking contract (this contract is the "compute" service there).
    /// @param verifier The settlement batch verifier.
    /// @param minProviderStake Service stake (wei) a provider needs to register or update (> 0).
    function initialize(
        address admin,
        address pauser,
        address ledger,
        address staking,
        address verifier,
        uint256 minProviderStake
    ) external;

    /// @notice Registers the caller's inference service.
    /// @dev Requirements: not paused; no service yet; `staking.serviceStake(caller, this) >= minProviderStake`;
    /// model 1..128 bytes, url 1..256 bytes, prices at most MAX_PRICE; teeSigner non-zero exactly for Tee.
    /// Effects: stores the service, adds the caller to the provider list, emits `ServiceRegistered`.
    /// @param params The service.
    function registerService(ServiceParams calldata params) external;

    /// @notice Replaces every field of the caller's service.
    /// @dev Requirements: as `registerService`, but the service must exist. Effects: emits `ServiceUpdated`.
    /// Nonces are kept: bills already served settle under the new mode only if it can prove them.
    /// @param params The service.
    function updateService(ServiceParams calldata params) external;

    /// @notice Removes the caller's service (allowed while paused: a provider can always leave).
    /// @dev Effects: deletes the service, drops the caller from the provider list, emits `ServiceRemoved`.
    /// ZK settlement of receipts already signed stays possible; TEE settlement needs a service.
    function removeService() external;

    /// @notice Settles users' receipts with Groth16 proofs; the caller is the provider and is paid.
    /// @dev For settlement i the public inputs are [user, caller, Ax, Ay, prevNonce, lastNonce, total], with
    /// (Ax, Ay) = `ledger.signerKeyOf(user)` and prevNonce = the (user, caller) nonce at that point of the batch (a
    /// second settlement of one user starts from the first's lastNonce). All proofs are checked in one
    /// `verifier.verifyBatch` call. Requirements: not paused; a non-empty batch; each user has an account;
    /// lastNonce > prevNonce; the batch verifies. Effects: each nonce moves to lastNonce, `ledger.charge` pays
    /// what the sub-account holds up to total; `Settled` (and `SettlementShortfall` when short) per entry.
    /// @param settlements The settlements, in order.
    /// @return paid The sum the ledger paid.
    function settleZk(ZkSettlement[] calldata settlements) external returns (uint256 paid);

    /// @notice Settles users' bills signed by the caller's TEE signer; the caller is the provider and is paid.
    /// @dev Requirements: not paused; a non-empty batch, one signature per settlement; the caller has a Tee
    /// service whose signer governance acknowledged; each signature is that signer's EIP-712 signature of
    /// `Settlement(user, caller, firstNonce, lastNonce, total, billsHash)`; the user has an account;
    /// nonce < firstNonce <= lastNonce. Effects: as `settleZk`, plus `TeeSettled` per entry.
    /// @param settlements The settlements, in order.
    /// @param signatures The TEE signer's 65-byte signatures, one per settlement.
    /// @return paid The sum the ledger paid.
    function settleTee(
        TeeSettlement[] calldata settlements,
        bytes[] calldata signatures
    ) external returns (uint256 paid);

    /// @notice Acknowledges (or revokes) a TEE signer key after governance checked its attestation; only admin.
    /// @dev Revoking stops every service using the key from settling until it is acknowledged again.
    /// @param signer The key's address (non-zero).
    /// @param acknowledged Whether it may sign settlements.
    function acknowledgeTeeSigner(address signer, bool acknowledged) external;

    /// @notice Slashes a provider's validator in Staking, as the compute service; only SLASHER_ROLE.
    /// @dev A removed service does not shield the provider: Staking's own checks decide (service active,
    /// validator opted in, ppm within the per-epoch cap), else its error propagates. Emits `ProviderSlashed`.
    /// @param provider The provider.
    /// @param ppm The fraction of its stake, 1..1e6.
    /// @param reason The caller's code for the fault.
    /// @param jail Whether to jail the validator too.
    function slashProvider(address provider, uint32 ppm, bytes32 reason, bool jail) external;

    /// @notice Sets the service stake a provider needs to register or update; only admin. Existing services stay.
    /// @param minProviderStake Wei (> 0).
    function setMinProviderStake(uint256 minProviderStake) external;

    /// @notice Replaces the settlement batch verifier (a new circuit or batch size); only admin.
    /// @param verifier A contract address.
    function setVerifier(address verifier) external;

    /// @notice The provider's service (all zero and `exists` false when it has none).
    /// @param provider The provider.
    /// @return service The service.
    function getService(address provider) external view returns (Service memory service);

    /// @notice How many providers have a service.
    /// @return count The count.
    function providerCount() external view returns (uint256 count);

    /// @notice The provider at `index` of the list (order changes when one is removed).
    /// @param index Below `providerCount()`.
    /// @return provider The provider.
    function providerAt(uint256 index) external view returns (address provider);

    /// @notice The last settled nonce of (user, provider); 0 before the first settlement.
    /// @param user The user.
    /// @param provider The provider.
    /// @return nonce The nonce.
    function nonceOf(address user, address provider) external view returns (uint64 nonce);

    /// @notice Whether governance acknowledged `signer` as a TEE key.
    /// @param signer The key's address.
    /// @return acknowledged Whether it may sign settlements.
    function isTeeSignerAcknowledged(address signer) external view returns (bool acknowledged);

    /// @notice The EIP-712 digest a TEE signer signs for `settlement` by `provider`.
    /// @param settlement The settlement.
    /// @param provider The provider.
    /// @return digest The digest.
    function teeSettlementDigest(
        TeeSettlement calldata settlement,
        address provider
    ) external view returns (bytes32 digest);

    /// @notice The staking contract.
    /// @return The address.
    function staking() external view returns (address);

    /// @notice The compute ledger.
    /// @return The address.
    function ledger() external view returns (address);

    /// @notice The settlement batch verifier.
    /// @return The address.
    function verifier() external view returns (address);

    /// @notice The service stake (wei) a provider needs to register or update.
    /// @return The minimum.
    function minProviderStake() external view returns (uint256);
}
