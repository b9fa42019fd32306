// The provider broker as operators run it: `zg devnet` (a real hardhat node with the protocol and compute deployed),
// a provider validator opted into ComputeServing with a service registered by `zg compute provider register`, a user
// with a ledger account, a Baby Jubjub key and funds in the provider's sub-account, and `zg compute provider` as a
// process serving the embedded model. The official `openai` client talks to it with a zg1 session as its apiKey.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import {
  Contract,
  HDNodeWallet,
  JsonRpcProvider,
  Mnemonic,
  NonceManager,
  parseEther,
  toBeHex,
  zeroPadValue,
  type Wallet,
} from "ethers";
import OpenAI from "openai";
import {
  type Bill,
  billDomain,
  computeFee,
  createSession,
  decodeBill,
  encodeReceiptsHeader,
  encodeSession,
  decodeSession,
  parseBill,
  receiptPublicKey,
  requestHash,
  signBill,
  recoverBillProvider,
  billSignatureJson,
} from "../../offchain/compute/core";
import { LEDGER_ABI, SERVING_ABI } from "../../offchain/compute/chain";
import { postDeclaringLength } from "../helpers/http";
import { runTask, runZg, startDevnet, startZg, waitFor, type Devnet, type Running } from "../helpers/process";

const MODEL = path.resolve(__dirname, "..", "..", "models", "zg-tiny", "model.gguf");
const MNEMONIC = Mnemonic.fromPhrase("test test test test test test test test test test test junk");
const STAKING_ABI = [
  "function registerValidator(bytes consensusPubKey, string description, uint32 commissionPpm, uint32 maxCommissionPpm, uint32 maxChangePpm) payable returns (uint256)",
  "function optIn(address service)",
];
const INPUT_PRICE = 1_000_000_000n; // 1 gwei per prompt token
const OUTPUT_PRICE = 3_000_000_000n; // 3 gwei per generated token

function devWallet(i: number, provider: JsonRpcProvider): Wallet {
  return HDNodeWallet.fromMnemonic(MNEMONIC, `m/44'/60'/0'/0/${i}`).connect(provider) as unknown as Wallet;
}

