// [e2e] An agent run by compute providers and sold, with real processes: `zg devnet` (2 storage nodes, 1 compute
// provider whose executor key the devnet acknowledges), a TEE oracle acknowledged on TeeTransferVerifier, and the
// owner, users and a buyer driving `zg market` and `zg compute provider` as operators do. The agent's encrypted
// manifest lives on the storage nodes; the providers fetch it themselves, answer its owner and authorized users, bill
// them as any chat, refuse everyone else, and keep it across a restart. A sale through AgentMarket re-seals the key
// to the buyer, who opens the agent and runs it while the seller is refused; an undelivered sale refunds the buyer.
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import {
  Contract,
  HDNodeWallet,
  hexlify,
  JsonRpcProvider,
  Mnemonic,
  NonceManager,
  parseEther,
  toBeHex,
  Wallet,
  zeroPadValue,
} from "ethers";
import { createSession, receiptPublicKey } from "../../offchain/compute/core";
import { LEDGER_ABI } from "../../offchain/compute/chain";
import { LevelBillStore } from "../../offchain/compute/broker/store";
import { startOracleServer } from "../../offchain/inft/oracle";
import { AGENT_FORMAT } from "../../offchain/market/agent";
import { freePort, runZg, startDevnet, startZg, waitFor, type Devnet, type Running } from "../helpers/process";

const MODEL = path.resolve(__dirname, "..", "..", "models", "zg-tiny", "model.gguf");
const STAKING_ABI = [
  "function registerValidator(bytes consensusPubKey, string description, uint32 commissionPpm, uint32 maxCommissionPpm, uint32 maxChangePpm) payable returns (uint256)",
  "function optIn(address service)",
];
const MARKET_ABI = [
  "function escrowed() view returns (uint256)",
  "function fee() view returns (uint256)",
  "function treasury() view returns (address)",
  "function openListingOf(uint256 tokenId) view returns (uint256)",
];
const NFT_ABI = ["function ownerOf(uint256 tokenId) view returns (address)"];
const ADMIN_ABI = [
  "function acknowledgeTeeSigner(address signer, bool acknowledged)",
  "function acknowledgeOracle(address oracle)",
];

function devWallet(i: number, rpc: JsonRpcProvider): Wallet {
  const mnemonic = Mnemonic.fromPhrase("test test test test test test test test test test test junk");
  return new Wallet(HDNodeWallet.fromMnemonic(mnemonic, `m/44'/60'/0'/0/${i}`).privateKey, rpc);
}

