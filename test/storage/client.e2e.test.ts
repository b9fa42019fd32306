// End to end on `zg devnet`: `zg storage upload|download|info|repair` as processes against real `zg storage-node`
// processes: erasure-coded upload survives two nodes down, repair rebuilds shards onto new nodes, an upload killed
// with SIGKILL after its Submit resumes without paying again, a node serving corrupted data is skipped.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { expect } from "chai";
import { Contract, HDNodeWallet, JsonRpcProvider, Mnemonic } from "ethers";
import { decodeFrame, encodeFrame } from "../../offchain/storage/node/frame";
import { runZg, startDevnet, startZg, waitFor, type Devnet } from "../helpers/process";
import { startStorageNode, type StorageNodeProcess } from "../helpers/storageNodes";

const FLOW_ABI = [
  "event Submit(address indexed sender, bytes32 indexed dataRoot, uint256 submissionIndex, uint256 startPos, uint256 length, uint256 fee, tuple(uint256 length, bytes tags, tuple(bytes32 root, uint256 height)[] nodes) submission)",
];
const PAYER_INDEX = 11;

function bytes(n: number, seed = 1): Buffer {
  const out = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

async function rpc<T>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await res.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

/** A node in front of `target` that flips one byte of every segment it serves. */
/** Forwards to a node, flipping the first data byte of every segment it serves (JSON or frame). */
function corruptingProxy(target: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        if (req.method === "GET") {
          const upstream = await fetch(`${target.replace(/\/$/, "")}${req.url}`);
          let frame: Buffer = Buffer.from(await upstream.arrayBuffer());
          if (upstream.status === 200) {
            const decoded = decodeFrame(frame, 1);
            const data = Buffer.from(decoded.segments[0].data);
            data[0] ^= 0xff;
            frame = encodeFrame({ ...decoded, segments: [{ ...decoded.segments[0], data }] });
          }
          res.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "text/plain" });
          res.end(frame);
          return;
        }
        const body = Buffer.concat(chunks).toString();
        const upstream = await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body });
        const answer = (await upstream.json()) as { result?: { data?: string } | null };
        const request = JSON.parse(body) as { method?: string };
        if (request.method === "zgs_downloadSegmentWithProof" && answer.result?.data) {
          const data = Buffer.from(answer.result.data, "base64");
          data[0] ^= 0xff;
          answer.result.data = data.toString("base64");
        }
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(answer));
      })();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) });
    }),
  );
}

