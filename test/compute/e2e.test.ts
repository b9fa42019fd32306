// The user's side end to end: `zg devnet` (hardhat node with compute deployed), a provider validator opted into
// ComputeServing with its service registered, `zg compute provider` as a process serving the embedded model and
// settling with real proofs (N = 4), and a user who funds an account with `zg compute account|transfer`, chats
// through the official openai client with zgFetch and through `zg compute chat`, and is charged exactly the fees.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import {
  Contract,
  HDNodeWallet,
  JsonRpcProvider,
  Mnemonic,
  parseEther,
  toBeHex,
  zeroPadValue,
  type Wallet,
} from "ethers";
import OpenAI from "openai";
import { LEDGER_ABI, SERVING_ABI } from "../../offchain/compute/chain";
import { billSignatureJson, signBill, type Bill } from "../../offchain/compute/core";
import { createSession, loadReceiptKey, zgFetch, type ZgFetch } from "../../offchain/compute/client";
import { runZg, startDevnet, startZg, waitFor, type Devnet, type Running } from "../helpers/process";

const MODEL = path.resolve(__dirname, "..", "..", "models", "zg-tiny", "model.gguf");
const MNEMONIC = Mnemonic.fromPhrase("test test test test test test test test test test test junk");
const STAKING_ABI = [
  "function registerValidator(bytes consensusPubKey, string description, uint32 commissionPpm, uint32 maxCommissionPpm, uint32 maxChangePpm) payable returns (uint256)",
  "function optIn(address service)",
];
// High enough that a settlement pays more than its gas, so the provider's balance visibly goes up.
const INPUT_PRICE = 10n ** 13n;
const OUTPUT_PRICE = 3n * 10n ** 13n;

const devWallet = (i: number, rpc: JsonRpcProvider) =>
  HDNodeWallet.fromMnemonic(MNEMONIC, `m/44'/60'/0'/0/${i}`).connect(rpc) as unknown as Wallet;

