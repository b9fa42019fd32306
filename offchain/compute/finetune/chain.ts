/**
 * The FineTuning contract as the fine-tuning worker reads and calls it: a human-readable ABI (so the worker runs
 * without typechain types) and a typed view of a task.
 */
import { Contract, type ContractRunner } from "ethers";
import type { ChainClient } from "../../common/chain";
import { LEDGER_ABI } from "../chain";

const SERVICE_PARAMS = "tuple(string model, string url, uint256 pricePerToken)";
const SERVICE = "tuple(string model, string url, uint256 pricePerToken, uint64 updatedAt, bool exists)";
const TASK =
  "tuple(address user, uint8 status, uint32 penaltyPpm, uint64 deliverBy, address provider, uint64 ackWindow, uint64 ackDeadline, uint256 fee, uint256 paid, bytes32 datasetRoot, bytes32 modelRoot, bytes32 modelHash, string spec)";

export const FINETUNING_ABI = [
  `function registerService(${SERVICE_PARAMS} params)`,
  `function updateService(${SERVICE_PARAMS} params)`,
  "function removeService()",
  "function createTask(address provider, bytes32 datasetRoot, string spec, uint256 fee) returns (uint256 taskId)",
  "function submitDeliverable(uint256 taskId, bytes32 modelRoot, bytes32 modelHash)",
  "function acknowledge(uint256 taskId)",
  "function settle(uint256 taskId) returns (uint256 paid)",
  "function cancel(uint256 taskId)",
  `function getTask(uint256 taskId) view returns (${TASK})`,
  "function taskCount() view returns (uint256)",
  `function getService(address provider) view returns (${SERVICE})`,
  "function isEligible(address provider) view returns (bool)",
  "function openFees(address user, address provider) view returns (uint256)",
  "function ledger() view returns (address)",
  "event TaskCreated(uint256 indexed taskId, address indexed user, address indexed provider, bytes32 datasetRoot, uint256 fee, uint64 deliverBy, string spec)",
  "event DeliverableSubmitted(uint256 indexed taskId, bytes32 modelRoot, bytes32 modelHash, uint64 ackDeadline)",
  "event TaskAcknowledged(uint256 indexed taskId)",
  "event TaskSettled(uint256 indexed taskId, uint256 charged, uint256 paid, bool acknowledged)",
  "event TaskCancelled(uint256 indexed taskId)",
  "error FineTuningInsufficientStake(address provider, uint256 stake, uint256 minStake)",
  "error FineTuningServiceExists(address provider)",
  "error FineTuningNoService(address provider)",
  "error FineTuningBadServiceField(string field)",
  "error FineTuningZeroRoot()",
  "error FineTuningZeroFee()",
  "error FineTuningSpecTooLong(uint256 length)",
  "error FineTuningInsufficientBalance(uint256 available, uint256 fee)",
  "error FineTuningNoTask(uint256 taskId)",
  "error FineTuningUnauthorized(uint256 taskId, address caller)",
  "error FineTuningWrongStatus(uint256 taskId, uint8 status)",
  "error FineTuningDeliveryExpired(uint256 taskId, uint64 deliverBy)",
  "error FineTuningDeliveryPending(uint256 taskId, uint64 deliverBy)",
  "error FineTuningAckWindowOpen(uint256 taskId, uint64 ackDeadline)",
];

/** IFineTuningTypes.TaskStatus. */
export const TASK_STATUS = {
  none: 0,
  created: 1,
  delivered: 2,
  acknowledged: 3,
  settled: 4,
  cancelled: 5,
} as const;

export interface FineTuningTask {
  id: bigint;
  user: string;
  provider: string;
  status: number;
  deliverBy: bigint;
  ackDeadline: bigint;
  fee: bigint;
  paid: bigint;
  datasetRoot: string;
  modelRoot: string;
  modelHash: string;
  spec: string;
}

export function fineTuningContract(address: string, runner: ContractRunner): Contract {
  return new Contract(address, FINETUNING_ABI, runner);
}

/** FineTuning and the ledger at the client's recorded addresses, signing with its key. */
export function finetuneContracts(client: ChainClient): { fineTuning: Contract; ledger: Contract } {
  const runner = client.signer ?? client.provider;
  return {
    fineTuning: fineTuningContract(client.contractAddress("FineTuning"), runner),
    ledger: new Contract(client.contractAddress("ComputeLedger"), LEDGER_ABI, runner),
  };
}

export async function readTask(fineTuning: Contract, id: bigint): Promise<FineTuningTask> {
  const t = (await fineTuning.getTask(id)) as Record<string, unknown>;
  return {
    id,
    user: t.user as string,
    provider: t.provider as string,
    status: Number(t.status),
    deliverBy: t.deliverBy as bigint,
    ackDeadline: t.ackDeadline as bigint,
    fee: t.fee as bigint,
    paid: t.paid as bigint,
    datasetRoot: t.datasetRoot as string,
    modelRoot: t.modelRoot as string,
    modelHash: t.modelHash as string,
    spec: t.spec as string,
  };
}
