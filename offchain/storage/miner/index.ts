/**
 * The storage node's PoRA miner (0G's `miner` crate, reduced): registers a miner id with the Mine, and for each
 * epoch's mining context seals the loads the node holds and tries nonces on a worker thread. An answer whose
 * quality meets the target is checked with a call, sent to the Mine, and the reward ChunkRewards credits is
 * withdrawn (pull payment). One pass at a time, at most `maxNoncesPerPass` nonces each; the node's signal stops it.
 */
import { AbiCoder, Contract, Interface, hexlify, keccak256, zeroPadValue, type Wallet } from "ethers";
import { errorText } from "../../common/errors";
import type { Logger } from "../../common/logger";
import { SEALS_PER_LOAD, SECTORS_PER_SEAL, fromHex, nextAlign, unseal } from "../core";
import { FlowView, type FlowStore, type MiningContext } from "./flowView";
import type { MinerMetrics } from "./metrics";
import type { MineOptions } from "./options";
import { MinerWorker } from "./pool";
import type { LoadJob } from "./protocol";

const CONTEXT =
  "tuple(uint256 epoch, uint256 startBlock, bytes32 blockHash, bytes32 flowRoot, uint256 flowLength, bytes32 digest)";
export const MINER_ABI = [
  "function epoch() view returns (uint256)",
  `function getContext(uint256 epoch) view returns (${CONTEXT})`,
  `function contextCovering(uint256 sector) view returns (${CONTEXT})`,
  "function makeContext()",
  "error FlowUnknownContext(uint256 epoch)",
  "function registerMiner(bytes32 seed, address beneficiary) returns (bytes32)",
  "function submit(tuple(uint256 epoch, bytes32 minerId, bytes32 nonce, uint256 startPosition, uint256 mineLength, uint256 recallPosition, uint256 sealOffset, bytes32[128] sealedData, bytes32[] merkleProof) answer)",
  "function poraTarget() view returns (uint256)",
  "function beneficiaryOf(bytes32 minerId) view returns (address)",
  "event AnswerAccepted(uint256 indexed epoch, bytes32 indexed minerId, uint256 recallPosition, uint256 quality, uint256 reward)",
  "error MineUnknownMiner(bytes32 minerId)",
  "error MineAnswerExpired(uint256 epoch, uint256 current)",
  "error MineDuplicateAnswer(bytes32 minerId, uint256 epoch)",
  "error MineInvalidRange()",
  "error MineRecallMismatch(uint256 expected)",
  "error MineQualityTooLow(uint256 quality, uint256 target)",
  "error MineInvalidProof()",
  "function owed(address account) view returns (uint256)",
  "function withdraw()",
];
const abi = new Interface(MINER_ABI);

export interface MinerDeps {
  signer: Wallet;
  flowAddress: string;
  mineAddress: string;
  rewardsAddress: string;
  store: FlowStore;
  metrics: MinerMetrics;
  logger: Logger;
  signal: AbortSignal;
}

export interface MinerStatus {
  minerId: string;
  epoch?: string;
  heldLoads: number;
  nonce: string;
  hashRate: number;
  answers: number;
  lastError?: string;
}

export interface Miner {
  minerId: string;
  status(): MinerStatus;
  stop(): Promise<void>;
}

/** The id the Mine gives `address` for `seed`: keccak256(abi.encode(address, seed)). */
export function minerIdOf(address: string, seed: string): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["address", "bytes32"], [address, zeroPadValue(seed, 32)]));
}

const words = (b: Uint8Array) =>
  Array.from({ length: b.length / 32 }, (_, i) => hexlify(b.subarray(i * 32, i * 32 + 32)));

/** The custom error's name in a reverted call, or the error text. */
function revertName(err: unknown): string {
  const data = (err as { data?: string; info?: { error?: { data?: string } } }).data;
  if (typeof data === "string" && data.length >= 10) {
    try {
      return abi.parseError(data)?.name ?? errorText(err);
    } catch {
      return errorText(err);
    }
  }
  return (err as { revert?: { name?: string } }).revert?.name ?? errorText(err);
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });

