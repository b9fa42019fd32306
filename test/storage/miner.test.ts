// The storage miner's pieces without a chain: the PoRA worker thread against the core's in-process minePora, and
// the miner's view of the node's store (held loads, seal proofs up to a flow root).
import { expect } from "chai";
import {
  BYTES_PER_SEAL,
  FlowTree,
  SEALS_PER_LOAD,
  createSubmission,
  fromHex,
  layoutFile,
  loadPoraHashers,
  minePora,
  seal,
  segmentData,
  segmentProof,
  toHex,
  unseal,
  type FileLayout,
} from "../../offchain/storage/core";
import { FlowView, type FlowStore } from "../../offchain/storage/miner/flowView";
import { MinerWorker } from "../../offchain/storage/miner/pool";
import type { LoadJob } from "../../offchain/storage/miner/protocol";
import type { StoredProof, SubmissionRecord } from "../../offchain/storage/node/store";
import { mineOptionsSchema } from "../../offchain/storage/miner/options";
import { storageNodeOptionsSchema } from "../../offchain/storage/node/options";
import { bytes } from "./helpers";

const LOAD_BYTES = 256 * 1024;
const minerId = fromHex(`0x${"11".repeat(32)}`);
const sealDigest = fromHex(`0x${"22".repeat(32)}`);
const digest = fromHex(`0x${"33".repeat(32)}`);

/** Two loads at flow sectors 0 and 1024; the second holds only its first 32 seals. */
function loads(): LoadJob[] {
  return [0, 1].map((l) => ({
    start: BigInt(l * 1024),
    data: bytes(LOAD_BYTES, 40 + l),
    sealDigests: new Uint8Array(SEALS_PER_LOAD * 32).map((_, i) => sealDigest[i % 32]),
    held: new Uint8Array(SEALS_PER_LOAD).map((_, k) => (l === 0 || k < 32 ? 1 : 0)),
  }));
}

function sealedAt(jobs: LoadJob[], position: bigint): Uint8Array | undefined {
  const job = jobs.find((j) => position >= j.start && position < j.start + 1024n);
  const k = job ? Number(position - job.start) / 16 : -1;
  if (!job || !job.held[k]) return undefined;
  return seal(job.data.slice(k * BYTES_PER_SEAL, (k + 1) * BYTES_PER_SEAL), minerId, sealDigest, position);
}

