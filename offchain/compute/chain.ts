/**
 * The compute contracts as the broker, the settlement scheduler and the user SDK read them: human-readable ABIs
 * of what they call (so workers run without typechain types) and the reads the broker needs per request.
 */
import { Contract, type ContractRunner } from "ethers";
import type { ChainClient } from "../common/chain";

export const LEDGER_ABI = [
  "function createAccount(uint256[2] signerKey) payable",
  "function setSignerKey(uint256[2] signerKey)",
  "function deposit() payable",
  "function withdraw(uint256 amount)",
  "function transfer(address provider, uint256 amount)",
  "function requestRefund(address provider, uint256 amount)",
  "function processRefunds(address provider) returns (uint256 amount)",
  "function getAccount(address user) view returns (tuple(uint256 balance, uint256[2] signerKey, bool exists))",
  "function signerKeyOf(address user) view returns (uint256[2])",
  "function getSubAccount(address user, address provider) view returns (tuple(uint256 balance, uint256 pendingRefund, tuple(uint128 amount, uint64 unlockAt)[] refunds))",
  "function chargeable(address user, address provider) view returns (uint256)",
  "function lockTime() view returns (uint256)",
  "function maxRefunds() view returns (uint256)",
  "event AccountCreated(address indexed user, uint256[2] signerKey)",
  "event SignerKeyChanged(address indexed user, uint256[2] signerKey)",
  "event Deposited(address indexed user, uint256 amount, uint256 balance)",
  "event Withdrawn(address indexed user, uint256 amount, uint256 balance)",
  "event Transferred(address indexed user, address indexed provider, uint256 amount, uint256 cancelledRefunds)",
  "event RefundRequested(address indexed user, address indexed provider, uint256 amount, uint64 unlockAt)",
  "event RefundsProcessed(address indexed user, address indexed provider, uint256 amount)",
  "event Charged(address indexed user, address indexed provider, uint256 requested, uint256 paid)",
  "error ComputeLedgerAccountExists(address user)",
  "error ComputeLedgerNoAccount(address user)",
  "error ComputeLedgerBadSignerKey()",
  "error ComputeLedgerInsufficientBalance(uint256 available, uint256 requested)",
  "error ComputeLedgerZeroAmount()",
  "error ComputeLedgerTooManyRefunds(uint256 max)",
  "error ComputeLedgerNoUnlockedRefund(uint64 nextUnlockAt)",
  "error ComputeLedgerTransferFailed(address to)",
  "error ComputeLedgerBadProvider(address provider)",
];

const SERVICE_PARAMS =
  "tuple(string model, string url, uint256 inputPrice, uint256 outputPrice, uint8 verifiability, address teeSigner)";
const SERVICE =
  "tuple(string model, string url, uint256 inputPrice, uint256 outputPrice, uint8 verifiability, address teeSigner, uint64 updatedAt, bool exists)";
const ZK_SETTLEMENT = "tuple(address user, uint64 lastNonce, uint256 total, uint256[8] proof)";
const TEE_SETTLEMENT = "tuple(address user, uint64 firstNonce, uint64 lastNonce, uint256 total, bytes32 billsHash)";

