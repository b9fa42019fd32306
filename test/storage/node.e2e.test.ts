// End to end on `zg devnet`: files submitted to the Flow with a dev account, their segments uploaded to a real
// `zg storage-node` process over JSON-RPC, downloaded with proofs and checked; bad input refused; kill -9 mid-upload.
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { expect } from "chai";
import { Contract, HDNodeWallet, JsonRpcProvider, Mnemonic } from "ethers";
import {
  createSubmission,
  equalBytes,
  fromHex,
  layoutFile,
  loadHashers,
  proofRoot,
  sectorLeaf,
  segmentData,
  toHex,
  type FileLayout,
} from "../../offchain/storage/core";
import { decodeFrame, encodeFrame, frameOf } from "../../offchain/storage/node/frame";
import { checkSegment, segmentWithProof, type SegmentWithProofJson } from "../../offchain/storage/node/segments";
import { postDeclaringLength } from "../helpers/http";
import { startDevnet, type Devnet, type Running } from "../helpers/process";
import { startStorageNode } from "../helpers/storageNodes";
import { bytes } from "./helpers";

const FLOW_ABI = [
  "function submit(tuple(uint256 length, bytes tags, tuple(bytes32 root, uint256 height)[] nodes) submission) payable returns (uint256, bytes32, uint256, uint256)",
  "function fee(uint256 sectors) view returns (uint256)",
  "function root() view returns (bytes32)",
];

interface RpcAnswer {
  result?: unknown;
  error?: { code: number; message: string; data?: { name: string } };
}

interface NodeProcess {
  run: Running;
  url: string;
  adminUrl: string;
  metricsUrl: string;
}

async function rpc(url: string, method: string, params: unknown[] = []): Promise<RpcAnswer> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  return (await res.json()) as RpcAnswer;
}

async function ok<T>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const answer = await rpc(url, method, params);
  if (answer.error) throw new Error(`${method}: ${answer.error.message}`);
  return answer.result as T;
}

