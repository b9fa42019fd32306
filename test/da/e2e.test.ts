// End to end on `zg devnet`: four validators opted into DA, four `zg da-signer` processes, and `zg da disperse` /
// `zg da retrieve` as a user runs them. Signers are stopped mid-way to show the 2/3 threshold and the 1/3 rate.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { Contract, JsonRpcProvider } from "ethers";
import * as core from "../../offchain/da/core";
import { bytesToBase64, g1ToJson, g2ToJson, type RowsResponse } from "../../offchain/da/protocol";
import {
  chainFlags,
  devWallet,
  startSigner,
  startSignerSet,
  stopSigners,
  writeKey,
  type SignerProcess,
} from "../helpers/daSigners";
import { postDeclaringLength } from "../helpers/http";
import { runTask, runZg, startDevnet, type Devnet } from "../helpers/process";

async function waitForAsync(predicate: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

type StoredRows = RowsResponse;

interface DisperseJson {
  dataRoot: string;
  rowsRoot: string;
  epoch: string;
  shape: { cols: number; dataRows: number; codedRows: number };
  signers: string[];
  failures: unknown[];
  submitted: boolean;
}

/** Announces a body of `bytes` bytes and reads the refusal. */
async function postOversized(base: string, bytes: number): Promise<{ status: number; code: string }> {
  const { status, text } = await postDeclaringLength(`${base}/v1/rows`, bytes);
  return { status, code: JSON.parse(text).error.code };
}

describe("[e2e] data availability on zg devnet with 4 signers", function () {
  this.timeout(600_000);
  let devnet: Devnet;
  let provider: JsonRpcProvider;
  let record: { contracts: Record<string, { address: string }> };
  const signers: SignerProcess[] = [];
  const files: Record<string, string> = {};
  let blob1: DisperseJson;

  const SAMPLER_ENV = { ZG_SAMPLER__INTERVAL_MS: "300" };
  const chainArgs = () => chainFlags(devnet);

  before(async () => {
    devnet = await startDevnet("zg-da-e2e-");
    provider = new JsonRpcProvider(devnet.url, undefined, { cacheTimeout: -1 });
    record = JSON.parse(fs.readFileSync(path.join(devnet.deployments, "31337.json"), "utf8"));
    // Validators 2..5 of the dev mnemonic, one `zg da-signer` each, active from the epoch this moves to.
    signers.push(...(await startSignerSet(devnet, provider, 4, { env: SAMPLER_ENV })));
    files.payer = writeKey(devnet, "payer.key", devWallet(1, provider).privateKey);
  });

  after(async () => {
    await stopSigners(signers);
    provider?.destroy();
    await devnet?.stop();
  });

  const disperse = async (file: string) => {
    const result = await runZg(["da", "disperse", file, "--key-file", files.payer, "--json", ...chainArgs()]);
    expect(result.code, result.stderr).to.equal(0);
    return JSON.parse(result.stdout) as DisperseJson;
  };

  it("disperses a 1 MiB blob: all four signers sign and the certificate lands", async () => {
    files.blob1 = path.join(devnet.dataDir, "blob1.bin");
    fs.writeFileSync(files.blob1, crypto.randomBytes(1024 * 1024));
    const result = await disperse(files.blob1);
    expect(result.signers).to.have.length(4);
    expect(result.submitted).to.equal(true);
    files.root1 = result.dataRoot;
    blob1 = result;
    // A second run of the same file pays nothing and submits nothing.
    const again = await disperse(files.blob1);
    expect(again.submitted).to.equal(false);
  });

  it("a signer killed with SIGKILL restarts with every row it signed for", async () => {
    const victim = signers[1];
    victim.run.child.kill("SIGKILL");
    await victim.run.exited;
    signers[1] = await startSigner(devnet, 1, victim.port, victim.operatorKey, { env: SAMPLER_ENV });
    const status = (await (await fetch(`${signers[1].url}/v1/status`)).json()) as { blobs: number };
    expect(status.blobs).to.equal(1);
  });

  it("with one signer stopped, a second blob still reaches 2/3", async () => {
    signers[3].run.child.kill("SIGINT");
    expect(await signers[3].run.exited).to.equal(0);
    files.blob2 = path.join(devnet.dataDir, "blob2.bin");
    fs.writeFileSync(files.blob2, crypto.randomBytes(300_000));
    const result = await disperse(files.blob2);
    expect(result.signers).to.have.length(3);
    expect(result.failures).to.have.length(1);
    files.root2 = result.dataRoot;
  });

  it("retrieves both blobs with half of the signers (and half the rows) gone", async () => {
    signers[2].run.child.kill("SIGINT");
    await signers[2].run.exited;
    for (const [root, blob] of [
      [files.root1, files.blob1],
      [files.root2, files.blob2],
    ]) {
      const out = `${blob}.out`;
      const result = await runZg(["da", "retrieve", root, "--out", out, ...chainArgs()]);
      expect(result.code, result.stderr).to.equal(0);
      expect(Buffer.compare(fs.readFileSync(out), fs.readFileSync(blob))).to.equal(0);
    }
  });

  it("a signer refuses malformed, oversized, unpaid, unassigned and mismatched rows with named errors", async () => {
    const status = async (i: number) => (await fetch(`${signers[i].url}/v1/status`)).json();
    const before = await status(0);
    const post = async (i: number, body: unknown) => {
      const response = await fetch(`${signers[i].url}/v1/rows`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
      return { status: response.status, code: ((await response.json()) as { error: { code: string } }).error.code };
    };
    expect(await post(0, "{ not json")).to.deep.equal({ status: 400, code: "BAD_REQUEST" });
    expect(await post(0, { blob: {} })).to.deep.equal({ status: 400, code: "BAD_REQUEST" });
    expect(await postOversized(signers[0].url, 70 * 1024 * 1024)).to.deep.equal({ status: 413, code: "TOO_LARGE" });

    // What signer 0 holds of blob 1 is a valid request for signer 0: each variant breaks one thing.
    const epoch = await epochOf(files.root1);
    const stored = (await (await fetch(`${signers[0].url}/v1/rows/${files.root1}/${epoch}/0`)).json()) as StoredRows;
    const { blob, shape, rowsRoot, commitment, degreeProof, rows } = stored;
    const valid = { blob, shape, rowsRoot, commitment, degreeProof, rows };
    expect(await post(0, { ...valid, blob: { ...blob, dataRoot: `0x${"ab".repeat(32)}` } })).to.deep.equal({
      status: 422,
      code: "BAD_ROOT",
    });
    expect(await post(1, valid)).to.deep.equal({ status: 422, code: "NOT_ASSIGNED" });
    const flipped = structuredClone(valid);
    const bytes = Buffer.from(flipped.rows[0].data, "base64");
    bytes[40] ^= 1;
    flipped.rows[0].data = bytes.toString("base64");
    expect(await post(0, flipped)).to.deep.equal({ status: 422, code: "BAD_INCLUSION" });
    const swapped = structuredClone(valid);
    [swapped.rows[0].proof, swapped.rows[1].proof] = [swapped.rows[1].proof, swapped.rows[0].proof];
    expect(await post(0, swapped)).to.deep.equal({ status: 422, code: "BAD_COMMITMENT" });
    const forged = structuredClone(valid);
    forged.commitment = { X: "1", Y: "2" };
    expect(await post(0, forged)).to.deep.equal({ status: 422, code: "BAD_DEGREE" });

    // A consistent blob nobody paid for.
    await core.initDaCore();
    const srs = await core.loadSrs();
    const unpaid = await core.encodeBlob(srs, crypto.randomBytes(5000));
    const lines = [0, 4, 8, 12].filter((i) => i < unpaid.shape.codedRows);
    const request = {
      blob: { dataRoot: unpaid.dataRoot, epoch: String(epoch), quorumId: "0" },
      shape: unpaid.shape,
      rowsRoot: unpaid.rowsRoot,
      commitment: g1ToJson(unpaid.commitment),
      degreeProof: g2ToJson(unpaid.degreeProof),
      rows: lines.map((i) => ({
        index: i,
        data: bytesToBase64(unpaid.rows[i]),
        proof: g1ToJson(unpaid.rowProofs[i]),
        inclusion: core.rowInclusionProof(unpaid.rowRoots, unpaid.shape.rowDomain, i),
      })),
    };
    expect(await post(0, request)).to.deep.equal({ status: 402, code: "NOT_PAID" });

    // Nothing of the above was stored; the signer still serves blob 1 unchanged.
    expect(await status(0)).to.deep.equal(before);
    const again = (await (await fetch(`${signers[0].url}/v1/rows/${files.root1}/${epoch}/0`)).json()) as StoredRows;
    expect(again).to.deep.equal(stored);
  });

  it("under 2/3 the disperser stops with the blob paid; once a signer is back, a rerun certifies without paying again", async () => {
    files.blob3 = path.join(devnet.dataDir, "blob3.bin");
    fs.writeFileSync(files.blob3, crypto.randomBytes(50_000));
    const short = await runZg(["da", "disperse", files.blob3, "--key-file", files.payer, "--json", ...chainArgs()]);
    expect(short.code).to.equal(1);
    expect(short.stderr).to.include("DA_QUORUM_NOT_REACHED");

    const stopped = signers[2];
    signers[2] = await startSigner(devnet, 2, stopped.port, stopped.operatorKey, { env: SAMPLER_ENV });
    const result = await disperse(files.blob3);
    expect(result.signers).to.have.length(3);
    files.root3 = result.dataRoot;
    const entrance = new Contract(
      record.contracts.DAEntrance.address,
      [
        "event DataUploaded(address indexed sender, bytes32 indexed dataRoot, uint256 indexed epoch, uint256 quorumId, uint256 blobPrice)",
      ],
      provider,
    );
    expect(await entrance.queryFilter(entrance.filters.DataUploaded(null, result.dataRoot))).to.have.length(1);
  });

  it("the running signers answer sampling rounds for the rows they hold and are paid", async () => {
    const sampler = new Contract(
      record.contracts.DASampler.address,
      [
        "event AnswerRewarded(address indexed signer, uint256 indexed round, bytes32 indexed dataRoot, uint256 epoch, uint256 quorumId, uint256 lineIndex, uint256 sublineIndex, uint256 poolReward, uint256 baseReward)",
        "event RewardClaimed(address indexed signer, uint256 amount)",
      ],
      provider,
    );
    // Blobs are sampled once their epoch is over.
    await provider.send("evm_increaseTime", [24 * 3600]);
    await provider.send("evm_mine", []);
    const running = [signers[0].address, signers[1].address, signers[2].address];
    const answers = async () => sampler.queryFilter(sampler.filters.AnswerRewarded());
    const deadline = Date.now() + 120_000;
    while (
      (await answers()).length === 0 ||
      (await sampler.queryFilter(sampler.filters.RewardClaimed())).length === 0
    ) {
      if (Date.now() > deadline) throw new Error("no sampling answer was rewarded and claimed within 120 s");
      await provider.send("evm_mine", []);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    for (const log of await answers()) {
      const { signer, dataRoot, lineIndex } = (
        log as unknown as { args: { signer: string; dataRoot: string; lineIndex: bigint } }
      ).args;
      expect(running).to.include(signer);
      // Only the member a line is assigned to may answer for it.
      expect(Number(lineIndex) % 4).to.equal(running.indexOf(signer));
      expect([files.root1, files.root2, files.root3]).to.include(dataRoot);
    }
  });

  it("a challenged signer answers in time; one that stopped serving is slashed", async () => {
    const challengeFor = async (line: number) => {
      const out = await runTask(devnet.url, devnet.deployments, [
        "da:challenge",
        "--data-root",
        blob1.dataRoot,
        "--epoch",
        blob1.epoch,
        "--rows-root",
        blob1.rowsRoot,
        "--cols",
        String(blob1.shape.cols),
        "--data-rows",
        String(blob1.shape.dataRows),
        "--coded-rows",
        String(blob1.shape.codedRows),
        "--line",
        String(line),
        "--subline",
        "3",
      ]);
      return /challenge (\d+) against (0x[0-9a-fA-F]{40})/.exec(out)!;
    };
    const challenge = new Contract(
      record.contracts.DAChallenge.address,
      [
        "function getChallenge(uint256) view returns (tuple(address challenger, uint64 deadline, uint8 status, address signer, uint96 bond, bytes32 dataRoot, bytes32 rowsRoot, uint64 epoch, uint64 quorumId, uint32 cols, uint32 codedRows, uint32 lineIndex, uint32 sublineIndex))",
      ],
      provider,
    );
    // Line 4 belongs to member 0, which is running: its sampler loop answers.
    const [, answeredId, answeredSigner] = await challengeFor(4);
    expect(answeredSigner).to.equal(signers[0].address);
    await waitForAsync(async () => (await challenge.getChallenge(answeredId)).status === 2n, 60_000, "an answer");

    // Line 3 belongs to member 3, which signed blob 1 and was stopped since.
    const [, slashedId, slashedSigner] = await challengeFor(3);
    expect(slashedSigner).to.equal(signers[3].address);
    const staking = new Contract(
      record.contracts.Staking.address,
      ["function effectiveStake(address) view returns (uint256)"],
      provider,
    );
    const stakeBefore = (await staking.effectiveStake(slashedSigner)) as bigint;
    for (let i = 0; i < 60; i++) await provider.send("evm_mine", []);
    const out = await runTask(devnet.url, devnet.deployments, ["da:finalize", slashedId]);
    expect(out).to.include("signer slashed");
    expect((await staking.effectiveStake(slashedSigner)) as bigint).to.be.lessThan(stakeBefore);
  });

  async function epochOf(root: string): Promise<bigint> {
    const entrance = new Contract(
      record.contracts.DAEntrance.address,
      [
        "event DataUploaded(address indexed sender, bytes32 indexed dataRoot, uint256 indexed epoch, uint256 quorumId, uint256 blobPrice)",
      ],
      provider,
    );
    const logs = await entrance.queryFilter(entrance.filters.DataUploaded(null, root));
    return (logs[0] as unknown as { args: { epoch: bigint } }).args.epoch;
  }
});