describe("[e2e] storage client (zg storage) on zg devnet", function () {
  this.timeout(300_000);
  let devnet: Devnet;
  let provider: JsonRpcProvider;
  let flow: Contract;
  let keyFile: string;
  let payer: string;
  const nodes: StorageNodeProcess[] = [];
  let work: string;

  const chainFlags = () => ["--rpc", devnet.url, "--deployments", devnet.deployments];
  const urls = (list: StorageNodeProcess[]) => list.map((n) => n.url).join(",");
  async function addNode(name: string) {
    const node = await startStorageNode(devnet, path.join(devnet.dataDir, name));
    nodes.push(node);
    return node;
  }
  async function zg(args: string[], env: NodeJS.ProcessEnv = {}) {
    const r = await runZg(args, env);
    if (r.code !== 0) throw new Error(`zg ${args.slice(0, 2).join(" ")} exited ${r.code}:\n${r.stderr}`);
    return r;
  }
  const submitsOf = async (root: string) => flow.queryFilter(flow.filters.Submit(null, root));

  before(async () => {
    devnet = await startDevnet("zg-storage-client-e2e-");
    work = fs.mkdtempSync(path.join(devnet.dataDir, "work-"));
    provider = new JsonRpcProvider(devnet.url, undefined, { cacheTimeout: -1 });
    const record = JSON.parse(fs.readFileSync(path.join(devnet.deployments, "31337.json"), "utf8")) as {
      contracts: Record<string, { address: string }>;
    };
    flow = new Contract(record.contracts.Flow.address, FLOW_ABI, provider);
    const wallet = HDNodeWallet.fromMnemonic(
      Mnemonic.fromPhrase("test test test test test test test test test test test junk"),
      `m/44'/60'/0'/0/${PAYER_INDEX}`,
    );
    payer = wallet.address;
    keyFile = path.join(work, "payer.key");
    fs.writeFileSync(keyFile, `${wallet.privateKey}\n`);
    for (const name of ["a", "b", "c", "d"]) await addNode(name);
  });

  after(async () => {
    for (const n of nodes) await n.stop();
    provider?.destroy();
    await devnet?.stop();
  });

  let manifestRoot: string;
  const ecFile = () => path.join(work, "ec.bin");
  const ecData = bytes(3 * 1024 * 1024 + 777, 5);

  it("uploads with --ec 2+2 to 4 nodes, and downloads identical bytes with 2 of them stopped", async () => {
    fs.writeFileSync(ecFile(), ecData);
    const up = await zg(
      ["storage", "upload", ecFile(), "--ec", "2+2", "--nodes", urls(nodes), "--key-file", keyFile, ...chainFlags()],
      { ZG_PARALLEL_HASHING_BYTES: String(1024 * 1024) },
    ); // the shared-memory read and hasher threads, as for a large file
    manifestRoot = up.stdout.trim();
    expect(manifestRoot).to.match(/^0x[0-9a-f]{64}$/);
    expect(await submitsOf(manifestRoot)).to.have.length(1);

    const info = JSON.parse(
      (await zg(["storage", "info", manifestRoot, "--nodes", urls(nodes), ...chainFlags()])).stdout,
    ) as {
      manifest: { k: number; m: number; size: number };
      shards: { submits: unknown[]; nodes: { url: string; finalized: boolean | null }[] }[];
    };
    expect(info.manifest).to.include({ k: 2, m: 2, size: ecData.length });
    info.shards.forEach((s, i) => {
      expect(s.submits, `shard ${i}`).to.have.length(1);
      expect(s.nodes[i].finalized, `shard ${i} on node ${i}`).to.equal(true);
    });

    await nodes[0].stop();
    await nodes[1].stop();
    const out = path.join(work, "ec.out");
    const down = await zg(["storage", "download", manifestRoot, "--nodes", urls(nodes.slice(0, 4)), "--out", out]);
    expect(down.stdout).to.include(`wrote ${ecData.length} bytes`);
    expect(fs.readFileSync(out).equals(ecData)).to.equal(true);
  });

  it("refuses a download with fewer than k shards reachable (STORAGE_NOT_ENOUGH_SHARDS), in one line", async () => {
    const r = await runZg([
      "storage",
      "download",
      manifestRoot,
      "--nodes",
      nodes[2].url,
      "--out",
      path.join(work, "x"),
    ]);
    expect(r.code).to.equal(1);
    expect(r.stderr.trim().split("\n").pop()).to.match(/^error\[STORAGE_NOT_ENOUGH_SHARDS\]: .* — /);
    expect(fs.existsSync(path.join(work, "x"))).to.equal(false);
  });

  it("repair rebuilds the shards of the stopped nodes onto new nodes, paying nothing", async () => {
    const e = await addNode("e");
    const f = await addNode("f");
    const before = await provider.getBalance(payer);
    const r = await zg(["storage", "repair", manifestRoot, "--nodes", urls(nodes), "--json"]);
    const result = JSON.parse(r.stdout) as { repaired: { index: number; node: string }[] };
    expect(result.repaired.map((x) => x.index).sort()).to.deep.equal([0, 1]);
    expect(result.repaired.map((x) => x.node).sort()).to.deep.equal([e.url, f.url].sort());
    expect(await provider.getBalance(payer)).to.equal(before);
    // Only the two repaired nodes: they now hold shards 0 and 1 (k = 2) and the manifest.
    const out = path.join(work, "ec-repaired.out");
    await zg(["storage", "download", manifestRoot, "--nodes", urls([e, f]), "--out", out]);
    expect(fs.readFileSync(out).equals(ecData)).to.equal(true);
  });

  let plainRoot: string;
  const plainData = bytes(6 * 1024 * 1024 + 5, 9);

  it("an upload killed with SIGKILL after its Submit resumes on rerun: one Submit, one fee, file complete", async () => {
    const file = path.join(work, "plain.bin");
    fs.writeFileSync(file, plainData);
    const live = nodes.slice(2);
    const args = ["storage", "upload", file, "--nodes", urls(live), "--key-file", keyFile, ...chainFlags()];
    const balance0 = await provider.getBalance(payer);
    const first = startZg(args, { ZG_BATCH_SEGMENTS: "2" });
    await waitFor(() => /submitted 0x/.test(first.stderr()) || first.child.exitCode !== null, 60_000, "the Submit");
    plainRoot = /submitted (0x[0-9a-f]{64})/.exec(first.stderr())![1];
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const info = await rpc<{ uploadedSegNum: number } | null>(live[0].url, "zgs_getFileInfo", [plainRoot]);
      if (info && info.uploadedSegNum > 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    first.child.kill("SIGKILL");
    await first.exited;
    const partial = await rpc<{ finalized: boolean; uploadedSegNum: number }>(live[0].url, "zgs_getFileInfo", [
      plainRoot,
    ]);
    console.log(
      `      killed with ${partial.uploadedSegNum} segments on the first node (finalized ${partial.finalized})`,
    );

    const second = await zg([...args, "--json"]);
    const resumed = JSON.parse(second.stdout) as {
      root: string;
      paid: string;
      submitted: boolean;
      uploaded: number;
      segments: number;
    };
    expect(resumed).to.include({ root: plainRoot, paid: "0", submitted: false });
    // Segments a node held already are not sent again.
    expect(resumed.uploaded).to.be.at.most(live.length * resumed.segments - partial.uploadedSegNum);
    const submits = await submitsOf(plainRoot);
    expect(submits).to.have.length(1);
    const receipt = (await provider.getTransactionReceipt(submits[0].transactionHash))!;
    const fee = (submits[0] as unknown as { args: { fee: bigint } }).args.fee;
    const spent = balance0 - (await provider.getBalance(payer));
    expect(spent).to.equal(fee + receipt.gasUsed * receipt.gasPrice);
    for (const n of live) expect(await rpc(n.url, "zgs_checkFileFinalized", [plainRoot]), n.url).to.equal(true);
  });

  it("download skips a node serving a corrupted segment and reports it; the file is intact", async () => {
    const proxy = await corruptingProxy(nodes[2].url);
    try {
      const out = path.join(work, "plain.out");
      const r = await zg(["storage", "download", plainRoot, "--nodes", `${proxy.url},${nodes[3].url}`, "--out", out]);
      expect(r.stderr).to.include(`skipped ${proxy.url}: served bad data`);
      expect(r.stderr.split(`skipped ${proxy.url}`)).to.have.length(2);
      expect(fs.readFileSync(out).equals(plainData)).to.equal(true);
    } finally {
      await proxy.close();
    }
  });

  it("--replicas n sends the file to n of the nodes given only, and any of them serves it back", async () => {
    const live = nodes.slice(2);
    const data = bytes(700 * 1024 + 5, 9);
    const file = path.join(work, "replicas.bin");
    fs.writeFileSync(file, data);
    const args = ["storage", "upload", file, "--nodes", urls(live), "--key-file", keyFile, ...chainFlags()];
    const r = JSON.parse((await zg([...args, "--replicas", "1", "--json"])).stdout) as {
      root: string;
      uploaded: number;
    };
    expect(r.uploaded).to.equal(3);
    const holders = [];
    for (const n of live) if ((await rpc(n.url, "zgs_checkFileFinalized", [r.root])) === true) holders.push(n);
    expect(holders).to.have.length(1);
    const out = path.join(work, "replicas.out");
    await zg(["storage", "download", r.root, "--nodes", urls(live), "--out", out]);
    expect(fs.readFileSync(out).equals(data)).to.equal(true);
    // A second copy: the rerun pays nothing, sends the file to one more node and skips the one that holds it.
    const again = JSON.parse((await zg([...args, "--replicas", "2", "--json"])).stdout) as { paid: string };
    expect(again.paid).to.equal("0");
    let finalized = 0;
    for (const n of live) if ((await rpc(n.url, "zgs_checkFileFinalized", [r.root])) === true) finalized++;
    expect(finalized).to.be.within(2, 3);

    // Refused before paying: a file never uploaded is not submitted.
    fs.writeFileSync(file, bytes(300 * 1024, 10));
    const balance = await provider.getBalance(payer);
    const many = await runZg([...args, "--replicas", String(live.length + 1)]);
    expect(many.code).to.equal(1);
    expect(await provider.getBalance(payer)).to.equal(balance);
    expect(many.stderr.trim()).to.match(/^error\[STORAGE_NO_NODES\]: 5 copies of every segment need more nodes.* — /);
    const withEc = await runZg([...args, "--replicas", "1", "--ec", "2+2"]);
    expect(withEc.stderr.trim()).to.match(/^error\[STORAGE_BAD_EC_SPEC\]: --replicas does not go with --ec/);
    const zero = await runZg([...args, "--replicas", "0"]);
    expect(zero.code).to.equal(1);
    expect(zero.stderr).to.match(/replicas/);
  });

  it("refuses a bad --ec, no nodes and unreachable nodes with one-line errors", async () => {
    const file = path.join(work, "plain.bin");
    const bad = await runZg([
      "storage",
      "upload",
      file,
      "--ec",
      "2x2",
      "--nodes",
      nodes[2].url,
      "--key-file",
      keyFile,
      ...chainFlags(),
    ]);
    expect(bad.code).to.equal(1);
    expect(bad.stderr.trim()).to.match(/^error\[STORAGE_BAD_EC_SPEC\]: .* — /);
    const none = await runZg(["storage", "download", plainRoot, "--nodes", ",", "--out", path.join(work, "y")]);
    expect(none.stderr.trim()).to.match(/^error\[STORAGE_NO_NODES\]: .* — /);
    const down = await runZg([
      "storage",
      "download",
      plainRoot,
      "--nodes",
      nodes[0].url,
      "--out",
      path.join(work, "y"),
    ]);
    expect(down.stderr.trim()).to.match(/^error\[STORAGE_NODE_UNREACHABLE\]: .* — /);
  });
});