/** Registers (when new) and starts mining; resolves once the worker is ready and the id is known. */
export async function startMiner(deps: MinerDeps, options: MineOptions): Promise<Miner> {
  const { signer, store, metrics, logger, signal } = deps;
  const flow = new Contract(deps.flowAddress, MINER_ABI, signer);
  const mine = new Contract(deps.mineAddress, MINER_ABI, signer);
  const rewards = new Contract(deps.rewardsAddress, MINER_ABI, signer);

  const minerId = (options.minerId ?? minerIdOf(signer.address, options.seed)).toLowerCase();
  let beneficiary = (await mine.beneficiaryOf(minerId)) as string;
  if (BigInt(beneficiary) === 0n) {
    if (options.minerId && options.minerId.toLowerCase() !== minerIdOf(signer.address, options.seed).toLowerCase()) {
      throw new Error(
        `miner id ${options.minerId} is not registered with the Mine and is not this key's id for seed ` +
          `${options.seed}: register it with \`npx hardhat miner:register\`, or leave mine.minerId unset`,
      );
    }
    beneficiary = options.beneficiary ?? signer.address;
    await (await mine.registerMiner(zeroPadValue(options.seed, 32), beneficiary)).wait();
    logger.info({ minerId, owner: signer.address, beneficiary }, "miner registered");
  }
  const worker = await MinerWorker.start();
  const view = new FlowView(store);
  const state: MinerStatus = { minerId, heldLoads: 0, nonce: "0", hashRate: 0, answers: 0 };
  /** Loads sent to the worker, with the held mask they were sealed with. */
  const sent = new Map<number, string>();
  const digests = new Map<number, string>();
  const answered = new Set<string>();
  let current: { ctx: MiningContext; tree: NonNullable<ReturnType<FlowView["contextTree"]>> } | undefined;
  let nonce = 0n;
  let scannedAt = 0;
  let lastRateLog = 0;
  const onAbort = () => worker.stopPass();
  signal.addEventListener("abort", onAbort, { once: true });

  async function context(): Promise<MiningContext | undefined> {
    const epoch = (await flow.epoch()) as bigint;
    try {
      return (await flow.getContext(epoch)) as MiningContext;
    } catch (err) {
      if (revertName(err) !== "FlowUnknownContext" || !options.makeContext) return undefined;
    }
    await (await flow.makeContext()).wait();
    logger.info({ epoch: String(epoch) }, "fixed the epoch's mining context");
    return (await flow.getContext(epoch)) as MiningContext;
  }

  /** The seal digest (first context covering it) of every held seal of a load. */
  async function sealDigests(start: number, held: Uint8Array): Promise<Uint8Array> {
    const out = new Uint8Array(SEALS_PER_LOAD * 32);
    const digestAt = async (k: number) => {
      const position = start + k * SECTORS_PER_SEAL;
      let d = digests.get(position);
      if (!d) {
        d = ((await flow.contextCovering(position)) as MiningContext).digest;
        digests.set(position, d);
      }
      return d;
    };
    const heldSeals = [...held.keys()].filter((k) => held[k]);
    // Lengths only grow, so one digest at both ends of the held seals is the digest of all between them.
    const first = await digestAt(heldSeals[0]);
    const last = await digestAt(heldSeals[heldSeals.length - 1]);
    for (const k of heldSeals) out.set(fromHex(first === last ? first : await digestAt(k)), k * 32);
    return out;
  }

  /** Seals (on the worker) the loads held in the context's flow that it does not have yet. */
  async function prepare(ctx: MiningContext, fresh: boolean): Promise<boolean> {
    scannedAt = Date.now();
    await view.refresh();
    const tree = view.contextTree(ctx);
    if (!tree) {
      logger.debug({ epoch: String(ctx.epoch) }, "the node has not synced the context's flow yet");
      return false;
    }
    const jobs: LoadJob[] = [];
    const keep = new Set<number>();
    for (const start of view.loadStarts(Number(ctx.flowLength))) {
      if (keep.size >= options.maxLoads) {
        logger.warn({ maxLoads: options.maxLoads }, "more loads held than mine.maxLoads: the rest are not mined");
        break;
      }
      const load = await view.load(start, Number(ctx.flowLength));
      if (!load) continue;
      keep.add(start);
      const mask = Buffer.from(load.held).toString("hex");
      if (sent.get(start) === mask) continue;
      jobs.push({
        start: BigInt(start),
        data: load.data,
        held: load.held,
        sealDigests: await sealDigests(start, load.held),
      });
      sent.set(start, mask);
    }
    const gone = [...sent.keys()].filter((s) => !keep.has(s));
    if (gone.length) await worker.forget(gone.map(BigInt));
    for (const s of gone) sent.delete(s);
    if (jobs.length) await worker.seal(fromHex(minerId), jobs);
    state.heldLoads = sent.size;
    metrics.heldLoads.set(sent.size);
    current = { ctx, tree };
    if (!fresh) {
      if (jobs.length || gone.length) logger.info({ heldLoads: sent.size, sealed: jobs.length }, "held loads changed");
      return true;
    }
    nonce = 0n;
    logger.info(
      { epoch: String(ctx.epoch), flowLength: String(ctx.flowLength), heldLoads: sent.size, sealed: jobs.length },
      "mining a new context",
    );
    return true;
  }

  async function claim() {
    if (!options.claim || beneficiary.toLowerCase() !== signer.address.toLowerCase()) return;
    const owed = (await rewards.owed(signer.address)) as bigint;
    if (owed === 0n) return;
    await (await rewards.withdraw()).wait();
    metrics.claims.inc();
    logger.info({ amount: String(owed), account: signer.address }, "reward withdrawn");
  }

  /** One pass: the context, then up to maxNoncesPerPass nonces; false when there is nothing to do for now. */
  async function pass(): Promise<boolean> {
    const ctx = await context();
    if (!ctx || ctx.flowLength === 0n) return false;
    const key = `${ctx.epoch}`;
    if (answered.has(key)) return false;
    // A new context, nothing held yet, or a while since the last scan: (re)read what the node holds.
    const fresh = !current || current.ctx.digest !== ctx.digest;
    if (fresh || sent.size === 0 || Date.now() - scannedAt > options.rescanMs) {
      if (!(await prepare(ctx, fresh))) return false;
    }
    if (sent.size === 0) {
      logger.debug({ epoch: key }, "no held load in the context's flow yet");
      return false;
    }
    state.epoch = key;
    metrics.epoch.set(Number(ctx.epoch));
    const span = BigInt(nextAlign(Number(ctx.flowLength), 10));
    const target = (await mine.poraTarget()) as bigint;
    const result = await worker.mine({
      minerId: fromHex(minerId),
      digest: fromHex(ctx.digest),
      startPosition: 0n,
      mineLength: span,
      limit: target,
      firstNonce: nonce,
      tries: options.maxNoncesPerPass,
    });
    metrics.hashes.inc(result.qualities);
    metrics.nonces.inc(result.nonces);
    state.hashRate = result.seconds > 0 ? Math.round(result.qualities / result.seconds) : 0;
    metrics.hashRate.set(state.hashRate);
    nonce += BigInt(result.nonces);
    state.nonce = String(nonce);
    if (Date.now() - lastRateLog > 10_000) {
      lastRateLog = Date.now();
      logger.info(
        { epoch: key, hashesPerSecond: state.hashRate, nonces: result.nonces, skipped: result.skipped },
        "mining",
      );
    }
    if (!result.hit) return true;
    const hit = result.hit;
    const position = Number(hit.recallPosition);
    const unsealed = unseal(
      new Uint8Array(hit.sealed),
      fromHex(minerId),
      fromHex(digests.get(position)!),
      hit.recallPosition,
    );
    const answer = {
      epoch: ctx.epoch,
      minerId,
      nonce: hexlify(hit.nonce),
      startPosition: 0n,
      mineLength: span,
      recallPosition: hit.recallPosition,
      sealOffset: hit.sealOffset,
      sealedData: words(hit.sealed),
      merkleProof: await view.sealProof(position, unsealed, current!.tree),
    };
    try {
      await mine.submit.staticCall(answer);
    } catch (err) {
      const name = revertName(err);
      metrics.refused.inc({ error: name });
      logger.warn({ epoch: key, nonce: String(nonce - 1n), error: name }, "answer refused by a call; mining on");
      if (name === "MineDuplicateAnswer") answered.add(key);
      return true;
    }
    const receipt = await (await mine.submit(answer)).wait();
    answered.add(key);
    state.answers++;
    metrics.answers.inc();
    const accepted = receipt?.logs
      .map((log: { topics: string[]; data: string }) => {
        try {
          return abi.parseLog(log);
        } catch {
          return null;
        }
      })
      .find((e: { name: string } | null) => e?.name === "AnswerAccepted");
    logger.info(
      {
        epoch: key,
        recallPosition: position,
        quality: String(hit.quality),
        reward: accepted ? String(accepted.args.reward) : undefined,
        tx: receipt?.hash,
      },
      "answer accepted",
    );
    await claim();
    return true;
  }

  let stopping = false;
  const loop = (async () => {
    while (!signal.aborted && !stopping) {
      let busy = false;
      try {
        busy = await pass();
        state.lastError = undefined;
      } catch (err) {
        if (signal.aborted || stopping) break;
        state.lastError = errorText(err);
        logger.warn({ err: state.lastError }, "mining pass failed; retrying");
      }
      if (!busy && !stopping) await sleep(options.intervalMs, signal);
    }
  })();

  logger.info({ minerId, beneficiary, address: signer.address }, "miner started");
  return {
    minerId,
    status: () => ({ ...state }),
    async stop() {
      stopping = true;
      worker.stopPass();
      await loop;
      signal.removeEventListener("abort", onAbort);
      await worker.close();
    },
  };
}

export { mineOptionsSchema, type MineOptions } from "./options";
export { createMinerMetrics, type MinerMetrics } from "./metrics";
export { MinerWorker } from "./pool";
