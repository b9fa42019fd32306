import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { expect } from "chai";
import { Contract, ContractFactory, JsonRpcProvider, Wallet, type ContractRunner } from "ethers";
import {
  chainOptionsSchema,
  connectChain,
  newDeployment,
  recordContract,
  writeDeployment,
  type ChainOptions,
  type ContractDeployment,
} from "../../../offchain/common";
import { startHardhatNode, type HardhatNode } from "./hardhat-node";
import { expectZgError, freePort, memoryLogger, tempDir } from "./helpers";

// Hardhat's first well-known development account; it holds test ether on every `hardhat node`.
const DEV_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const DEV_ADDRESS = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

// Init code that copies out a 10-byte runtime which answers every call with the word 42:
// runtime  PUSH1 42 PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN
// init     PUSH1 10 PUSH1 12 PUSH1 0 CODECOPY PUSH1 10 PUSH1 0 RETURN
const ANSWER_BYTECODE = "0x600a600c600039600a6000f3" + "602a60005260206000f3";
const ANSWER_ABI = ["function answer() view returns (uint256)"];

/** Stands in for a typechain factory: `Foo__factory.connect(address, runner)`. */
const AnswerFactory = {
  connect: (address: string, runner?: ContractRunner | null) => new Contract(address, ANSWER_ABI, runner),
};

const EMPTY_ADDRESS = "0x00000000000000000000000000000000DeaDBeef";

