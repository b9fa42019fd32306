// What the provider broker adds to a request: the same chat request (zg-tiny, greedy, 64 tokens) answered by the
// backend directly in this process, and through `zg devnet`'s broker over HTTP with a session, the balance checks,
// the durable bill and the user's receipt signed and posted by zgFetch. Runs alternate so machine load drifts
// affect both alike. Goal: broker latency within 5 % of the direct backend.
// Run: npm run bench:compute-broker  (writes bench/reports/compute-broker.json; BENCH_RUNS, BENCH_TOKENS)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Contract, HDNodeWallet, JsonRpcProvider, Mnemonic, parseEther, type Wallet } from "ethers";
import { createLlamaBackend } from "../offchain/compute/backend";
import { LEDGER_ABI } from "../offchain/compute/chain";
import { createSession, loadReceiptKey, zgFetch } from "../offchain/compute/client";
import { startDevnet } from "../test/helpers/process";
import { stats, writeReport } from "./report";

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const TOKENS = Number(process.env.BENCH_TOKENS ?? 64);
const MESSAGES = [{ role: "user" as const, content: "Tell me of the whale and the sea." }];
const MNEMONIC = Mnemonic.fromPhrase("test test test test test test test test test test test junk");

async function main() {
  const devnet = await startDevnet("zg-bench-broker-", [
    "--storage-nodes",
    "0",
    "--da-signers",
    "0",
    "--compute-providers",
    "1",
  ]);
  try {
    const summary = JSON.parse(fs.readFileSync(path.join(devnet.dataDir, "devnet.json"), "utf8")) as {
      workers: string[];
      chainId: number;
    };
    const line = summary.workers.find((w) => w.startsWith("compute-0"))!;
    const [, brokerUrl, provider] = /(http:\/\/\S+)\s+(0x[0-9a-fA-F]{40})/.exec(line)!;
    const rpc = new JsonRpcProvider(devnet.url, undefined, { cacheTimeout: -1 });
    const user = HDNodeWallet.fromMnemonic(MNEMONIC, "m/44'/60'/0'/0/17").connect(rpc) as unknown as Wallet;
    const record = JSON.parse(fs.readFileSync(path.join(devnet.deployments, `${summary.chainId}.json`), "utf8")) as {
      contracts: Record<string, { address: string }>;
    };
    const ledger = new Contract(record.contracts.ComputeLedger.address, LEDGER_ABI, user);
    const key = loadReceiptKey(path.join(fs.mkdtempSync(path.join(os.tmpdir(), "zg-bench-")), "user.receipt"), {
      create: true,
    });
    await (await ledger.createAccount(key.publicKey, { value: parseEther("2") })).wait();
    await (await ledger.transfer(provider, parseEther("1"))).wait();

    const status = (await (await fetch(`${brokerUrl}/v1/status`)).json()) as {
      model: string;
      inputPrice: string;
      outputPrice: string;
    };
    const zg = zgFetch({
      receiptKey: key.privateKey,
      user: user.address,
      provider,
      prices: { inputPrice: BigInt(status.inputPrice), outputPrice: BigInt(status.outputPrice) },
    });
    const session = await createSession(user, provider, summary.chainId, 3600);
    const body = JSON.stringify({ model: status.model, messages: MESSAGES, max_tokens: TOKENS, temperature: 0 });
    const viaBroker = async (sign = true) => {
      const res = await (sign ? zg : fetch)(`${brokerUrl}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${session}` },
        body,
      });
      if (res.status !== 200) throw new Error(`broker answered ${res.status}: ${await res.text()}`);
      const json = (await res.json()) as { usage: { completion_tokens: number } };
      return json.usage.completion_tokens;
    };

    // The broker's model runs in the devnet process with its defaults (CPU here, one thread); the direct
    // backend is the same file with the same settings in this process.
    const backend = await createLlamaBackend({ gpu: false, threads: 1 });
    const direct = async () => (await backend.chat(MESSAGES, { maxTokens: TOKENS, temperature: 0 })).outputTokens;

    await direct();
    await viaBroker();
    const directMs: number[] = [];
    const brokerMs: number[] = [];
    const plainMs: number[] = [];
    const tokens = { direct: 0, broker: 0 };
    for (let i = 0; i < RUNS; i++) {
      let t = performance.now();
      tokens.direct = await direct();
      directMs.push(performance.now() - t);
      t = performance.now();
      tokens.broker = await viaBroker();
      brokerMs.push(performance.now() - t);
      // Every other plain request (no receipt) keeps the unsigned exposure far below the broker's cap.
      if (i % 2 === 0) {
        t = performance.now();
        await viaBroker(false);
        plainMs.push(performance.now() - t);
      }
    }
    await backend.close();
    await zg.flush();
    const d = stats(directMs);
    const b = stats(brokerMs);
    const overheadMedian = (b.p50Ms - d.p50Ms) / d.p50Ms;
    const results = {
      runs: RUNS,
      maxTokens: TOKENS,
      tokens,
      direct: d,
      broker: b,
      brokerWithoutReceipts: stats(plainMs),
      overheadMedianPct: Number((overheadMedian * 100).toFixed(2)),
      overheadMeanPct: Number((((b.meanMs - d.meanMs) / d.meanMs) * 100).toFixed(2)),
      goalPct: 5,
      receiptsSigned: zg.signed.length,
      refusals: zg.refusals,
      note: "broker = HTTP to the devnet's broker (another process, same model file, CPU, 1 thread) with session check, chain reads (cached), bill write (LevelDB, sync) and zgFetch's receipt check, signature and post",
    };
    console.log(JSON.stringify(results, null, 2));
    console.log(`report: ${writeReport("compute-broker", results)}`);
    rpc.destroy();
  } finally {
    await devnet.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