async function waitForAsync(predicate: () => Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

interface Broker {
  process: Running;
  url: string;
}

async function startBroker(args: string[]): Promise<Broker> {
  const p = startZg(["compute", "provider", ...args]);
  await waitFor(() => p.stdout().includes("compute provider ready") || p.child.exitCode !== null, 180_000, "broker");
  const m = /ready: (http:\/\/\S+)/.exec(p.stdout());
  if (!m) throw new Error(`zg compute provider did not start:\n${p.stderr()}`);
  return { process: p, url: m[1] };
}

async function stopBroker(b: Broker | undefined, signal: NodeJS.Signals = "SIGINT") {
  if (!b || b.process.child.exitCode !== null) return;
  b.process.child.kill(signal);
  await b.process.exited;
}

describe("zg compute provider [e2e]", function () {
  this.timeout(600_000);
  let devnet: Devnet;
  let rpc: JsonRpcProvider;
  let broker: Broker | undefined;
  let providerWallet: Wallet;
  let user: Wallet;
  let poor: Wallet;
  let stranger: Wallet;
  let chainId: bigint;
  let dir: string;
  let brokerArgs: string[];
  let model: string;
  const bjj = Buffer.alloc(32, 42);
  let session: string;
  let serving: Contract;
  let ledgerView: Contract;

  const api = (route: string, init: RequestInit = {}, token = session) =>
    fetch(`${broker!.url}${route}`, {
      ...init,
      headers: { "content-type": "application/json", authorization: `Bearer ${token}`, ...(init.headers ?? {}) },
    });
  const chatBody = (extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      model,
      messages: [{ role: "user", content: "The sea was" }],
      max_tokens: 8,
      temperature: 0,
      ...extra,
    });
  const errorOf = async (res: Response) =>
    ((await res.json()) as { error: { code: string; param: string | null; type: string } }).error;

  before(async function () {
    devnet = await startDevnet("zg-compute-broker-");
    rpc = new JsonRpcProvider(devnet.url);
    chainId = (await rpc.getNetwork()).chainId;
    const recordFile = path.join(devnet.deployments, `${chainId}.json`);
    let record = JSON.parse(fs.readFileSync(recordFile, "utf8")) as { contracts: Record<string, { address: string }> };
    if (!record.contracts.ComputeServing) {
      await runTask(devnet.url, devnet.deployments, [
        "deploy",
        "--only",
        "compute",
        "--deployments",
        devnet.deployments,
      ]);
      record = JSON.parse(fs.readFileSync(recordFile, "utf8")) as typeof record;
    }
    const addr = (name: string) => record.contracts[name].address;
    serving = new Contract(addr("ComputeServing"), SERVING_ABI, rpc);
    ledgerView = new Contract(addr("ComputeLedger"), LEDGER_ABI, rpc);
    providerWallet = devWallet(12, rpc);
    user = devWallet(13, rpc);
    poor = devWallet(14, rpc);
    stranger = devWallet(15, rpc);

    const staking = new Contract(addr("Staking"), STAKING_ABI, new NonceManager(providerWallet));
    await (
      await staking.registerValidator(zeroPadValue(toBeHex(0xc0de), 48), "provider", 0, 0, 0, {
        value: parseEther("1000"),
      })
    ).wait();
    await (await staking.optIn(addr("ComputeServing"))).wait();

    dir = fs.mkdtempSync(path.join(os.tmpdir(), "zg-broker-"));
    const keyFile = path.join(dir, "provider.key");
    fs.writeFileSync(keyFile, providerWallet.privateKey + "\n", { mode: 0o600 });
    const chainFlags = ["--rpc", devnet.url, "--deployments", devnet.deployments, "--key-file", keyFile];
    model = "zg-tiny";
    expect(fs.existsSync(MODEL), `the committed model ${MODEL}`).to.equal(true);
    const modelArgs = ["--model", MODEL, "--model-name", model, "--threads", "1"];
    const reg = await runZg([
      "compute",
      "provider",
      "register",
      ...chainFlags,
      "--model",
      model,
      "--url",
      "http://127.0.0.1:0",
      "--input-price",
      INPUT_PRICE.toString(),
      "--output-price",
      OUTPUT_PRICE.toString(),
    ]);
    expect(reg.code, reg.stderr).to.equal(0);
    expect(reg.stdout).to.match(/registered service/);

    const [Ax, Ay] = receiptPublicKey(bjj);
    for (const [w, funds] of [
      [user, parseEther("1")],
      [poor, 1000n],
    ] as const) {
      const ledger = new Contract(addr("ComputeLedger"), LEDGER_ABI, new NonceManager(w));
      await (await ledger.createAccount([Ax, Ay], { value: funds })).wait();
      await (await ledger.transfer(providerWallet.address, funds)).wait();
    }
    brokerArgs = [...chainFlags, "--port", "0", ...modelArgs, "--data-dir", path.join(dir, "data"), "--no-settlement"];
    broker = await startBroker(brokerArgs);
    session = await createSession(user, {
      provider: providerWallet.address,
      chainId,
      expires: Math.floor(Date.now() / 1000) + 3600,
    });
  });

  after(async function () {
    await stopBroker(broker);
    if (devnet) await devnet.stop();
  });

  const billsSeen: Bill[] = [];

  describe("GET /v1/status and /v1/models", function () {
    it("says who serves what at which prices, without auth", async function () {
      const status = (await (await fetch(`${broker!.url}/v1/status`)).json()) as Record<string, unknown>;
      expect(status.provider).to.equal(providerWallet.address);
      expect(status.model).to.equal(model);
      expect(status.inputPrice).to.equal(INPUT_PRICE.toString());
      expect(status.outputPrice).to.equal(OUTPUT_PRICE.toString());
      expect(status.mode).to.equal("zk");
      const models = (await (await fetch(`${broker!.url}/v1/models`)).json()) as { data: { id: string }[] };
      expect(models.data.map((m) => m.id)).to.deep.equal([model]);
    });
  });

  describe("POST /v1/chat/completions", function () {
    it("answers and bills tokens x on-chain prices (X-ZG-Bill, zg_bill, requestHash over the exact body), signed by the provider", async function () {
      const body = chatBody();
      const res = await api("/v1/chat/completions", { method: "POST", body });
      expect(res.status).to.equal(200);
      const json = (await res.json()) as {
        choices: { message: { content: string } }[];
        usage: { prompt_tokens: number; completion_tokens: number };
        zg_bill: unknown;
        zg_bill_signature: string;
      };
      const bill = decodeBill(res.headers.get("x-zg-bill")!);
      expect(parseBill(json.zg_bill)).to.deep.equal(bill);
      const signature = res.headers.get("x-zg-bill-signature")!;
      expect(json.zg_bill_signature).to.equal(signature);
      const domain = billDomain(chainId, await serving.getAddress());
      expect(recoverBillProvider(domain, bill, signature)).to.equal(providerWallet.address);
      expect(recoverBillProvider(domain, { ...bill, fee: bill.fee + 1n }, signature)).to.not.equal(
        providerWallet.address,
      );
      expect(bill.user).to.equal(user.address);
      expect(bill.provider).to.equal(providerWallet.address);
      expect(bill.inputTokens).to.equal(json.usage.prompt_tokens).and.to.be.greaterThan(0);
      expect(bill.outputTokens).to.equal(json.usage.completion_tokens).and.to.be.within(1, 8);
      expect(bill.fee).to.equal(
        computeFee(bill.inputTokens, bill.outputTokens, { inputPrice: INPUT_PRICE, outputPrice: OUTPUT_PRICE }),
      );
      expect(bill.requestHash).to.equal(
        requestHash(body, json.choices[0].message.content, bill.inputTokens, bill.outputTokens),
      );
      expect(bill.nonce).to.equal(1n);
      billsSeen.push(bill);
    });

    it("works with the official openai client, streaming; the last chunk before [DONE] carries zg_bill", async function () {
      const client = new OpenAI({ apiKey: session, baseURL: `${broker!.url}/v1` });
      const stream = await client.chat.completions.create({
        model,
        messages: [{ role: "user", content: "Call me" }],
        max_tokens: 6,
        temperature: 0,
        stream: true,
      });
      let text = "";
      let last: Record<string, unknown> | undefined;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta?.content ?? "";
        last = chunk as unknown as Record<string, unknown>;
      }
      const bill = parseBill(last!.zg_bill);
      const usage = last!.usage as { prompt_tokens: number; completion_tokens: number };
      expect(bill.outputTokens).to.equal(usage.completion_tokens).and.to.be.within(1, 6);
      expect(bill.nonce).to.equal(2n);
      expect(text.length).to.be.greaterThan(0);
      billsSeen.push(bill);

      const plain = await client.chat.completions.create({
        model,
        messages: [{ role: "user", content: "Hi" }],
        max_tokens: 4,
      });
      expect(plain.choices[0].message.role).to.equal("assistant");
      billsSeen.push(parseBill((plain as unknown as { zg_bill: unknown }).zg_bill));
    });
  });

  describe("POST /v1/completions", function () {
    it("completes a prompt and bills it", async function () {
      const res = await api("/v1/completions", {
        method: "POST",
        body: JSON.stringify({ model, prompt: "It was", max_tokens: 5 }),
      });
      expect(res.status).to.equal(200);
      const json = (await res.json()) as { object: string; choices: { text: string }[]; zg_bill: unknown };
      expect(json.object).to.equal("text_completion");
      billsSeen.push(parseBill(json.zg_bill));
    });
  });

  describe("refusals", function () {
    it("401 without a session, with an expired one, one for another provider, or a tampered one", async function () {
      const now = Math.floor(Date.now() / 1000);
      const expired = await createSession(user, { provider: providerWallet.address, chainId, expires: now - 1 });
      const other = await createSession(user, { provider: stranger.address, chainId, expires: now + 600 });
      const wrongChain = await createSession(user, {
        provider: providerWallet.address,
        chainId: 1,
        expires: now + 600,
      });
      const tampered = encodeSession({ ...decodeSession(session), user: poor.address });
      for (const token of ["", "sk-123", expired, other, wrongChain, tampered]) {
        const res = await api("/v1/chat/completions", { method: "POST", body: chatBody() }, token);
        expect(res.status, token).to.equal(401);
        expect((await errorOf(res)).type).to.equal("authentication_error");
      }
    });

    it("400 names the bad param; 404 for an unknown model; 413 for an oversized body", async function () {
      let res = await api("/v1/chat/completions", { method: "POST", body: JSON.stringify({ model }) });
      expect(res.status).to.equal(400);
      expect((await errorOf(res)).param).to.equal("messages");
      res = await api("/v1/chat/completions", { method: "POST", body: chatBody({ temperature: 5 }) });
      expect((await errorOf(res)).param).to.equal("temperature");
      res = await api("/v1/chat/completions", { method: "POST", body: "{not json" });
      expect(res.status).to.equal(400);
      res = await api("/v1/chat/completions", { method: "POST", body: chatBody({ model: "gpt-5" }) });
      expect(res.status).to.equal(404);
      expect((await errorOf(res)).code).to.equal("model_not_found");
      const { status } = await postDeclaringLength(`${broker!.url}/v1/chat/completions`, 2 * 1024 * 1024, {
        authorization: `Bearer ${session}`,
      });
      expect(status).to.equal(413);
    });

    it("402 insufficient_quota when the sub-account cannot pay the worst case", async function () {
      const token = await createSession(poor, {
        provider: providerWallet.address,
        chainId,
        expires: Math.floor(Date.now() / 1000) + 600,
      });
      const res = await api("/v1/chat/completions", { method: "POST", body: chatBody() }, token);
      expect(res.status).to.equal(402);
      expect((await errorOf(res)).code).to.equal("insufficient_quota");
      const bills = (await (await api("/v1/bills", {}, token)).json()) as { data: unknown[] };
      expect(bills.data).to.have.length(0);
    });
  });

  describe("restart, receipts", function () {
    it("kill -9 keeps every bill; a restarted broker lists them unsigned", async function () {
      await stopBroker(broker, "SIGKILL");
      broker = await startBroker([...brokerArgs, "--max-unsigned-fee", "0"]);
      const list = (await (await api("/v1/bills")).json()) as { data: unknown[] };
      expect(list.data.map((b) => parseBill(b))).to.deep.equal(billsSeen);
    });

    it("402 receipts_required once unsigned bills pass maxUnsignedFee", async function () {
      const res = await api("/v1/chat/completions", { method: "POST", body: chatBody() });
      expect(res.status).to.equal(402);
      expect((await errorOf(res)).code).to.equal("receipts_required");
    });

    it("a forged receipt is refused with 400 and nothing changes", async function () {
      const good = billsSeen.map((b) => signBill(bjj, b));
      const forged = [...good.slice(0, -1), signBill(Buffer.alloc(32, 9), billsSeen[billsSeen.length - 1])];
      const res = await api("/v1/receipts", {
        method: "POST",
        body: JSON.stringify({ receipts: forged.map(billSignatureJson) }),
      });
      expect(res.status).to.equal(400);
      expect((await errorOf(res)).code).to.equal("invalid_receipt");
      const list = (await (await api("/v1/bills")).json()) as { data: unknown[] };
      expect(list.data).to.have.length(billsSeen.length);
    });

    it("receipts in X-ZG-Receipts are attached and the request is served", async function () {
      const good = billsSeen.map((b) => signBill(bjj, b));
      const res = await api("/v1/chat/completions", {
        method: "POST",
        body: chatBody(),
        headers: { "x-zg-receipts": encodeReceiptsHeader(good) },
      });
      expect(res.status).to.equal(200);
      const bill = decodeBill(res.headers.get("x-zg-bill")!);
      expect(bill.nonce).to.equal(BigInt(billsSeen.length + 1));
      const list = (await (await api("/v1/bills")).json()) as { data: unknown[] };
      expect(list.data.map((b) => parseBill(b))).to.deep.equal([bill]);
    });

    it("GET /metrics counts requests, tokens and fees", async function () {
      const text = await (await fetch(`${broker!.url}/metrics`)).text();
      expect(text).to.match(/zg_compute_requests_total\{route="\/v1\/chat\/completions",status="200"\} 1/);
      expect(text).to.match(/zg_compute_output_tokens_total [1-9]/);
      expect(text).to.match(/zg_compute_unsigned_exposure_wei [1-9]/);
    });

    it("a client that disconnects mid-stream is billed for what was produced", async function () {
      // maxUnsignedFee is 0 on this broker: the unsigned bill of the previous test goes along as a receipt.
      const unsigned = ((await (await api("/v1/bills")).json()) as { data: unknown[] }).data.map((b) => parseBill(b));
      const before = 0;
      const abort = new AbortController();
      const res = await api("/v1/chat/completions", {
        method: "POST",
        body: chatBody({ stream: true, max_tokens: 400, temperature: 1 }),
        signal: abort.signal,
        headers: { "x-zg-receipts": encodeReceiptsHeader(unsigned.map((b) => signBill(bjj, b))) },
      });
      expect(res.status).to.equal(200);
      const reader = res.body!.getReader();
      await reader.read();
      abort.abort();
      let bills: Bill[] = [];
      await waitForAsync(async () => {
        bills = ((await (await api("/v1/bills")).json()) as { data: unknown[] }).data.map((b) => parseBill(b));
        return bills.length > before;
      });
      expect(bills[bills.length - 1].inputTokens).to.be.greaterThan(0);
    });

    it("with the settlement scheduler on, the signed bills settle on chain with a real proof", async function () {
      const chargeableBefore = (await ledgerView.chargeable(user.address, providerWallet.address)) as bigint;
      await stopBroker(broker);
      broker = await startBroker(
        brokerArgs.filter((a) => a !== "--no-settlement").concat(["--max-delay", "1", "--batch-size", "4"]),
      );
      // Bills 1..5 carry receipts (the last unsigned one, 6, blocks nothing before it).
      await waitForAsync(
        async () => ((await serving.nonceOf(user.address, providerWallet.address)) as bigint) === 5n,
        300_000,
      );
      const chargeableAfter = (await ledgerView.chargeable(user.address, providerWallet.address)) as bigint;
      expect(chargeableBefore - chargeableAfter).to.be.greaterThan(0n);
      const left = ((await (await api("/v1/bills")).json()) as { data: unknown[] }).data.map((b) => parseBill(b));
      expect(left.map((b) => b.nonce)).to.deep.equal([6n]);
    });
  });
});
