/** The Flow side of an upload: finding an existing Submit for a root, paying for the ones missing. */
import { Contract, type Log } from "ethers";
import type { ChainClient } from "../../common/chain";
import { ZgError } from "../../common/errors";
import type { Logger } from "../../common/logger";
import type { Submission } from "../core";
import type { ClientErrorCode } from "./nodes";

const FLOW_ABI = [
  "event Submit(address indexed sender, bytes32 indexed dataRoot, uint256 submissionIndex, uint256 startPos, uint256 length, uint256 fee, tuple(uint256 length, bytes tags, tuple(bytes32 root, uint256 height)[] nodes) submission)",
  "function batchSubmit(tuple(uint256 length, bytes tags, tuple(bytes32 root, uint256 height)[] nodes)[] submissions) payable returns (uint256[], bytes32[], uint256[], uint256[])",
  "function fee(uint256 sectors) view returns (uint256)",
];

export interface SubmitRecord {
  root: string;
  sender: string;
  index: bigint;
  startPos: bigint;
  fee: bigint;
  txHash: string;
  blockNumber: number;
}

export function flowContract(client: ChainClient): Contract {
  return new Contract(client.contractAddress("Flow"), FLOW_ABI, client.signer ?? client.provider);
}

function record(flow: Contract, log: Log): SubmitRecord {
  const parsed = flow.interface.parseLog(log)!;
  return {
    root: (parsed.args.dataRoot as string).toLowerCase(),
    sender: parsed.args.sender as string,
    index: parsed.args.submissionIndex as bigint,
    startPos: parsed.args.startPos as bigint,
    fee: parsed.args.fee as bigint,
    txHash: log.transactionHash,
    blockNumber: log.blockNumber,
  };
}

/** Every Submit of `root` (dataRoot is indexed, so this is one filtered eth_getLogs from the Flow's start block). */
export async function findSubmits(client: ChainClient, root: string): Promise<SubmitRecord[]> {
  const flow = flowContract(client);
  const logs = await client.provider.getLogs({
    address: client.contractAddress("Flow"),
    topics: [flow.interface.getEvent("Submit")!.topicHash, null, root],
    fromBlock: client.startBlock("Flow"),
    toBlock: "latest",
  });
  return logs.map((log) => record(flow, log));
}

/**
 * Makes sure each entry has a Submit on the Flow: reuses any existing one, pays for the rest in one batchSubmit
 * (the fee is the Flow's own `fee(padded sectors)`, the Market's price). Never submits a root that is on chain.
 */
export async function ensureSubmitted(
  client: ChainClient,
  entries: { root: string; submission: Submission; paddedSectors: number }[],
  logger: Logger,
  notify: (line: string) => void = () => {},
): Promise<{ records: Map<string, SubmitRecord>; paid: bigint; submitted: string[] }> {
  const records = new Map<string, SubmitRecord>();
  const missing: typeof entries = [];
  const unique = entries.filter(
    (e, i) => entries.findIndex((o) => o.root.toLowerCase() === e.root.toLowerCase()) === i,
  );
  const found = await Promise.all(unique.map((e) => findSubmits(client, e.root.toLowerCase())));
  unique.forEach((entry, i) => {
    const root = entry.root.toLowerCase();
    if (found[i].length > 0) {
      records.set(root, found[i][0]);
      logger.info({ root, tx: found[i][0].txHash }, "already submitted: reusing it");
    } else missing.push(entry);
  });
  if (missing.length === 0) return { records, paid: 0n, submitted: [] };
  if (!client.signer) {
    throw new ZgError<ClientErrorCode>(
      "STORAGE_NO_SIGNER",
      `${missing.length} entries need a Submit and no key was given`,
      {
        hint: "pass --key-file <file> with the payer's key",
      },
    );
  }
  const flow = flowContract(client);
  const fees = await Promise.all(missing.map((e) => flow.fee(e.paddedSectors) as Promise<bigint>));
  const fee = fees.reduce((sum, f) => sum + f, 0n);
  const tx = await flow.batchSubmit(
    missing.map((e) => e.submission),
    { value: fee },
  );
  const receipt = await tx.wait(Math.max(1, client.confirmations));
  const topic = flow.interface.getEvent("Submit")!.topicHash;
  for (const log of receipt!.logs as Log[]) {
    if (log.topics[0] !== topic) continue;
    const r = record(flow, log);
    records.set(r.root, r);
  }
  const submitted = missing.map((e) => e.root.toLowerCase());
  logger.info({ roots: submitted, fee: String(fee), tx: receipt!.hash }, "submitted");
  notify(`submitted ${submitted.join(", ")}: paid ${fee} wei (tx ${receipt!.hash})`);
  return { records, paid: fee, submitted };
}