export const SERVING_ABI = [
  `function registerService(${SERVICE_PARAMS} params)`,
  `function updateService(${SERVICE_PARAMS} params)`,
  "function removeService()",
  `function settleZk(${ZK_SETTLEMENT}[] settlements) returns (uint256 paid)`,
  `function settleTee(${TEE_SETTLEMENT}[] settlements, bytes[] signatures) returns (uint256 paid)`,
  `function getService(address provider) view returns (${SERVICE})`,
  "function providerCount() view returns (uint256)",
  "function providerAt(uint256 index) view returns (address)",
  "function nonceOf(address user, address provider) view returns (uint64)",
  "function isTeeSignerAcknowledged(address signer) view returns (bool)",
  `function teeSettlementDigest(${TEE_SETTLEMENT} settlement, address provider) view returns (bytes32)`,
  "function staking() view returns (address)",
  "function ledger() view returns (address)",
  "function verifier() view returns (address)",
  "function minProviderStake() view returns (uint256)",
  "event ServiceRegistered(address indexed provider, string model, string url, uint256 inputPrice, uint256 outputPrice, uint8 verifiability, address teeSigner)",
  "event ServiceUpdated(address indexed provider, string model, string url, uint256 inputPrice, uint256 outputPrice, uint8 verifiability, address teeSigner)",
  "event ServiceRemoved(address indexed provider)",
  "event Settled(address indexed user, address indexed provider, uint64 firstNonce, uint64 lastNonce, uint256 total, uint256 paid)",
  "event SettlementShortfall(address indexed user, address indexed provider, uint256 total, uint256 paid)",
  "event TeeSettled(address indexed user, address indexed provider, address indexed signer, bytes32 billsHash)",
  "error ComputeServingZeroAddress(string name)",
  "error ComputeServingInvalidParam(string name, uint256 value)",
  "error ComputeServingInsufficientStake(address provider, uint256 stake, uint256 required)",
  "error ComputeServingServiceExists(address provider)",
  "error ComputeServingUnknownService(address provider)",
  "error ComputeServingInvalidString(string field, uint256 length)",
  "error ComputeServingInvalidTeeSigner(uint8 verifiability, address teeSigner)",
  "error ComputeServingEmptyBatch()",
  "error ComputeServingNoAccount(address user)",
  "error ComputeServingInvalidNonce(address user, uint64 nonce, uint64 firstNonce, uint64 lastNonce)",
  "error ComputeServingInvalidProof()",
  "error ComputeServingWrongMode(address provider, uint8 verifiability)",
  "error ComputeServingLengthMismatch(uint256 settlements, uint256 signatures)",
  "error ComputeServingInvalidSignature(uint256 index)",
  "error ComputeServingSignerNotAcknowledged(address signer)",
  "error ComputeLedgerInsufficientBalance(uint256 available, uint256 requested)",
];

/** The on-chain enum Verifiability, by name. */
export const VERIFIABILITY = { zk: 0, tee: 1 } as const;
export type VerifiabilityName = keyof typeof VERIFIABILITY;

export interface ServiceView {
  model: string;
  url: string;
  inputPrice: bigint;
  outputPrice: bigint;
  verifiability: VerifiabilityName;
  teeSigner: string;
  updatedAt: bigint;
  exists: boolean;
}

export interface ComputeContracts {
  ledger: Contract;
  serving: Contract;
}

/** The ledger and serving contracts of the client's deployment, signing with its signer when it has one. */
export function computeContracts(client: ChainClient, runner?: ContractRunner): ComputeContracts {
  const by = runner ?? client.signer ?? client.provider;
  return {
    ledger: new Contract(client.contractAddress("ComputeLedger"), LEDGER_ABI, by),
    serving: new Contract(client.contractAddress("ComputeServing"), SERVING_ABI, by),
  };
}

/** A provider's service as a plain object; `exists` is false when it never registered (getService may revert). */
export async function readService(serving: Contract, provider: string): Promise<ServiceView | undefined> {
  let s: {
    model: string;
    url: string;
    inputPrice: bigint;
    outputPrice: bigint;
    verifiability: bigint;
    teeSigner: string;
    updatedAt: bigint;
    exists: boolean;
  };
  try {
    s = await serving.getService(provider);
  } catch (err) {
    if ((err as { revert?: { name?: string } }).revert?.name === "ComputeServingUnknownService") return undefined;
    throw err;
  }
  if (!s.exists) return undefined;
  return {
    model: s.model,
    url: s.url,
    inputPrice: s.inputPrice,
    outputPrice: s.outputPrice,
    verifiability: Number(s.verifiability) === VERIFIABILITY.tee ? "tee" : "zk",
    teeSigner: s.teeSigner,
    updatedAt: s.updatedAt,
    exists: s.exists,
  };
}
