/**
 * The signer's on-chain duties for the rows it holds: answer availability challenges against it before their
 * deadline (or be slashed), and answer sampling rounds with every subline whose quality is under the round's
 * target (and be paid). One loop, one transaction at a time, stopped by the node's signal.
 */
import { Contract, ZeroHash } from "ethers";
import type { ChainClient } from "../../common/chain";
import { errorText } from "../../common/errors";
import type { Logger } from "../../common/logger";
import * as core from "../core";
import { base64ToBytes, type RowJson } from "../protocol";
import type { SignerMetrics } from "./metrics";
import type { SignerIdentity } from "./rows";
import type { SignerStore, StoredBlob } from "./store";

const ANSWER = `tuple(bytes32 dataRoot, uint64 epoch, uint64 quorumId, bytes32 rowsRoot, uint32 cols, uint32 dataRows, uint32 codedRows, uint32 lineIndex, uint32 sublineIndex, bytes data, bytes32[] proof)`;

const SAMPLER_ABI = [
  "function startRound() returns (uint256 round, bytes32 seed)",
  `function submitSamplingResponse(${ANSWER} answer)`,
  "function claim() returns (uint256)",
  "function currentRound() view returns (uint256)",
  "function getRound(uint256 round) view returns (tuple(bytes32 seed, uint256 target, uint32 answers))",
  "function getParams() view returns (tuple(uint32 sampleEpochs, uint32 targetAnswersPerRound, uint32 maxAnswersPerRound, uint32 roundsPerEpoch, uint128 baseReward))",
  "function qualityTarget() view returns (uint256)",
  "function sampleRange() view returns (uint256 first, uint256 last)",
  "function owed(address signer) view returns (uint256)",
  "function isRewarded(uint256 round, bytes32 dataRoot, uint256 epoch, uint256 quorumId, uint256 lineIndex, uint256 sublineIndex) view returns (bool)",
];

const CHALLENGE_ABI = [
  "function respondChallenge(uint256 challengeId, bytes data, bytes32[] proof)",
  "function withdraw() returns (uint256)",
  "function credited(address account) view returns (uint256)",
  "function getChallenge(uint256 challengeId) view returns (tuple(address challenger, uint64 deadline, uint8 status, address signer, uint96 bond, bytes32 dataRoot, bytes32 rowsRoot, uint64 epoch, uint64 quorumId, uint32 cols, uint32 codedRows, uint32 lineIndex, uint32 sublineIndex))",
  "event ChallengeOpened(uint256 indexed challengeId, address indexed signer, bytes32 indexed dataRoot, address challenger, uint256 epoch, uint256 quorumId, uint256 lineIndex, uint256 sublineIndex, uint256 deadline)",
];

const OPEN = 1n;
const CURSOR_KEY = "challenge-cursor";

export interface SamplerDeps {
  client: ChainClient;
  store: SignerStore;
  identity: SignerIdentity;
  metrics: SignerMetrics;
  logger: Logger;
  signal: AbortSignal;
}