describe("[offchain] storage miner worker", function () {
  this.timeout(60_000);
  let worker: MinerWorker;

  before(async () => {
    await loadPoraHashers();
    worker = await MinerWorker.start();
  });
  after(async () => worker?.close());

  it("finds the same answer as the core's minePora for a tiny target, skipping loads it does not hold", async () => {
    const jobs = loads();
    expect(await worker.seal(minerId, jobs)).to.equal(2);
    // Mining 4 loads, two of which are not held at all: those nonces are tried and skipped.
    const work = { minerId, digest, startPosition: 0n, mineLength: 4096n };
    const limit = (2n ** 256n - 1n) / 3000n;
    const expected = minePora(work, limit, (p) => sealedAt(jobs, p), 7n, 400);
    expect(expected, "the core finds an answer in 400 nonces").to.not.equal(undefined);
    const result = await worker.mine({ ...work, limit, firstNonce: 7n, tries: 400 });
    expect(result.hit).to.not.equal(undefined);
    expect(toHex(result.hit!.nonce)).to.equal(toHex(expected!.nonce));
    expect(result.hit!.recallPosition).to.equal(expected!.recallPosition);
    expect(result.hit!.sealOffset).to.equal(expected!.sealOffset);
    expect(result.hit!.quality).to.equal(expected!.quality);
    expect(toHex(result.hit!.sealed)).to.equal(toHex(expected!.sealed));
    expect(result.nonces).to.equal(Number(BigInt(`0x${toHex(result.hit!.nonce).slice(2)}`) - 7n) + 1);
    expect(result.skipped).to.be.greaterThan(0);
    expect(result.qualities).to.be.greaterThan(0);
    // The answer unseals to the flow data.
    const position = Number(result.hit!.recallPosition);
    const job = jobs[Math.floor(position / 1024)];
    const k = (position % 1024) / 16;
    const plain = unseal(new Uint8Array(result.hit!.sealed), minerId, sealDigest, position);
    expect(toHex(plain)).to.equal(toHex(job.data.subarray(k * BYTES_PER_SEAL, (k + 1) * BYTES_PER_SEAL)));
  });

  it("finds nothing above every quality, counts its work, and a stop ends a pass early", async () => {
    const work = { minerId, digest, startPosition: 0n, mineLength: 2048n };
    const none = await worker.mine({ ...work, limit: 0n, firstNonce: 0n, tries: 50 });
    expect(none.hit).to.equal(undefined);
    expect(none.nonces).to.equal(50);
    // Held seals: 64 in load 0, 32 in load 1: every nonce computes one of these counts.
    expect(none.qualities).to.be.within(50 * 32, 50 * 64);
    const long = worker.mine({ ...work, limit: 0n, firstNonce: 0n, tries: 1_000_000 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    worker.stopPass();
    const stopped = await long;
    expect(stopped.stopped).to.equal(true);
    expect(stopped.nonces).to.be.below(1_000_000);
    await worker.forget([0n, 1024n]);
    const empty = await worker.mine({ ...work, limit: 2n ** 256n - 1n, firstNonce: 0n, tries: 20 });
    expect(empty.hit).to.equal(undefined);
    expect(empty.skipped).to.equal(20);
  });

  it("defaults the mine options in one place and refuses bad ones", () => {
    const node = storageNodeOptionsSchema.parse({});
    expect(node.mine).to.deep.include({ enabled: false, maxNoncesPerPass: 2000, seed: "0x01", claim: true });
    expect(mineOptionsSchema.safeParse({ maxNoncesPerPass: 0 }).success).to.equal(false);
    expect(mineOptionsSchema.safeParse({ minerId: "0x12" }).success).to.equal(false);
    expect(mineOptionsSchema.safeParse({ nonsense: 1 }).success).to.equal(false);
    expect(storageNodeOptionsSchema.parse({ mine: { enabled: "true" } }).mine.enabled).to.equal(true);
  });
});

/** A store like the node's, in memory: files of a flow with every segment (and its upload proof) held. */
function memoryStore(files: { data: Uint8Array; layout: FileLayout }[], skip = new Set<string>()) {
  const flow = new FlowTree();
  const subs: SubmissionRecord[] = [];
  const segments = new Map<string, Uint8Array>();
  const proofs = new Map<string, StoredProof>();
  files.forEach(({ data, layout }, seq) => {
    const sub = createSubmission(data, "0x", layout);
    const root = toHex(layout.root);
    const startPos = flow.append(sub.nodes);
    subs.push({
      seq,
      root,
      startPos,
      sectors: layout.paddedSectors,
      size: data.length,
      nodes: sub.nodes.map((n) => ({ root: n.root.toLowerCase(), height: n.height })),
      tx: "0x",
      block: 0,
    });
    for (let i = 0; i < layout.segments; i++) {
      if (skip.has(`${seq}/${i}`)) continue;
      segments.set(`${root}/${i}`, segmentData(data, layout, i));
      const p = segmentProof(layout, i);
      proofs.set(`${root}/${i}`, { lemma: p.lemma.map(toHex), path: p.path });
    }
  });
  const store: FlowStore = {
    submissions: () => subs.length,
    submission: async (seq) => subs[seq],
    getSegment: async (root, i) => segments.get(`${root}/${i}`),
    getProof: async (root, i) => proofs.get(`${root}/${i}`),
  };
  return { store, flow, subs };
}

describe("[offchain] storage miner flow view", function () {
  this.timeout(60_000);
  before(loadPoraHashers);

  it("proves held seals up to the flow root in small, segment-sized and multi-segment nodes", async () => {
    const file = (size: number, seed: number) => {
      const data = bytes(size, seed);
      return { data, layout: layoutFile(data) };
    };
    // 3000 B (12 sectors: no whole seal), 8 KiB (a 32-sector node beside it in load 0), 1.5 segments (nodes of
    // 1024 + 512), 4 segments (one node of 4096, taller than a segment: its siblings above a segment come from the
    // upload proofs) of which segment 2 is not held.
    const files = [file(3000, 1), file(8192, 4), file(1536 * 256 - 100, 2), file(4 * LOAD_BYTES, 3)];
    const { store, flow, subs } = memoryStore(files, new Set(["3/2"]));
    const view = new FlowView(store);
    await view.refresh();
    const ctx = { epoch: 1n, flowRoot: flow.root(), flowLength: BigInt(flow.length), digest: "0x" };
    const tree = view.contextTree(ctx)!;
    expect(tree, "the view replays the flow to the context's root").to.not.equal(undefined);
    expect(view.contextTree({ ...ctx, flowRoot: `0x${"00".repeat(32)}` })).to.equal(undefined);

    const starts = view.loadStarts(flow.length);
    let proved = 0;
    let notHeld = 0;
    for (const start of starts) {
      const load = await view.load(start, flow.length);
      if (!load) {
        notHeld++;
        continue;
      }
      for (let k = 0; k < SEALS_PER_LOAD; k += 5) {
        if (!load.held[k]) continue;
        const position = start + k * 16;
        const plain = load.data.slice(k * BYTES_PER_SEAL, (k + 1) * BYTES_PER_SEAL);
        const siblings = await view.sealProof(position, plain, tree);
        expect(siblings.length, `depth at ${position}`).to.equal(tree.height() - 4);
        proved++;
      }
    }
    expect(proved).to.be.greaterThan(20);
    // The unheld segment of the last file is one load the view does not offer.
    expect(notHeld).to.equal(1);
    expect(subs[1].startPos).to.equal(32);
    const load0 = (await view.load(0, flow.length))!;
    expect([...load0.held.subarray(0, 4)]).to.deep.equal([0, 0, 1, 1]);
    expect(subs[3].startPos % 1024).to.equal(0);
    // A wrong seal is refused before anything is sent.
    const first = (await view.load(subs[3].startPos, flow.length))!;
    const wrong = first.data.slice(0, BYTES_PER_SEAL);
    wrong[0] ^= 1;
    let error = "";
    await view.sealProof(subs[3].startPos, wrong, tree).catch((e: Error) => (error = e.message));
    expect(error).to.match(/does not reach the flow root/);
  });
});
