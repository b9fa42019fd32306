// [offchain] The agent format, the oracle's executor grant and the broker's agent executor against the protocol
// deployed on the in-process network by the deploy code: what it refuses before loading an agent, who it lets run
// one, and that a loaded agent survives a restart from its store.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { Contract, Wallet } from "ethers";
import pino from "pino";
import { deployedProtocol } from "../fixtures";
import { randomDataKey, sealTee, teePublicKey, teeVerifierDomain, intelligentData } from "../../offchain/inft";
import {
  EXECUTOR_GRANT_TYPES,
  executorGrantMessage,
  executorGrantSigner,
  handleExecutorGrant,
  type ExecutorGrantRequest,
} from "../../offchain/inft/executor";
import {
  AGENT_FORMAT,
  agentTokenOf,
  decryptAgent,
  encryptAgent,
  parseAgentManifest,
  type AgentManifest,
} from "../../offchain/market/agent";
import { AgentExecutor, type AgentGrant } from "../../offchain/compute/broker/agents";
import { agentChainView } from "../../offchain/compute/broker/agents/chain";
import { AgentStore } from "../../offchain/compute/broker/agents/store";
import { ComputeApiError } from "../../offchain/compute/core";
import { SERVING_ABI } from "../../offchain/compute/chain";
import { entryOf } from "../../offchain/storage/client/upload";
import { loadHashers } from "../../offchain/storage/core/hash";

const MANIFEST: AgentManifest = {
  format: AGENT_FORMAT,
  name: "pirate",
  systemPrompt: "You are a pirate. Answer in pirate speak.",
  temperature: 0.2,
};
const logger = pino({ level: "silent" });

