/**
 * Follows the Flow's `Submit` and `NewEpoch` events from the Flow's start block. Only blocks at least
 * `confirmations` deep are read, and the cursor (kept on disk with the events in one batch) only moves over them:
 * a reorg shallower than the confirmation depth replaces blocks the node has not read yet, so nothing ever needs
 * rolling back; a restart re-reads from the cursor. After catching up, the node's flow root (FlowTree over the
 * recorded submissions) is compared with the Flow contract's at the synced block; a mismatch is logged and metered.
 */
import { Contract, Interface, type JsonRpcProvider, type Log } from "ethers";
import type { Logger } from "../../common/logger";
import { errorText } from "../../common/errors";
import type { StorageNodeMetrics } from "./metrics";
import type { EpochRecord, StorageStore, SubmissionRecord } from "./store";

export const FLOW_ABI = [
  "event Submit(address indexed sender, bytes32 indexed dataRoot, uint256 submissionIndex, uint256 startPos, uint256 length, uint256 fee, tuple(uint256 length, bytes tags, tuple(bytes32 root, uint256 height)[] nodes) submission)",
  "event NewEpoch(address indexed sender, uint256 indexed epoch, bytes32 flowRoot, uint256 flowLength, bytes32 blockHash, bytes32 digest)",
  "function root() view returns (bytes32)",
  "function flowLength() view returns (uint256)",
  "function submissionCount() view returns (uint256)",
];

export const flowInterface = new Interface(FLOW_ABI);

export interface SyncStatus {
  head: number;
  confirmedHead: number;
  syncedBlock: number;
  lag: number;
  submissions: number;
  flowRoot: string;
  flowLength: number;
  contractFlowRoot?: string;
  flowRootMatches?: boolean;
  lastError?: string;
}

export interface SyncDeps {
  provider: JsonRpcProvider;
  flowAddress: string;
  startBlock: number;
  confirmations: number;
  store: StorageStore;
  metrics: StorageNodeMetrics;
  logger: Logger;
  signal: AbortSignal;
  /** Called after each applied range (the node re-checks pending uploads, logs finalized files). */
  onApplied?: (result: Awaited<ReturnType<StorageStore["applyBlocks"]>>) => void;
}

export interface ChainSync {
  status(): SyncStatus;
  /** One pass: reads confirmed blocks up to the head, applies them, checks the flow root once caught up. */
  poll(): Promise<void>;
  /** Polls every pollIntervalMs until stopped; a failed pass is logged and retried. */
  start(): void;
  stop(): Promise<void>;
}

export function parseSubmit(log: Log): SubmissionRecord {
  const ev = flowInterface.parseLog(log)!;
  // An ethers Result is an array: `.length` would be its field count, so the fields are read by position.
  const sub = ev.args.submission as unknown as [bigint, string, [string, bigint][]];
  return {
    seq: Number(ev.args.submissionIndex),
    root: (ev.args.dataRoot as string).toLowerCase(),
    startPos: Number(ev.args.startPos),
    // `ev.args.length` is the Result's field count, not the event's `length` field (the fifth).
    sectors: Number(ev.args[4]),
    size: Number(sub[0]),
    nodes: sub[2].map(([root, height]) => ({ root: root.toLowerCase(), height: Number(height) })),
    tx: log.transactionHash,
    block: log.blockNumber,
  };
}

function parseEpoch(log: Log): EpochRecord {
  const ev = flowInterface.parseLog(log)!;
  return {
    epoch: Number(ev.args.epoch),
    flowRoot: ev.args.flowRoot as string,
    flowLength: Number(ev.args.flowLength),
    digest: ev.args.digest as string,
    block: log.blockNumber,
  };
}

export function startChainSync(deps: SyncDeps, pollIntervalMs: number, maxBlockRange: number): ChainSync {
  const { provider, store, metrics, logger, signal } = deps;
  const flow = new Contract(deps.flowAddress, FLOW_ABI, provider);
  const topics = [[flowInterface.getEvent("Submit")!.topicHash, flowInterface.getEvent("NewEpoch")!.topicHash]];
  const state: SyncStatus = {
    head: 0,
    confirmedHead: 0,
    syncedBlock: store.cursor(),
    lag: 0,
    submissions: store.submissions(),
    flowRoot: store.flow.root(),
    flowLength: store.flow.length,
  };
  let checkedAt = -1;

  async function checkFlowRoot(block: number) {
    if (checkedAt === block) return;
    const [root, count] = (await Promise.all([
      flow.root({ blockTag: block }),
      flow.submissionCount({ blockTag: block }),
    ])) as [string, bigint];
    checkedAt = block;
    state.contractFlowRoot = root;
    const mine = store.flow.root();
    state.flowRootMatches = root.toLowerCase() === mine && Number(count) === store.submissions();
    metrics.flowRootMismatch.set(state.flowRootMatches ? 0 : 1);
    if (!state.flowRootMatches) {
      logger.error(
        {
          block,
          contractRoot: root,
          nodeRoot: mine,
          contractSubmissions: String(count),
          nodeSubmissions: store.submissions(),
        },
        "the node's flow root differs from the Flow contract's: its submission records are incomplete or wrong",
      );
    }
  }

  async function poll() {
    const head = await provider.getBlockNumber();
    const confirmedHead = head - Math.max(deps.confirmations - 1, 0);
    state.head = head;
    state.confirmedHead = confirmedHead;
    let from = Math.max(store.cursor() + 1, deps.startBlock);
    while (from <= confirmedHead && !signal.aborted) {
      const to = Math.min(confirmedHead, from + maxBlockRange - 1);
      const logs = await provider.getLogs({ address: deps.flowAddress, topics, fromBlock: from, toBlock: to });
      logs.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
      const submitTopic = topics[0][0];
      const submissions: SubmissionRecord[] = [];
      const epochs: EpochRecord[] = [];
      for (const log of logs) {
        if (log.removed) continue;
        if (log.topics[0] === submitTopic) submissions.push(parseSubmit(log));
        else epochs.push(parseEpoch(log));
      }
      for (const s of submissions) {
        const expected = store.submissions() + submissions.indexOf(s);
        if (s.seq !== expected) logger.warn({ seq: s.seq, expected }, "submission index out of sequence");
      }
      const result = await store.applyBlocks(submissions, epochs, to);
      for (const s of submissions)
        logger.info({ seq: s.seq, root: s.root, startPos: s.startPos, size: s.size }, "file submitted");
      deps.onApplied?.(result);
      from = to + 1;
    }
    state.syncedBlock = store.cursor();
    state.lag = Math.max(0, head - state.syncedBlock);
    state.submissions = store.submissions();
    state.flowRoot = store.flow.root();
    state.flowLength = store.flow.length;
    metrics.syncHeight.set(state.syncedBlock);
    metrics.syncLag.set(state.lag);
    metrics.submissions.set(state.submissions);
    if (state.syncedBlock >= deps.startBlock) await checkFlowRoot(state.syncedBlock);
  }

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const loop = () => {
    if (signal.aborted) return;
    running = poll()
      .then(() => {
        state.lastError = undefined;
      })
      .catch((err: unknown) => {
        if (signal.aborted) return;
        state.lastError = errorText(err);
        logger.warn({ err: state.lastError }, "chain sync failed; retrying");
      })
      .finally(() => {
        if (!signal.aborted) timer = setTimeout(loop, pollIntervalMs);
      });
  };
  return {
    status: () => ({ ...state }),
    poll,
    start() {
      timer = setTimeout(loop, pollIntervalMs);
    },
    async stop() {
      clearTimeout(timer);
      await running;
    },
  };
}