describe("[e2e] market agents on compute providers", function () {
  this.timeout(600_000);
  let devnet: Devnet;
  let broker: Running | undefined;
  let oracle: Awaited<ReturnType<typeof startOracleServer>> | undefined;

  after(async () => {
    if (broker && broker.child.exitCode === null) {
      broker.child.kill("SIGINT");
      await broker.exited;
    }
    await oracle?.close();
    if (devnet) await devnet.stop();
  });

  // Shared by both stories: the devnet, an acknowledged oracle, and owner, user and stranger accounts each funding
  // the devnet's provider through the ledger.
  let rpc: JsonRpcProvider;
  let storageNodes: string[];
  let devUrl: string;
  let devProvider: string;
  let addr: (name: string) => string;
  let deployer: NonceManager;
  let chainFlags: string[];
  let dir: string;
  let owner: Wallet;
  let user: Wallet;
  let stranger: Wallet;
  const files: Record<string, string> = {};
  const keyFile = (name: string, w: Wallet) => {
    const file = path.join(dir, `${name}.key`);
    fs.writeFileSync(file, `${w.privateKey}\n`, { mode: 0o600 });
    return file;
  };
  const zg = async (args: string[], ok = true) => {
    const r = await runZg(args);
    if (ok) expect(r.code, `zg ${args.slice(0, 3).join(" ")}:\n${r.stderr}`).to.equal(0);
    return r;
  };
  const BILLED = /bill #(\d+): \d+ input \+ \d+ output tokens, fee [1-9]\d* wei; receipt signed/;
  const writeManifest = (name: string, systemPrompt: string) => {
    const file = path.join(dir, `${name.replace(/\W+/g, "-")}.json`);
    fs.writeFileSync(file, JSON.stringify({ format: AGENT_FORMAT, name, systemPrompt, maxTokens: 8 }));
    return file;
  };
  const publish = async (who: string, name: string, systemPrompt: string) => {
    const published = await zg([
      "market",
      "agent",
      "publish",
      "--manifest",
      writeManifest(name, systemPrompt),
      "--storage-nodes",
      storageNodes.join(","),
      "--key-file",
      files[who],
      ...chainFlags,
    ]);
    const match = /published agent (\d+): (.+), data (0x[0-9a-f]{64})/.exec(published.stdout);
    expect(match, published.stdout).to.not.equal(null);
    expect(match![2]).to.equal(name);
    return { tokenId: match![1], dataHash: match![3] };
  };
  const grant = (who: string, tokenId: string, provider: string, extra: string[] = [], ok = true) =>
    zg(
      [
        "market",
        "agent",
        "grant",
        "--token",
        tokenId,
        "--provider",
        provider,
        "--oracle",
        oracle!.url,
        "--storage-nodes",
        storageNodes.join(","),
        "--key-file",
        files[who],
        ...chainFlags,
        ...extra,
      ],
      ok,
    );
  const chat = (who: string, tokenId: string, provider: string, extra: string[] = [], ok = true) =>
    zg(
      [
        "market",
        "agent",
        "chat",
        "--token",
        tokenId,
        "--provider",
        provider,
        "--key-file",
        files[who],
        "--no-stream",
        "--max-tokens",
        "8",
        ...chainFlags,
        ...extra,
        "Where are we sailing?",
      ],
      ok,
    );
  const fundProvider = async (who: string, w: Wallet) => {
    files[who] = keyFile(who, w);
    const bjj = Wallet.createRandom().privateKey;
    fs.writeFileSync(`${files[who]}.receipt`, `${hexlify(bjj)}\n`, { mode: 0o600 });
    const ledger = new Contract(addr("ComputeLedger"), LEDGER_ABI, new NonceManager(w));
    const [Ax, Ay] = receiptPublicKey(Buffer.from(bjj.slice(2), "hex"));
    await (await ledger.createAccount([Ax, Ay], { value: parseEther("2") })).wait();
    await (await ledger.transfer(devProvider, parseEther("1"))).wait();
  };

  before(async () => {
    devnet = await startDevnet("zg-agent-e2e-", [
      "--storage-nodes",
      "2",
      "--da-signers",
      "0",
      "--compute-providers",
      "1",
    ]);
    const services = (
      JSON.parse(fs.readFileSync(path.join(devnet.dataDir, "devnet.json"), "utf8")) as {
        services: { storageNodes: string[]; computeProviders: string[] };
      }
    ).services;
    storageNodes = services.storageNodes;
    expect(storageNodes).to.have.length(2);
    devUrl = services.computeProviders[0];
    devProvider = ((await (await fetch(`${devUrl}/v1/status`)).json()) as { provider: string }).provider;
    rpc = new JsonRpcProvider(devnet.url);
    const record = JSON.parse(fs.readFileSync(path.join(devnet.deployments, "31337.json"), "utf8")) as {
      contracts: Record<string, { address: string }>;
    };
    addr = (name: string) => record.contracts[name].address;
    deployer = new NonceManager(devWallet(0, rpc));
    chainFlags = ["--rpc", devnet.url, "--deployments", devnet.deployments];
    dir = devnet.dataDir;

    // The devnet's provider publishes an executor key governance (the devnet's deployer) acknowledged.
    const executorInfo = (await (await fetch(`${devUrl}/v1/agents/executor`)).json()) as { attested: boolean };
    expect(executorInfo.attested).to.equal(true);

    // The oracle, acknowledged on TeeTransferVerifier.
    const oracleKey = Wallet.createRandom();
    oracle = await startOracleServer(oracleKey.privateKey);
    const tee = new Contract(addr("TeeTransferVerifier"), ADMIN_ABI, deployer);
    await (await tee.acknowledgeOracle(oracleKey.address)).wait();

    // Owner, an authorized user and a stranger, each with a ledger account funding the devnet provider.
    [owner, user, stranger] = [1, 13, 15].map((i) => devWallet(i, rpc));
    for (const [name, w] of [
      ["owner", owner],
      ["user", user],
      ["stranger", stranger],
    ] as const) {
      await fundProvider(name, w);
    }
  });

  it("publishes an agent, grants it, serves its owner and authorized users only, and keeps it across a restart", async () => {
    const { tokenId, dataHash } = await publish("owner", "sea captain", "You are a sea captain.");
    // The blob is on the storage nodes under the root the token names.
    const info = (await (
      await fetch(storageNodes[1], {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "zgs_getFileInfo", params: [dataHash] }),
      })
    ).json()) as { result: { finalized: boolean } | null };
    expect(info.result).to.not.equal(null);

    const granted = await grant("owner", tokenId, devProvider);
    expect(granted.stdout).to.contain(`model agent:${tokenId}`);
    const models = (await (await fetch(`${devUrl}/v1/models`)).json()) as { data: { id: string }[] };
    expect(models.data.map((m) => m.id)).to.include(`agent:${tokenId}`);

    // The owner: answered and billed to its sub-account.
    expect((await chat("owner", tokenId, devProvider)).stderr).to.match(BILLED);
    // A stranger: refused with agent_not_authorized, and told who may.
    const strangerSession = await createSession(stranger, {
      provider: devProvider,
      chainId: 31337n,
      expires: Math.floor(Date.now() / 1000) + 600,
    });
    const refused = await fetch(`${devUrl}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${strangerSession}` },
      body: JSON.stringify({ model: `agent:${tokenId}`, messages: [{ role: "user", content: "hi" }], max_tokens: 4 }),
    });
    expect(refused.status).to.equal(403);
    const error = ((await refused.json()) as { error: { code: string; message: string } }).error;
    expect(error.code).to.equal("agent_not_authorized");
    expect(error.message).to.contain(owner.address);

    // An authorized user is served until the owner revokes it.
    const nftFlags = ["--token", tokenId, "--key-file", files.owner, ...chainFlags];
    await zg(["market", "agent", "authorize", "--user", user.address, ...nftFlags]);
    expect((await chat("user", tokenId, devProvider)).stderr).to.match(BILLED);
    await zg(["market", "agent", "revoke", "--user", user.address, ...nftFlags]);
    const afterRevoke = await chat("user", tokenId, devProvider, [], false);
    expect(afterRevoke.code).to.not.equal(0);
    expect(afterRevoke.stderr).to.match(/403.*may not run agent/);

    // A provider run as a process: refused while its executor is unattested, kept across a restart once granted.
    const operator = devWallet(12, rpc);
    const staking = new Contract(addr("Staking"), STAKING_ABI, new NonceManager(operator));
    await (
      await staking.registerValidator(zeroPadValue(toBeHex(0xa9e), 48), "agents", 0, 0, 0, {
        value: parseEther("1000"),
      })
    ).wait();
    await (await staking.optIn(addr("ComputeServing"))).wait();
    const port = await freePort();
    const brokerUrl = `http://127.0.0.1:${port}`;
    const operatorFlags = [...chainFlags, "--key-file", keyFile("operator", operator)];
    await zg([
      "compute",
      "provider",
      "register",
      ...operatorFlags,
      "--model",
      "zg-tiny",
      "--url",
      brokerUrl,
      "--input-price",
      "1000000000",
      "--output-price",
      "2000000000",
    ]);
    const owners = new Contract(addr("ComputeLedger"), LEDGER_ABI, new NonceManager(owner));
    await (await owners.transfer(operator.address, parseEther("0.5"))).wait();
    const executor = new Wallet(Wallet.createRandom().privateKey);
    const startBroker = async () => {
      const p = startZg(
        [
          "compute",
          "provider",
          ...operatorFlags,
          "--port",
          String(port),
          "--model",
          MODEL,
          "--model-name",
          "zg-tiny",
          "--threads",
          "1",
          "--data-dir",
          path.join(dir, "broker-data"),
          "--no-settlement",
        ],
        { ZG_AGENTS__EXECUTOR_KEY_FILE: keyFile("executor", executor) },
      );
      await waitFor(() => /compute provider ready/.test(p.stdout()) || p.child.exitCode !== null, 120_000, "broker");
      expect(p.stdout(), p.stderr()).to.contain("compute provider ready");
      return p;
    };
    broker = await startBroker();
    const unattested = await grant("owner", tokenId, operator.address, [], false);
    expect(unattested.code).to.not.equal(0);
    expect(unattested.stderr).to.match(/not acknowledged on ComputeServing/);
    const serving = new Contract(addr("ComputeServing"), ADMIN_ABI, deployer);
    await (await serving.acknowledgeTeeSigner(executor.address, true)).wait();
    await grant("owner", tokenId, operator.address);
    expect((await chat("owner", tokenId, operator.address)).stderr).to.match(BILLED);

    broker.child.kill("SIGINT");
    expect(await broker.exited).to.equal(0);
    // The agent's chat is an ordinary bill of the owner's sub-account.
    const bills = await LevelBillStore.open(path.join(dir, "broker-data"));
    const owed = await bills.unsettled(owner.address).finally(() => bills.close());
    expect(owed).to.have.length(1);
    expect(owed[0].fee > 0n).to.equal(true);
    broker = await startBroker();
    const again = (await (await fetch(`${brokerUrl}/v1/models`)).json()) as { data: { id: string }[] };
    expect(again.data.map((m) => m.id)).to.include(`agent:${tokenId}`);
    expect((await chat("owner", tokenId, operator.address)).stderr).to.match(BILLED);
    const metrics = await (await fetch(`${brokerUrl}/metrics`)).text();
    expect(metrics).to.match(/zg_compute_agents_loaded(\{[^}]*\})? 1/);
  });

  it("sells an agent: the buyer opens it and runs it on a provider, the seller is refused; an unpaid sale refunds", async () => {
    const buyer = devWallet(16, rpc);
    await fundProvider("buyer", buyer);
    const market = new Contract(addr("AgentMarket"), MARKET_ABI, rpc);
    const nft = new Contract(addr("AgentNFT"), NFT_ABI, rpc);
    const sale = async (who: string, args: string[]) => {
      const r = await zg(["market", ...args, "--key-file", files[who], ...chainFlags, "--json"]);
      return JSON.parse(r.stdout) as { listingId: string; tx: string; deadline?: string };
    };
    const gasPaid = async (tx: string) => {
      const receipt = (await rpc.getTransactionReceipt(tx))!;
      return receipt.gasUsed * receipt.gasPrice;
    };

    // The seller runs its agent on the devnet provider, then lists it.
    const { tokenId } = await publish("owner", "harbour pilot", "You are a harbour pilot.");
    await grant("owner", tokenId, devProvider);
    expect((await chat("owner", tokenId, devProvider)).stderr).to.match(BILLED);
    const { listingId } = await sale("owner", ["list", "--token", tokenId, "--price", "1.5"]);

    // Buy (TEE delivery to the buyer's own key), then the seller delivers through the oracle and is paid at once.
    const bought = await sale("buyer", ["buy", "--listing", listingId, "--ttl", "600"]);
    expect(await market.escrowed()).to.equal(parseEther("1.5"));
    const sellerBefore = await rpc.getBalance(owner.address);
    const treasuryBefore = await rpc.getBalance(await market.treasury());
    const sold = await sale("owner", ["fulfill", "--listing", listingId, "--oracle", oracle!.url]);
    const fee = (parseEther("1.5") * (await market.fee())) / 10_000n;
    expect(fee > 0n).to.equal(true);
    expect((await rpc.getBalance(owner.address)) - sellerBefore + (await gasPaid(sold.tx))).to.equal(
      parseEther("1.5") - fee,
    );
    expect((await rpc.getBalance(await market.treasury())) - treasuryBefore).to.equal(fee);
    expect(await nft.ownerOf(tokenId)).to.equal(buyer.address);
    expect(await market.escrowed()).to.equal(0n);
    expect(bought.tx).to.not.equal(sold.tx);

    // The buyer fetches the agent from storage and opens it with its own key; the seller no longer can.
    const open = (who: string, ok = true) =>
      zg(
        [
          "market",
          "agent",
          "open",
          "--token",
          tokenId,
          "--storage-nodes",
          storageNodes.join(","),
          "--key-file",
          files[who],
          ...chainFlags,
        ],
        ok,
      );
    const opened = await open("buyer");
    expect(JSON.parse(opened.stdout)).to.deep.include({
      format: AGENT_FORMAT,
      name: "harbour pilot",
      systemPrompt: "You are a harbour pilot.",
    });
    const sellerOpens = await open("owner", false);
    expect(sellerOpens.code).to.not.equal(0);
    expect(sellerOpens.stderr).to.contain(`belongs to ${buyer.address}`);

    // The buyer grants it to the provider with the key it now holds and is served; the seller is refused, even
    // though the provider still holds the seller's earlier grant.
    await grant("buyer", tokenId, devProvider);
    expect((await chat("buyer", tokenId, devProvider)).stderr).to.match(BILLED);
    const refused = await chat("owner", tokenId, devProvider, [], false);
    expect(refused.code).to.not.equal(0);
    expect(refused.stderr).to.match(/403.*may not run agent/);
    const staleGrant = await grant("owner", tokenId, devProvider, [], false);
    expect(staleGrant.code).to.not.equal(0);
    expect(staleGrant.stderr).to.contain(`belongs to ${buyer.address}`);

    // A seller who never delivers: the refund waits for the deadline, then anyone returns the buyer's money.
    const unsold = await publish("owner", "lighthouse keeper", "You keep the light.");
    const second = await sale("owner", ["list", "--token", unsold.tokenId, "--price", "2"]);
    const pending = await sale("buyer", ["buy", "--listing", second.listingId, "--ttl", "60"]);
    const early = await zg(
      ["market", "refund", "--listing", second.listingId, "--key-file", files.stranger, ...chainFlags],
      false,
    );
    expect(early.code).to.not.equal(0);
    expect(early.stderr).to.match(/AgentMarketNotExpired/);
    const now = (await rpc.getBlock("latest"))!.timestamp;
    await rpc.send("evm_increaseTime", [Number(pending.deadline) - now + 1]);
    await rpc.send("evm_mine", []);
    const buyerBefore = await rpc.getBalance(buyer.address);
    await sale("stranger", ["refund", "--listing", second.listingId]);
    expect((await rpc.getBalance(buyer.address)) - buyerBefore).to.equal(parseEther("2"));
    expect(await market.openListingOf(unsold.tokenId)).to.equal(0n);
    expect(await nft.ownerOf(unsold.tokenId)).to.equal(owner.address);
    expect(await market.escrowed()).to.equal(0n);
  });
});