describe("[offchain] chain client", function () {
  this.timeout(120_000);
  const { logger, lines } = memoryLogger();
  let node: HardhatNode;
  let answer: ContractDeployment;

  before(async function () {
    node = await startHardhatNode();
    const provider = new JsonRpcProvider(node.url, 31337, { staticNetwork: true });
    try {
      const deployer = new Wallet(DEV_KEY, provider);
      const contract = await new ContractFactory(ANSWER_ABI, ANSWER_BYTECODE, deployer).deploy();
      const receipt = await contract.deploymentTransaction()?.wait();
      if (!receipt) throw new Error("deploy transaction has no receipt");
      answer = {
        address: await contract.getAddress(),
        artifact: "Answer",
        kind: "plain",
        startBlock: receipt.blockNumber,
        txHash: receipt.hash,
      };
    } finally {
      provider.destroy();
    }
  });

  after(async function () {
    await node?.stop();
  });

  async function optionsWith(contracts: Record<string, ContractDeployment>, extra: Partial<ChainOptions> = {}) {
    const deploymentsDir = tempDir("chain");
    let record = newDeployment(31337, "localhost");
    for (const [name, entry] of Object.entries(contracts)) record = recordContract(record, name, entry);
    await writeDeployment(deploymentsDir, record);
    return chainOptionsSchema.parse({ rpcUrl: node.url, deploymentsDir, ...extra });
  }

  it("resolves recorded contracts and connects typechain-style factories to them", async function () {
    const client = await connectChain(
      await optionsWith({ Answer: answer }, { chainId: 31337, privateKey: DEV_KEY }),
      logger,
    );
    try {
      expect(client.chainId).to.equal(31337);
      expect(client.contractAddress("Answer")).to.equal(answer.address);
      expect(client.startBlock("Answer")).to.equal(answer.startBlock);
      expect(client.signer?.address).to.equal(DEV_ADDRESS);
      const contract = client.contract(AnswerFactory, "Answer");
      expect(await contract.getFunction("answer")()).to.equal(42n);
      expect(client.deployment.contracts.Answer.txHash).to.equal(answer.txHash);
      expect(lines.some((l) => l.msg === "connected to chain" && l.chainId === 31337)).to.equal(true);
    } finally {
      client.close();
    }
    expect(client.provider.destroyed).to.equal(true);
  });

  it("has no signer without a key, and reads one from a key file", async function () {
    const withoutKey = await connectChain(await optionsWith({ Answer: answer }), logger);
    expect(withoutKey.signer).to.equal(undefined);
    withoutKey.close();

    const keyFile = path.join(tempDir("key"), "key.txt");
    fs.writeFileSync(keyFile, `${DEV_KEY}\n`);
    const withFile = await connectChain(await optionsWith({ Answer: answer }, { keyFile }), logger);
    expect(withFile.signer?.address).to.equal(DEV_ADDRESS);
    withFile.close();
  });

  it("refuses a key file that holds no key, without echoing it", async function () {
    const keyFile = path.join(tempDir("key"), "key.txt");
    fs.writeFileSync(keyFile, "not-a-key-but-secret\n");
    const err = await expectZgError(
      async () => connectChain(await optionsWith({ Answer: answer }, { keyFile }), logger),
      "KEY_INVALID",
    );
    expect(err.message).to.not.contain("secret");
    await expectZgError(
      async () => connectChain(await optionsWith({ Answer: answer }, { keyFile: `${keyFile}.missing` }), logger),
      "KEY_FILE_UNREADABLE",
    );
  });

  it("names the known contracts when asked for an unknown one", async function () {
    const client = await connectChain(await optionsWith({ Answer: answer }), logger);
    try {
      const err = await expectZgError(() => client.contractAddress("Flow"), "DEPLOYMENT_CONTRACT_UNKNOWN");
      expect(err.message).to.contain('no contract "Flow"').and.to.contain("has: Answer");
    } finally {
      client.close();
    }
  });

  it("says DEPLOYMENT_MISSING when this chain has no record", async function () {
    const options = chainOptionsSchema.parse({ rpcUrl: node.url, deploymentsDir: tempDir("chain") });
    const err = await expectZgError(() => connectChain(options, logger), "DEPLOYMENT_MISSING");
    expect(err.hint).to.contain("zg devnet");
  });

  it("says DEPLOYMENT_STALE when a recorded address has no code", async function () {
    const ghost = { ...answer, address: EMPTY_ADDRESS };
    const err = await expectZgError(
      async () => connectChain(await optionsWith({ Answer: answer, Ghost: ghost }), logger),
      "DEPLOYMENT_STALE",
    );
    expect(err.message).to.contain(`Ghost has no code at ${EMPTY_ADDRESS}`);
    expect(err.message).to.not.contain("Answer has");
    expect(err.hint).to.contain("reset").and.to.contain("redeploy");
  });

  it("checks the implementation behind a UUPS proxy too", async function () {
    const proxy: ContractDeployment = { ...answer, kind: "uups", implementation: EMPTY_ADDRESS };
    const err = await expectZgError(
      async () => connectChain(await optionsWith({ Proxy: proxy }), logger),
      "DEPLOYMENT_STALE",
    );
    expect(err.message).to.contain("Proxy (implementation) has no code");
  });

  it("says DEPLOYMENT_STALE when the record is from blocks the chain has not reached", async function () {
    const future = { ...answer, startBlock: 1_000_000 };
    const err = await expectZgError(
      async () => connectChain(await optionsWith({ Answer: future }), logger),
      "DEPLOYMENT_STALE",
    );
    expect(err.message).to.contain("deployed at block 1000000");
  });

  it("says CHAIN_MISMATCH when the RPC serves another chain than configured", async function () {
    const err = await expectZgError(
      async () => connectChain(await optionsWith({ Answer: answer }, { chainId: 1 }), logger),
      "CHAIN_MISMATCH",
    );
    expect(err.message).to.contain("serves chain 31337, not the configured 1");
  });

  it("fails fast with RPC_UNREACHABLE on a closed port", async function () {
    const port = await freePort();
    const options = chainOptionsSchema.parse({ rpcUrl: `http://127.0.0.1:${port}`, deploymentsDir: tempDir("chain") });
    const started = Date.now();
    const err = await expectZgError(() => connectChain(options, logger), "RPC_UNREACHABLE");
    expect(Date.now() - started).to.be.below(3000);
    expect(err.message).to.equal(`cannot reach http://127.0.0.1:${port}: ECONNREFUSED`);
    expect(err.hint).to.contain("zg devnet").and.to.contain("--rpc");
  });

  it("gives up with RPC_UNREACHABLE when the RPC accepts but never answers", async function () {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = silent.address() as net.AddressInfo;
      const options = chainOptionsSchema.parse({ rpcUrl: `http://127.0.0.1:${port}`, rpcTimeoutMs: 300 });
      const err = await expectZgError(() => connectChain(options, logger), "RPC_UNREACHABLE");
      expect(err.message).to.contain("no answer within 300 ms");
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("stops with ABORTED when the node is already shutting down", async function () {
    const controller = new AbortController();
    controller.abort();
    const options = await optionsWith({ Answer: answer });
    await expectZgError(() => connectChain(options, logger, { signal: controller.signal }), "ABORTED");
  });
});