describe("[offchain] market agents", function () {
  before(() => loadHashers());

  describe("agent format", function () {
    it("round-trips a manifest through encryption with the entry's key", function () {
      const key = randomDataKey();
      expect(decryptAgent(key, encryptAgent(key, MANIFEST))).to.deep.equal(MANIFEST);
    });

    it("refuses another key, a tampered blob and a bad manifest", function () {
      const key = randomDataKey();
      const blob = encryptAgent(key, MANIFEST);
      expect(() => decryptAgent(randomDataKey(), blob)).to.throw(/does not decrypt/);
      blob[blob.length - 20] ^= 1;
      expect(() => decryptAgent(key, blob)).to.throw(/does not decrypt/);
      expect(() => parseAgentManifest({ ...MANIFEST, format: "zg-agent/2" })).to.throw(/format/);
      expect(() => parseAgentManifest({ ...MANIFEST, systemPrompt: "" })).to.throw(/systemPrompt/);
      expect(() => parseAgentManifest({ ...MANIFEST, extra: 1 })).to.throw(/manifest/);
      expect(() => parseAgentManifest({ ...MANIFEST, temperature: 3 })).to.throw(/temperature/);
    });

    it("names agents agent:<tokenId> and nothing else", function () {
      expect(agentTokenOf("agent:12")).to.equal(12n);
      for (const bad of ["agent:", "agent:01", "agent:-1", "agent:1x", "zg-tiny"]) {
        expect(agentTokenOf(bad), bad).to.equal(undefined);
      }
    });
  });

  async function fixture() {
    const ctx = await deployedProtocol();
    const [deployer, owner, user, stranger] = await ethers.getSigners();
    const addr = (name: string) => ctx.record.contracts[name].address;
    const nft = await ethers.getContractAt("AgentNFT", addr("AgentNFT"));
    const tee = await ethers.getContractAt("TeeTransferVerifier", addr("TeeTransferVerifier"));
    const serving = new Contract(addr("ComputeServing"), SERVING_ABI, ethers.provider);
    const servingAdmin = await ethers.getContractAt("ComputeServing", addr("ComputeServing"), deployer);
    const oracle = Wallet.createRandom();
    await tee.acknowledgeOracle(oracle.address);
    const key = randomDataKey();
    const blob = encryptAgent(key, MANIFEST);
    const root = entryOf(blob).root;
    const ownerKey = Wallet.createRandom().privateKey;
    await nft
      .connect(owner)
      .mint(owner.address, [intelligentData(AGENT_FORMAT, root, key)], [sealTee(key, teePublicKey(ownerKey))]);
    const chainId = (await ethers.provider.getNetwork()).chainId;
    return { deployer, owner, user, stranger, nft, serving, servingAdmin, oracle, key, blob, root, chainId, addr };
  }

  describe("executor grant and agent executor", function () {
    const dirs: string[] = [];
    const stores: AgentStore[] = [];
    after(async () => {
      for (const s of stores) await s.close().catch(() => undefined);
      for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    });

    async function executorFor(f: Awaited<ReturnType<typeof fixture>>, executorKey: string, dir?: string) {
      const data = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "zg-agents-"));
      dirs.push(data);
      const store = await AgentStore.open(data);
      stores.push(store);
      const chain = agentChainView(
        ethers.provider,
        { nft: f.addr("AgentNFT"), verifier: f.addr("TeeTransferVerifier") },
        f.serving,
        new Wallet(executorKey).address,
        0,
      );
      // The storage root commits to the bytes, as the storage client's segment proofs check it.
      const fetchBlob = async (root: string) => {
        if (entryOf(f.blob).root !== root) throw new Error("no such file");
        return f.blob;
      };
      const executor = new AgentExecutor(executorKey, f.chainId, chain, store, fetchBlob, logger);
      await executor.restore();
      return { executor, store, dir: data };
    }

    function request(f: Awaited<ReturnType<typeof fixture>>, executorKey: string, key = f.key): ExecutorGrantRequest {
      return {
        chainId: f.chainId.toString(),
        nft: f.addr("AgentNFT"),
        verifier: f.addr("TeeTransferVerifier"),
        tokenId: "1",
        entry: "0",
        executorKey: teePublicKey(executorKey),
        nonce: "0",
        dataHash: f.root,
        keyCommitment: intelligentData(AGENT_FORMAT, f.root, f.key).keyCommitment,
        deadline: String(Math.floor(Date.now() / 1000) + 600),
        sealedKeyForOracle: sealTee(key, teePublicKey(f.oracle.privateKey)),
      };
    }

    const asGrant = (r: ExecutorGrantRequest, answer: { sealedKey: string; proof: string }): AgentGrant => ({
      tokenId: BigInt(r.tokenId),
      entry: Number(r.entry),
      sealedKey: answer.sealedKey,
      nonce: BigInt(r.nonce),
      deadline: BigInt(r.deadline),
      proof: answer.proof,
    });

    async function refusal(p: Promise<unknown>): Promise<ComputeApiError> {
      try {
        await p;
      } catch (err) {
        expect(err).to.be.instanceOf(ComputeApiError);
        return err as ComputeApiError;
      }
      throw new Error("expected a refusal");
    }

    it("the oracle refuses a key that does not match the commitment, and signs one that does", async function () {
      const f = await loadFixture(fixture);
      const executorKey = Wallet.createRandom().privateKey;
      let refused: Error | undefined;
      await handleExecutorGrant(f.oracle.privateKey, request(f, executorKey, randomDataKey())).catch((e: Error) => {
        refused = e;
      });
      expect(refused?.message).to.match(/does not match the token's key commitment/);
      const r = request(f, executorKey);
      const answer = await handleExecutorGrant(f.oracle.privateKey, r);
      const claim = {
        nft: r.nft,
        tokenId: 1n,
        entry: 0n,
        dataHash: r.dataHash,
        keyCommitment: r.keyCommitment,
        executorKey: r.executorKey,
        sealedKey: answer.sealedKey,
        nonce: 0n,
        deadline: BigInt(r.deadline),
      };
      const domain = teeVerifierDomain(f.chainId, r.verifier);
      expect(executorGrantSigner(domain, claim, answer.proof)).to.equal(f.oracle.address);
      // Bound to the executor: the same proof over another executor key names another signer.
      const other = { ...claim, executorKey: teePublicKey(Wallet.createRandom().privateKey) };
      expect(executorGrantSigner(domain, other, answer.proof)).to.not.equal(f.oracle.address);
    });

    it("refuses agents while the executor is not acknowledged on ComputeServing", async function () {
      const f = await loadFixture(fixture);
      const executorKey = Wallet.createRandom().privateKey;
      const { executor } = await executorFor(f, executorKey);
      const r = request(f, executorKey);
      const grant = asGrant(r, await handleExecutorGrant(f.oracle.privateKey, r));
      const e = await refusal(executor.load(f.owner.address, grant, []));
      expect(e.status).to.equal(503);
      expect(e.message).to.match(/not acknowledged on ComputeServing/);
      expect(executor.models()).to.deep.equal([]);
    });

    it("refuses a grant from an unknown oracle, a key that fails the commitment and a caller who is not the owner", async function () {
      const f = await loadFixture(fixture);
      const executorKey = Wallet.createRandom().privateKey;
      await f.servingAdmin.acknowledgeTeeSigner(new Wallet(executorKey).address, true);
      const { executor } = await executorFor(f, executorKey);
      const r = request(f, executorKey);

      const rogue = Wallet.createRandom();
      const forged = await handleExecutorGrant(rogue.privateKey, {
        ...r,
        sealedKeyForOracle: sealTee(f.key, teePublicKey(rogue.privateKey)),
      });
      const e1 = await refusal(executor.load(f.owner.address, asGrant(r, forged), []));
      expect([e1.status, e1.code]).to.deep.equal([403, "unknown_oracle"]);

      // An acknowledged oracle's signature over a key that is not the token's (the broker checks it itself).
      const wrongSealed = sealTee(randomDataKey(), r.executorKey);
      const claim = {
        nft: r.nft,
        tokenId: 1n,
        entry: 0n,
        dataHash: r.dataHash,
        keyCommitment: r.keyCommitment,
        executorKey: r.executorKey,
        sealedKey: wrongSealed,
        nonce: 0n,
        deadline: BigInt(r.deadline),
      };
      const proof = await f.oracle.signTypedData(
        teeVerifierDomain(f.chainId, r.verifier),
        EXECUTOR_GRANT_TYPES,
        executorGrantMessage(claim),
      );
      const e2 = await refusal(executor.load(f.owner.address, asGrant(r, { sealedKey: wrongSealed, proof }), []));
      expect([e2.status, e2.code]).to.deep.equal([403, "key_commitment_mismatch"]);

      const good = asGrant(r, await handleExecutorGrant(f.oracle.privateKey, r));
      const e3 = await refusal(executor.load(f.stranger.address, good, []));
      expect([e3.status, e3.code]).to.deep.equal([403, "agent_not_authorized"]);
      const e4 = await refusal(executor.load(f.owner.address, { ...good, nonce: 1n }, []));
      expect(e4.code).to.equal("grant_stale");
      expect(executor.models()).to.deep.equal([]);
    });

    it("loads a granted agent for its owner and authorized users only, and keeps it across a restart", async function () {
      const f = await loadFixture(fixture);
      const executorKey = Wallet.createRandom().privateKey;
      await f.servingAdmin.acknowledgeTeeSigner(new Wallet(executorKey).address, true);
      const { executor, store, dir } = await executorFor(f, executorKey);
      const r = request(f, executorKey);
      const loaded = await executor.load(
        f.owner.address,
        asGrant(r, await handleExecutorGrant(f.oracle.privateKey, r)),
        [],
      );
      expect(loaded).to.deep.equal({ model: "agent:1", name: "pirate" });
      expect(executor.models()).to.deep.equal(["agent:1"]);
      expect((await executor.admit("agent:1", f.owner.address)).manifest).to.deep.equal(MANIFEST);

      const e1 = await refusal(executor.admit("agent:1", f.user.address));
      expect([e1.status, e1.code]).to.deep.equal([403, "agent_not_authorized"]);
      expect(e1.message).to.contain(f.owner.address);
      await f.nft.connect(f.owner).authorizeUsage(1n, f.user.address);
      expect((await executor.admit("agent:1", f.user.address)).manifest.name).to.equal("pirate");
      await f.nft.connect(f.owner).revokeAuthorization(1n, f.user.address);
      expect((await refusal(executor.admit("agent:1", f.user.address))).code).to.equal("agent_not_authorized");
      expect((await refusal(executor.admit("agent:2", f.owner.address))).status).to.equal(404);

      // Nothing on disk opens the agent without the executor key.
      const [stored] = await store.all();
      const text = JSON.stringify({ ...stored, tokenId: "1" });
      expect(text).to.not.contain("pirate speak");
      expect(text).to.not.contain(f.key[0].toString(16));
      await store.close();
      const again = await executorFor(f, executorKey, dir);
      expect(again.executor.models()).to.deep.equal(["agent:1"]);
      expect((await again.executor.admit("agent:1", f.owner.address)).manifest).to.deep.equal(MANIFEST);

      // The owner changes the data: the loaded agent is stale until granted again.
      const key2 = randomDataKey();
      const root2 = entryOf(encryptAgent(key2, MANIFEST)).root;
      await f.nft
        .connect(f.owner)
        .update(1n, [intelligentData(AGENT_FORMAT, root2, key2)], [sealTee(key2, teePublicKey(executorKey))]);
      const e2 = await refusal(again.executor.admit("agent:1", f.owner.address));
      expect([e2.status, e2.code]).to.deep.equal([409, "agent_data_changed"]);
    });
  });
});