export interface Sampler {
  /** Runs one pass now (tests drive the loop this way). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

interface ChallengeRecord {
  deadline: bigint;
  status: bigint;
  signer: string;
  dataRoot: string;
  epoch: bigint;
  quorumId: bigint;
  lineIndex: bigint;
  sublineIndex: bigint;
}

export function startSampler(deps: SamplerDeps, options: { intervalMs: number }): Sampler {
  const { client, store, identity, metrics, logger, signal } = deps;
  const has = (name: string) => Object.hasOwn(client.deployment.contracts, name);
  const sampler = has("DASampler")
    ? new Contract(client.contractAddress("DASampler"), SAMPLER_ABI, client.signer)
    : undefined;
  const challenge = has("DAChallenge")
    ? new Contract(client.contractAddress("DAChallenge"), CHALLENGE_ABI, client.signer)
    : undefined;
  if (!sampler || !challenge)
    logger.warn("no DASampler/DAChallenge in the deployment: sampling and challenges are off");
  let lastClaimedRound = -1n;

  async function answerChallenges() {
    if (!challenge) return;
    const head = await client.provider.getBlockNumber();
    const from = Number((await store.getMeta(CURSOR_KEY)) ?? client.startBlock("DAChallenge"));
    if (from > head) return;
    const logs = await challenge.queryFilter(challenge.filters.ChallengeOpened(null, identity.address), from, head);
    // The cursor moves past these blocks only once every challenge in them is answered (or closed).
    for (const log of logs) {
      const id = (log as unknown as { args: { challengeId: bigint } }).args.challengeId;
      const c = (await challenge.getChallenge(id)) as ChallengeRecord;
      if (c.status !== OPEN || BigInt(head) > c.deadline) continue;
      const found = await heldSubline(
        store,
        c.dataRoot,
        c.epoch,
        c.quorumId,
        Number(c.lineIndex),
        Number(c.sublineIndex),
      );
      if (!found) {
        logger.error(
          { challengeId: String(id), dataRoot: c.dataRoot },
          "challenged for a line this node does not hold",
        );
        continue;
      }
      try {
        await (await challenge.respondChallenge(id, found.data, found.proof)).wait();
      } catch (err) {
        await store.putMeta(CURSOR_KEY, String(log.blockNumber));
        throw err;
      }
      metrics.challengesAnswered.inc();
      logger.info({ challengeId: String(id) }, "answered an availability challenge");
    }
    await store.putMeta(CURSOR_KEY, String(head + 1));
    if (((await challenge.credited(identity.address)) as bigint) > 0n) await (await challenge.withdraw()).wait();
  }

  async function answerSamples() {
    if (!sampler) return;
    const roundId = (await sampler.currentRound()) as bigint;
    let round = (await sampler.getRound(roundId)) as { seed: string; target: bigint };
    if (round.seed === ZeroHash) {
      try {
        await sampler.startRound.staticCall();
      } catch {
        return; // too early in the round's first block, or its seed is past blockhash's reach
      }
      await (await sampler.startRound()).wait();
      round = (await sampler.getRound(roundId)) as { seed: string; target: bigint };
    }
    const [first, last] = (await sampler.sampleRange()) as [bigint, bigint];
    const cap = BigInt(((await sampler.getParams()) as { maxAnswersPerRound: bigint }).maxAnswersPerRound);
    const roundOpen = async () => BigInt(((await sampler.getRound(roundId)) as { answers: bigint }).answers) < cap;
    outer: for await (const blob of store.blobs()) {
      const epoch = BigInt(blob.blob.epoch);
      if (epoch < first || epoch > last) continue;
      for (const row of await store.getRows(blob.blob, blob.rows)) {
        if (signal.aborted || !(await answerRow(sampler, roundId, round, blob, row, roundOpen))) break outer;
      }
    }
    if (roundId !== lastClaimedRound && ((await sampler.owed(identity.address)) as bigint) > 0n) {
      await (await sampler.claim()).wait();
      lastClaimedRound = roundId;
    }
  }

  /** Answers every qualifying subline of the row; false once the round is full (nothing more will be paid). */
  async function answerRow(
    s: Contract,
    roundId: bigint,
    round: { seed: string; target: bigint },
    blob: StoredBlob,
    row: RowJson,
    roundOpen: () => Promise<boolean>,
  ): Promise<boolean> {
    const data = base64ToBytes(row.data);
    const { epoch, quorumId, dataRoot } = blob.blob;
    for (let j = 0; j < blob.shape.cols / core.SUBLINE_SCALARS; j++) {
      const subline = data.subarray(j * core.SUBLINE_BYTES, (j + 1) * core.SUBLINE_BYTES);
      const quality = core.sampleQuality(round.seed, BigInt(epoch), BigInt(quorumId), dataRoot, row.index, j, subline);
      if (quality > round.target) continue;
      if (!(await roundOpen())) return false;
      if (await s.isRewarded(roundId, dataRoot, epoch, quorumId, row.index, j)) continue;
      const answer = {
        dataRoot,
        epoch,
        quorumId,
        rowsRoot: blob.rowsRoot,
        cols: blob.shape.cols,
        dataRows: blob.shape.dataRows,
        codedRows: blob.shape.codedRows,
        lineIndex: row.index,
        sublineIndex: j,
        data: subline,
        proof: core.sublineProofFromRow(data, j, row.inclusion),
      };
      await (await s.submitSamplingResponse(answer)).wait();
      metrics.sampleAnswers.inc();
      logger.info({ round: String(roundId), dataRoot, line: row.index, subline: j }, "sampling answer rewarded");
    }
    return true;
  }

  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = running.then(async () => {
      if (signal.aborted) return;
      try {
        await answerChallenges();
        await answerSamples();
      } catch (err) {
        if (!signal.aborted) logger.warn({ err: errorText(err) }, "sampler pass failed; retrying next interval");
      }
    });
    return running;
  };
  const timer = setInterval(() => void tick(), options.intervalMs);
  return {
    tick,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

/** The subline and its proof up to the rows root, when this node holds that line of that blob. */
async function heldSubline(
  store: SignerStore,
  dataRoot: string,
  epoch: bigint,
  quorumId: bigint,
  line: number,
  j: number,
): Promise<{ data: Uint8Array; proof: string[] } | undefined> {
  const id = { dataRoot: dataRoot.toLowerCase(), epoch: String(epoch), quorumId: String(quorumId) };
  const [row] = await store.getRows(id, [line]);
  if (!row) return undefined;
  const data = base64ToBytes(row.data);
  return {
    data: data.subarray(j * core.SUBLINE_BYTES, (j + 1) * core.SUBLINE_BYTES),
    proof: core.sublineProofFromRow(data, j, row.inclusion),
  };
}