describe("compute user end to end [e2e]", function () {
  this.timeout(900_000);
  let devnet: Devnet;
  let rpc: JsonRpcProvider;
  let broker: Running | undefined;
  let brokerUrl: string;
  let provider: Wallet;
  let user: Wallet;
  let ledger: Contract;
  let serving: Contract;
  let dir: string;
  let userKeyFile: string;
  let model: string;
  let zg: ZgFetch;
  let openai: OpenAI;
  let providerBefore: bigint;
  const funded = parseEther("1");
  const bills: Bill[] = [];
  const chainFlags = () => ["--rpc", devnet.url, "--deployments", devnet.deployments];

  before(async function () {
    devnet = await startDevnet("zg-compute-e2e-");
    // No response cache: two transactions in a row must not read the same pending nonce.
    rpc = new JsonRpcProvider(devnet.url, undefined, { cacheTimeout: -1 });
    const chainId = (await rpc.getNetwork()).chainId;
    const record = JSON.parse(fs.readFileSync(path.join(devnet.deployments, `${chainId}.json`), "utf8")) as {
      contracts: Record<string, { address: string }>;
    };
    const addr = (name: string) => record.contracts[name].address;
    provider = devWallet(16, rpc);
    user = devWallet(17, rpc);
    ledger = new Contract(addr("ComputeLedger"), LEDGER_ABI, rpc);
    serving = new Contract(addr("ComputeServing"), SERVING_ABI, rpc);

    const staking = new Contract(addr("Staking"), STAKING_ABI, provider);
    const stake = parseEther("1000");
    await (
      await staking.registerValidator(zeroPadValue(toBeHex(0xe2e), 48), "provider", 0, 0, 0, { value: stake })
    ).wait();
    await (await staking.optIn(addr("ComputeServing"))).wait();

    dir = fs.mkdtempSync(path.join(os.tmpdir(), "zg-compute-e2e-"));
    const providerKey = path.join(dir, "provider.key");
    fs.writeFileSync(providerKey, `${provider.privateKey}\n`, { mode: 0o600 });
    userKeyFile = path.join(dir, "user.key");
    fs.writeFileSync(userKeyFile, `${user.privateKey}\n`, { mode: 0o600 });

    model = "zg-tiny";
    expect(fs.existsSync(MODEL), `the committed model ${MODEL}`).to.equal(true);
    const modelArgs = ["--model", MODEL, "--model-name", model, "--threads", "1"];
    const withKey = [...chainFlags(), "--key-file", providerKey];
    broker = startZg([
      "compute",
      "provider",
      ...withKey,
      "--port",
      "0",
      ...modelArgs,
      "--data-dir",
      path.join(dir, "data"),
      "--batch-size",
      "4",
      "--max-delay",
      "1",
    ]);
    await waitFor(() => broker!.stdout().includes("ready") || broker!.child.exitCode !== null, 180_000, "broker");
    const m = /ready: (http:\/\/\S+)/.exec(broker.stdout());
    if (!m) throw new Error(`zg compute provider did not start:\n${broker.stderr()}`);
    brokerUrl = m[1];
    const reg = await runZg([
      "compute",
      "provider",
      "register",
      ...withKey,
      "--model",
      model,
      "--url",
      brokerUrl,
      "--input-price",
      INPUT_PRICE.toString(),
      "--output-price",
      OUTPUT_PRICE.toString(),
    ]);
    expect(reg.code, reg.stderr).to.equal(0);

    const userFlags = [...chainFlags(), "--key-file", userKeyFile];
    const created = await runZg(["compute", "account", "--create", "--deposit", "2", ...userFlags]);
    expect(created.code, created.stderr).to.equal(0);
    const moved = await runZg(["compute", "transfer", "1", "--provider", provider.address, ...userFlags]);
    expect(moved.code, moved.stderr).to.equal(0);
    providerBefore = await rpc.getBalance(provider.address);

    const key = loadReceiptKey(`${userKeyFile}.receipt`);
    zg = zgFetch({
      receiptKey: key.privateKey,
      user: user.address,
      provider: provider.address,
      prices: { inputPrice: INPUT_PRICE, outputPrice: OUTPUT_PRICE },
    });
    const apiKey = await createSession(user, provider.address, chainId, 3600);
    openai = new OpenAI({ baseURL: `${brokerUrl}/v1`, apiKey, fetch: zg });
  });

  after(async function () {
    if (broker && broker.child.exitCode === null) {
      broker.child.kill("SIGINT");
      await broker.exited;
    }
    if (devnet) await devnet.stop();
  });

  describe("zg compute account", function () {
    it("created the account with the generated receipt key and funded the provider's sub-account", async function () {
      const account = (await ledger.getAccount(user.address)) as { balance: bigint; signerKey: bigint[] };
      const key = loadReceiptKey(`${userKeyFile}.receipt`);
      expect(account.signerKey.map((k) => k)).to.deep.equal([key.publicKey[0], key.publicKey[1]]);
      expect(account.balance).to.equal(parseEther("1"));
      expect(await ledger.chargeable(user.address, provider.address)).to.equal(funded);
      const shown = await runZg([
        "compute",
        "account",
        "--json",
        "--provider",
        provider.address,
        ...chainFlags(),
        "--key-file",
        userKeyFile,
      ]);
      expect(JSON.parse(shown.stdout).subAccounts[0].balance).to.equal(funded.toString());
    });
  });

  describe("openai client with zgFetch", function () {
    it("is answered and billed; the bill is checked, its receipt signed and accepted", async function () {
      const answer = await openai.chat.completions.create({
        model,
        messages: [{ role: "user", content: "The sea was" }],
        max_tokens: 8,
        temperature: 0,
      });
      expect(answer.choices[0].message.content!.length).to.be.greaterThan(0);
      await zg.flush();
      expect(zg.refusals).to.deep.equal([]);
      expect(zg.signed.map((s) => [s.bill.nonce, s.posted])).to.deep.equal([[1n, true]]);
      bills.push(zg.signed[0].bill);
    });

    it("streams, and signs the bill from the last chunk", async function () {
      let text = "";
      const stream = await openai.chat.completions.create({
        model,
        messages: [{ role: "user", content: "Call me" }],
        max_tokens: 6,
        temperature: 0,
        stream: true,
      });
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
      expect(text.length).to.be.greaterThan(0);
      await zg.flush();
      expect(zg.refusals).to.deep.equal([]);
      expect(zg.signed.map((s) => s.bill.nonce)).to.deep.equal([1n, 2n]);
      bills.push(zg.signed[1].bill);
    });
  });

  describe("zg compute chat", function () {
    it("answers one prompt as a process, signs the receipt and prints the bill", async function () {
      const run = await runZg([
        "compute",
        "chat",
        "--provider",
        provider.address,
        "--max-tokens",
        "6",
        "--temperature",
        "0",
        ...chainFlags(),
        "--key-file",
        userKeyFile,
        "Moby",
        "Dick",
      ]);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout.trim().length).to.be.greaterThan(0);
      const m = /bill #(\d+): (\d+) input \+ (\d+) output tokens, fee (\d+) wei; receipt signed and sent/.exec(
        run.stderr,
      );
      expect(m, run.stderr).to.not.equal(null);
      expect(BigInt(m![1])).to.equal(3n);
      expect(BigInt(m![4])).to.equal(BigInt(m![2]) * INPUT_PRICE + BigInt(m![3]) * OUTPUT_PRICE);
      bills.push({ ...bills[0], nonce: 3n, fee: BigInt(m![4]) });
    });
  });

  describe("settlement", function () {
    it("settles every receipt on chain with a real proof: the user pays exactly the fees, the provider gets them", async function () {
      const deadline = Date.now() + 600_000;
      while ((await serving.nonceOf(user.address, provider.address)) < 3n) {
        if (Date.now() > deadline) throw new Error(`not settled in time:\n${broker!.stderr().slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
      const fees = bills.reduce((sum, b) => sum + b.fee, 0n);
      const events = await serving.queryFilter(serving.filters.Settled(user.address, provider.address));
      const paid = events.reduce((sum, e) => sum + (e as unknown as { args: { paid: bigint } }).args.paid, 0n);
      expect(paid).to.equal(fees);
      expect(await ledger.chargeable(user.address, provider.address)).to.equal(funded - fees);
      expect(await serving.nonceOf(user.address, provider.address)).to.equal(3n);
      // The provider sent only the settlements: its balance moved by what they paid less their gas.
      let gas = 0n;
      for (const hash of new Set(events.map((e) => e.transactionHash))) {
        const r = (await rpc.getTransactionReceipt(hash))!;
        expect(r.from).to.equal(provider.address);
        gas += r.gasUsed * r.gasPrice;
      }
      const providerAfter = await rpc.getBalance(provider.address);
      expect(providerAfter - providerBefore).to.equal(fees - gas);
      expect(providerAfter).to.be.greaterThan(providerBefore);
    });

    it("refuses a replayed settlement with ComputeServingInvalidNonce and a forged receipt for a reused nonce", async function () {
      const events = await serving.queryFilter(serving.filters.Settled(user.address, provider.address));
      const tx = (await rpc.getTransaction(events[0].transactionHash))!;
      const before = await ledger.chargeable(user.address, provider.address);
      const replay = await provider.sendTransaction({ to: tx.to, data: tx.data }).then(
        () => undefined,
        (err: unknown) => serving.interface.parseError((err as { data: string }).data)?.name,
      );
      expect(replay).to.equal("ComputeServingInvalidNonce");
      expect(await ledger.chargeable(user.address, provider.address)).to.equal(before);

      // The signature over bill 1 presented as the receipt for bill 2: the broker refuses it.
      const forged = {
        ...billSignatureJson(signBill(loadReceiptKey(`${userKeyFile}.receipt`).privateKey, bills[0])),
        nonce: "2",
      };
      const res = await fetch(`${brokerUrl}/v1/receipts`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${openai.apiKey}` },
        body: JSON.stringify({ receipts: [forged] }),
      });
      expect(res.status).to.equal(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).to.equal("invalid_receipt");
    });
  });

  describe("zg compute refund", function () {
    it("refuses to process a refund before its lock time with the named error; balances unchanged", async function () {
      const userFlags = [...chainFlags(), "--key-file", userKeyFile];
      const asked = await runZg(["compute", "refund", "0.1", "--provider", provider.address, ...userFlags]);
      expect(asked.code, asked.stderr).to.equal(0);
      const sub = await ledger.chargeable(user.address, provider.address);
      const main = ((await ledger.getAccount(user.address)) as { balance: bigint }).balance;
      const early = await runZg(["compute", "process-refunds", "--provider", provider.address, ...userFlags]);
      expect(early.code).to.equal(1);
      expect(early.stderr).to.match(
        /error\[COMPUTE_REVERTED\]: processRefunds reverted with ComputeLedgerNoUnlockedRefund/,
      );
      expect(await ledger.chargeable(user.address, provider.address)).to.equal(sub);
      expect(((await ledger.getAccount(user.address)) as { balance: bigint }).balance).to.equal(main);
    });
  });
});