async function waitForAsync(predicate: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** POSTs `body` as is; returns the HTTP status and the JSON answer. */
async function rawPost(url: string, body: Buffer, type = "application/json") {
  const res = await fetch(url, { method: "POST", headers: { "content-type": type }, body });
  return { status: res.status, answer: (await res.json()) as RpcAnswer };
}

describe("[e2e] storage node on zg devnet", function () {
  this.timeout(300_000);
  let devnet: Devnet;
  let provider: JsonRpcProvider;
  let flow: Contract;
  let node: NodeProcess;
  /** Shard 1 of 2, applying events 3 blocks deep. */
  let shardNode: NodeProcess;
  const dataDir = () => path.join(devnet.dataDir, "storage-node");

  const startNode = (dir = dataDir(), extra: string[] = []): Promise<NodeProcess> =>
    startStorageNode(devnet, dir, extra, { ZG_MAX_REQUEST_BYTES: String(2 * 1024 * 1024) });

  async function submit(data: Uint8Array, mined = true) {
    const layout = layoutFile(data);
    const fee = (await flow.fee(layout.paddedSectors)) as bigint;
    const tx = await flow.submit(createSubmission(data, "0x", layout), { value: fee });
    if (mined) await tx.wait();
    return { layout, root: toHex(layout.root), tx };
  }

  const fileInfo = (root: string, url = node.url) =>
    ok<{ finalized: boolean; uploadedSegNum: number; tx: { size: number; startEntryIndex: number } } | null>(
      url,
      "zgs_getFileInfo",
      [root],
    );

  async function waitSubmitted(root: string) {
    await waitForAsync(async () => (await fileInfo(root)) !== null, 30_000, `the Submit of ${root}`);
  }

  /** Downloads every segment with its proof and checks it against the file's bytes. */
  async function verifyAll(data: Uint8Array, layout: FileLayout) {
    const root = toHex(layout.root);
    for (let i = 0; i < layout.segments; i++) {
      const seg = await ok<SegmentWithProofJson>(node.url, "zgs_downloadSegmentWithProof", [root, i]);
      expect(seg, `segment ${i}`).to.not.equal(null);
      const checked = checkSegment(seg, data.length);
      expect(equalBytes(checked.data, segmentData(data, layout, i)), `segment ${i} bytes`).to.equal(true);
    }
  }

  before(async () => {
    await loadHashers();
    devnet = await startDevnet("zg-storage-e2e-");
    provider = new JsonRpcProvider(devnet.url, undefined, { cacheTimeout: -1 });
    const record = JSON.parse(fs.readFileSync(path.join(devnet.deployments, "31337.json"), "utf8")) as {
      contracts: Record<string, { address: string }>;
    };
    const wallet = HDNodeWallet.fromMnemonic(
      Mnemonic.fromPhrase("test test test test test test test test test test test junk"),
      "m/44'/60'/0'/0/7",
    ).connect(provider);
    flow = new Contract(record.contracts.Flow.address, FLOW_ABI, wallet);
    node = await startNode();
  });

  after(async () => {
    for (const n of [node, shardNode]) {
      if (n && n.run.child.exitCode === null) {
        n.run.child.kill("SIGINT");
        await n.run.exited;
      }
    }
    provider?.destroy();
    await devnet?.stop();
  });

  it("stores a submitted 4 MiB file's segments, serves them with proofs, and finalizes it", async () => {
    const data = bytes(4 * 1024 * 1024 + 1000, 11);
    const { layout, root } = await submit(data);
    await waitSubmitted(root);
    expect(await ok(node.url, "zgs_checkFileFinalized", [root])).to.equal(false);
    const started = performance.now();
    for (let i = 0; i < layout.segments - 4; i++) {
      expect(await ok(node.url, "zgs_uploadSegment", [segmentWithProof(data, layout, i)])).to.equal(null);
    }
    const rest = [1, 2, 3, 4].map((k) => segmentWithProof(data, layout, layout.segments - k));
    await ok(node.url, "zgs_uploadSegments", [rest]);
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `      upload: ${(data.length / 1e6 / seconds).toFixed(1)} MB/s (${layout.segments} segments, ${seconds.toFixed(2)} s)`,
    );

    expect(await ok(node.url, "zgs_checkFileFinalized", [root])).to.equal(true);
    const info = await fileInfo(root);
    expect(info).to.deep.include({ finalized: true, uploadedSegNum: layout.segments });
    expect(info!.tx.size).to.equal(data.length);
    await verifyAll(data, layout);

    const range = await ok<string>(node.url, "zgs_downloadSegment", [root, 1000, 1100]);
    expect(Buffer.from(range, "base64")).to.deep.equal(Buffer.from(data.subarray(1000 * 256, 1100 * 256)));
    const proof = await ok<{ lemma: string[]; path: boolean[] }>(node.url, "zgs_getSectorProof", [root, 5000]);
    expect(toHex(sectorLeaf(data, 5000))).to.equal(proof.lemma[0]);
    expect(toHex(proofRoot({ lemma: proof.lemma.map(fromHex), path: proof.path }))).to.equal(root);

    expect(await ok(node.url, "zgs_getShardConfig")).to.deep.equal({ shardId: 0, numShard: 1 });
    const status = await ok<{ flowRoot: string }>(node.url, "zgs_getStatus");
    expect(status.flowRoot).to.equal(((await flow.root()) as string).toLowerCase());
    const sync = await ok<{ flowRootMatches: boolean }>(node.adminUrl, "admin_getSyncStatus");
    expect(sync.flowRootMatches).to.equal(true);

    const metrics = await (await fetch(node.metricsUrl)).text();
    expect(metrics).to.include(`zg_storage_segments_stored_total ${layout.segments}`);
    expect(metrics).to.match(/zg_storage_sync_height \d+/);
    expect(metrics).to.include('zg_storage_rpc_seconds_count{method="zgs_uploadSegment"}');
    expect(metrics).to.include("zg_storage_flow_root_mismatch 0");
  });

  it("refuses bad input with stable codes and leaves the store unchanged", async () => {
    const data = bytes(2 * 256 * 1024 + 500, 12);
    const other = bytes(2 * 256 * 1024 + 500, 13);
    const { layout, root } = await submit(data);
    await waitSubmitted(root);
    await ok(node.url, "zgs_uploadSegment", [segmentWithProof(data, layout, 0)]);

    const good = segmentWithProof(data, layout, 1);
    const corrupted = Buffer.from(good.data, "base64");
    corrupted[5] ^= 0xff;
    const foreign = segmentWithProof(other, layoutFile(other), 1);
    const cases: [string, unknown, number][] = [
      ["corrupted data", { ...good, data: corrupted.toString("base64") }, -32004],
      ["a wrong index", { ...good, index: 0 }, -32004],
      ["an index past the end", { ...good, index: 3 }, -32001],
      ["a proof for another root", { ...good, proof: foreign.proof }, -32004],
      ["a short segment", { ...good, data: corrupted.subarray(0, 1024).toString("base64") }, -32002],
      ["another file size", { ...good, fileSize: data.length + 1 }, -32007],
      ["a malformed segment", { ...good, root: "0x12" }, -32602],
    ];
    for (const [what, seg, code] of cases) {
      const answer = await rpc(node.url, "zgs_uploadSegment", [seg]);
      expect(answer.error?.code, `${what}: ${JSON.stringify(answer)}`).to.equal(code);
      expect(answer.error!.message.length, what).to.be.above(20);
    }
    const big = await postDeclaringLength(node.url, 3 * 1024 * 1024);
    expect(big.status).to.equal(413);
    expect((JSON.parse(big.text) as RpcAnswer).error?.code).to.equal(-32000);
    const malformed = await rawPost(node.url, Buffer.from('{"jsonrpc":"2.0","id":1,"method":'));
    expect(malformed.answer.error?.code).to.equal(-32700);
    expect((await rpc(node.url, "zgs_noSuchMethod")).error?.code).to.equal(-32601);
    expect((await rpc(node.url, "admin_getSyncStatus")).error?.code, "admin methods stay off the public API").to.equal(
      -32601,
    );
    const refused = await (await fetch(node.metricsUrl)).text();
    expect(refused).to.include('zg_storage_requests_refused_total{code="BAD_PROOF"} 3');

    const info = await fileInfo(root);
    expect(info).to.deep.include({ uploadedSegNum: 1, finalized: false });
    expect(await ok(node.url, "zgs_downloadSegmentWithProof", [root, 1])).to.equal(null);
    const seg0 = await ok<SegmentWithProofJson>(node.url, "zgs_downloadSegmentWithProof", [root, 0]);
    expect(seg0.data).to.equal(segmentWithProof(data, layout, 0).data);
    await ok(node.url, "zgs_uploadSegments", [[good, segmentWithProof(data, layout, 2)]]);
    expect(await ok(node.url, "zgs_checkFileFinalized", [root])).to.equal(true);
  });

  it("takes segments as binary frames on POST /segments, with the same checks and codes, and serves them as frames", async () => {
    const data = bytes(3 * 256 * 1024 + 700, 16);
    const { layout, root } = await submit(data);
    await waitSubmitted(root);
    const post = async (body: Buffer) =>
      (await rawPost(`${node.url.replace(/\/$/, "")}/segments`, body, "application/octet-stream")).answer;

    // One bad segment in a frame: the ones before it are stored, it and the ones after are not.
    const frame = decodeFrame(frameOf(data, layout, [0, 1, 2]), 64);
    frame.segments[1] = { ...frame.segments[1], data: Buffer.from(frame.segments[1].data).fill(7, 0, 10) };
    expect((await post(encodeFrame(frame))).error?.data?.name).to.equal("BAD_PROOF");
    expect(await fileInfo(root)).to.deep.include({ uploadedSegNum: 1 });
    const truncated = await post(frameOf(data, layout, [1]).subarray(0, 1000));
    expect(truncated.error).to.deep.include({ code: -32009 });
    expect(truncated.error!.message).to.match(/ends inside segment 0 of the frame's data/);
    expect((await post(Buffer.from("not a frame"))).error?.data?.name).to.equal("MALFORMED_FRAME");
    // Over the node's 2 MiB: refused before reading when the length says so, else at the chunk that crosses it.
    const frames = `${node.url.replace(/\/$/, "")}/segments`;
    const declared = await postDeclaringLength(frames, 3 * 1024 * 1024, { "content-type": "application/octet-stream" });
    expect(declared.status).to.equal(413);
    expect((JSON.parse(declared.text) as RpcAnswer).error?.code).to.equal(-32000);
    const chunks = Array.from({ length: 48 }, () => Buffer.alloc(64 * 1024, 1));
    const unsized = await fetch(frames, {
      method: "POST",
      headers: { "content-type": "application/octet-stream" },
      body: Readable.toWeb(Readable.from(chunks)) as ReadableStream,
      duplex: "half",
    } as RequestInit);
    expect(unsized.status).to.equal(413);
    expect(((await unsized.json()) as RpcAnswer).error?.code).to.equal(-32000);
    expect(await fileInfo(root)).to.deep.include({ uploadedSegNum: 1, finalized: false });

    const get = (what: string) => fetch(`${node.url.replace(/\/$/, "")}/segments/${what}`);
    expect((await get(`${root}/1`)).status, "not held yet").to.equal(204);
    expect(await post(frameOf(data, layout, [0, 1, 2, 3]))).to.deep.include({ result: { stored: 3 } });
    expect(await ok(node.url, "zgs_checkFileFinalized", [root])).to.equal(true);
    await verifyAll(data, layout);

    // Downloads as frames: the segment and the proof it came with, the same bytes as zgs_downloadSegmentWithProof.
    const served = await get(`${root}/3`);
    expect(served.headers.get("content-type")).to.equal("application/octet-stream");
    expect(decodeFrame(Buffer.from(await served.arrayBuffer()), 1)).to.deep.equal(
      decodeFrame(frameOf(data, layout, [3]), 1),
    );
    const refused = await get("0x12/1");
    expect(refused.status).to.equal(400);
    expect(((await refused.json()) as RpcAnswer).error?.data?.name).to.equal("INVALID_PARAMS");
    const metrics = await (await fetch(node.metricsUrl)).text();
    expect(metrics).to.include('zg_storage_rpc_seconds_count{method="zgs_uploadSegmentFrame"} 4');
    expect(metrics).to.include('zg_storage_rpc_seconds_count{method="zgs_downloadSegmentFrame"} 3');
  });

  it("loses no acknowledged segment when killed with SIGKILL mid-upload, and finishes after a restart", async () => {
    const data = bytes(3 * 1024 * 1024 + 3333, 14);
    const { layout, root } = await submit(data);
    await waitSubmitted(root);
    let acknowledged = 0;
    await (async () => {
      for (let i = 0; i < layout.segments; i++) {
        const sent = ok(node.url, "zgs_uploadSegment", [segmentWithProof(data, layout, i)]);
        // Killed while segment 4 is on its way: after 4 acknowledged (a poll could come too late on a fast node).
        if (i === 4) node.run.child.kill("SIGKILL");
        await sent;
        acknowledged = i + 1;
      }
    })().catch(() => undefined);
    await node.run.exited;
    expect(acknowledged).to.be.within(4, 5);

    node = await startNode();
    const info = await fileInfo(root);
    expect(info!.uploadedSegNum).to.be.at.least(acknowledged);
    for (let i = 0; i < layout.segments; i++) {
      await ok(node.url, "zgs_uploadSegment", [segmentWithProof(data, layout, i)]);
    }
    expect(await fileInfo(root)).to.deep.include({ finalized: true, uploadedSegNum: layout.segments });
    await verifyAll(data, layout);
  });

  it("holds segments uploaded before their Submit is mined and stores them once it is seen", async () => {
    const data = bytes(256 * 1024 + 10, 15);
    await provider.send("evm_setAutomine", [false]);
    let root: string;
    let layout: FileLayout;
    try {
      ({ layout, root } = await submit(data, false));
      for (let i = 0; i < layout.segments; i++) {
        await ok(node.url, "zgs_uploadSegment", [segmentWithProof(data, layout, i)]);
      }
      expect(await fileInfo(root)).to.equal(null);
      const sync = await ok<{ pendingBytes: number }>(node.adminUrl, "admin_getSyncStatus");
      expect(sync.pendingBytes).to.equal(data.length);
      await provider.send("evm_mine", []);
    } finally {
      await provider.send("evm_setAutomine", [true]);
    }
    await waitForAsync(async () => (await fileInfo(root)) !== null, 30_000, "the Submit");
    expect(await fileInfo(root)).to.deep.include({ finalized: true, uploadedSegNum: layout.segments });
    await verifyAll(data, layout);
    const sync = await ok<{ pendingBytes: number; flowRootMatches: boolean }>(node.adminUrl, "admin_getSyncStatus");
    expect(sync.pendingBytes).to.equal(0);
  });

  it("with 2 shards, keeps only its shard's segments and refuses the others", async () => {
    shardNode = await startNode(path.join(devnet.dataDir, "storage-node-shard1"), [
      "--num-shards",
      "2",
      "--shard-id",
      "1",
      "--confirmations",
      "3",
    ]);
    expect(await ok(shardNode.url, "zgs_getShardConfig")).to.deep.equal({ shardId: 1, numShard: 2 });
    const data = bytes(4 * 256 * 1024 + 9, 16);
    const { layout, root } = await submit(data);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await fileInfo(root, shardNode.url), "1 block deep is not confirmed at depth 3").to.equal(null);
    await provider.send("hardhat_mine", ["0x2"]);
    await waitForAsync(async () => (await fileInfo(root, shardNode.url)) !== null, 30_000, "the confirmed Submit");
    const info = await fileInfo(root, shardNode.url);
    const first = Math.floor(info!.tx.startEntryIndex / 1024);
    let mine = 0;
    for (let i = 0; i < layout.segments; i++) {
      const answer = await rpc(shardNode.url, "zgs_uploadSegment", [segmentWithProof(data, layout, i)]);
      if ((first + i) % 2 === 1) {
        expect(answer.error, `segment ${i}`).to.equal(undefined);
        mine++;
      } else {
        expect(answer.error?.code, `segment ${i}`).to.equal(-32005);
        expect(answer.error!.message).to.match(/shard/);
      }
    }
    expect(await fileInfo(root, shardNode.url)).to.deep.include({ finalized: true, uploadedSegNum: mine });
  });

  it("survives a reorg: a node applying events 3 deep never records an orphaned Submit; a 1-deep node notices", async () => {
    const snapshot = (await provider.send("evm_snapshot", [])) as string;
    const data = bytes(1000, 17);
    const { root } = await submit(data);
    await provider.send("hardhat_mine", ["0x1"]);
    await waitForAsync(async () => (await fileInfo(root)) !== null, 30_000, "the 1-deep node to see the Submit");
    expect(await fileInfo(root, shardNode.url)).to.equal(null);
    // The chain drops the Submit's block and grows past it: a reorg deeper than 1, shallower than 3.
    expect(await provider.send("evm_revert", [snapshot])).to.equal(true);
    await provider.send("hardhat_mine", ["0x5"]);
    const head = await provider.getBlockNumber();
    await waitForAsync(
      async () =>
        (await ok<{ syncedBlock: number }>(shardNode.adminUrl, "admin_getSyncStatus")).syncedBlock >= head - 2,
      30_000,
      "the shard node to sync past the reorg",
    );
    const synced = await ok<{ flowRootMatches: boolean }>(shardNode.adminUrl, "admin_getSyncStatus");
    expect(synced.flowRootMatches).to.equal(true);
    expect(await fileInfo(root, shardNode.url)).to.equal(null);
    // The node that applied it 1 deep now disagrees with the contract, and says so.
    await waitForAsync(
      async () =>
        (await ok<{ flowRootMatches: boolean }>(node.adminUrl, "admin_getSyncStatus")).flowRootMatches === false,
      30_000,
      "the 1-deep node to report the flow root mismatch",
    );
  });
});
