import { expect } from "chai";
import fc from "fast-check";
import { ethers, upgrades } from "hardhat";
import { loadFixture, mine } from "@nomicfoundation/hardhat-network-helpers";
import { AbiCoder, ZeroHash, keccak256 } from "ethers";
import { FlowTree, fileRoot, fromHex, paddedSectors, toHex } from "../../offchain/storage/core";
import { PRICE, bytes, storageFixture, submissionOf } from "./helpers";

const coder = AbiCoder.defaultAbiCoder();

describe("Flow", () => {
  describe("initialize", () => {
    it("sets market, epoch length and roles", async () => {
      const { flow, market, ctx } = await loadFixture(storageFixture);
      expect(await flow.market()).to.equal(await market.getAddress());
      expect(await flow.blocksPerEpoch()).to.equal(10n);
      expect(await flow.hasRole(ZeroHash, ctx.admin!)).to.equal(true);
      expect(await flow.contractName()).to.equal("Flow");
      expect(await flow.version()).to.equal("1.0.0");
      expect(await flow.root()).to.equal("0xd397b3b043d87fcd6fad1291ff0bfd16401c274896d8c63a923727f077b8e0b5");
    });
    it("refuses a zero market or epoch length", async () => {
      const { ctx } = await loadFixture(storageFixture);
      const factory = await ethers.getContractFactory("Flow");
      const deploy = (m: string, b: number) =>
        upgrades.deployProxy(factory, [ctx.admin!, ctx.admin!, m, b], { kind: "uups" });
      const market = ctx.record.contracts.Market.address;
      await expect(deploy(ethers.ZeroAddress, 10)).to.be.revertedWithCustomError(factory, "FlowInvalidParams");
      await expect(deploy(market, 0)).to.be.revertedWithCustomError(factory, "FlowInvalidParams");
      await expect(deploy(market, 1_000_001)).to.be.revertedWithCustomError(factory, "FlowInvalidParams");
    });
  });

  describe("submit", () => {
    it("appends a file, emits Submit with its 0G file root and charges price × padded sectors", async () => {
      const { flow, market, alice } = await loadFixture(storageFixture);
      const data = bytes(17 * 256 + 5, 3);
      const sub = submissionOf(data.length, 3);
      const sectors = BigInt(paddedSectors(18));
      const fee = PRICE * sectors;
      await expect(flow.connect(alice).submit(sub, { value: fee }))
        .to.emit(flow, "Submit")
        .withArgs(alice.address, fileRoot(data), 0n, 0n, sectors, fee, (s: unknown) => s !== undefined)
        .and.to.emit(market, "FeeCharged");
      expect(await flow.submissionCount()).to.equal(1n);
      expect(await flow.flowLength()).to.equal(sectors);
      expect(await market.totalFees()).to.equal(fee);
      const tree = new FlowTree();
      tree.append(sub.nodes);
      expect(await flow.root()).to.equal(tree.root());
      expect(await flow.rootAfter(0)).to.equal(tree.root());
      expect(await flow.rootAfter(1)).to.equal(ZeroHash);
    });
    it("refunds an overpayment in the same call", async () => {
      const { flow, alice } = await loadFixture(storageFixture);
      const sub = submissionOf(256 * 1024);
      const fee = PRICE * 1024n;
      await expect(flow.connect(alice).submit(sub, { value: fee + 12345n })).to.changeEtherBalances(
        [alice, flow],
        [-fee, 0n],
      );
      expect(await flow.refundOf(alice.address)).to.equal(0n);
    });
    it("keeps the refund for withdrawRefund when the push fails", async () => {
      const { flow } = await loadFixture(storageFixture);
      const rejecter = await (await ethers.getContractFactory("FlowRefundRejecter")).deploy();
      const sub = submissionOf(100);
      await expect(rejecter.submit(await flow.getAddress(), sub, { value: PRICE + 7n }))
        .to.emit(flow, "RefundDeferred")
        .withArgs(await rejecter.getAddress(), 7n);
      expect(await flow.refundOf(await rejecter.getAddress())).to.equal(7n);
      await expect(rejecter.withdraw(await flow.getAddress())).to.be.revertedWithCustomError(
        flow,
        "FlowTransferFailed",
      );
      await rejecter.setAccept(true);
      await expect(rejecter.withdraw(await flow.getAddress()))
        .to.emit(flow, "RefundWithdrawn")
        .withArgs(await rejecter.getAddress(), 7n);
      await expect(rejecter.withdraw(await flow.getAddress())).to.be.revertedWithCustomError(flow, "FlowNoRefund");
    });
    it("reverts when the fee is short, changing nothing", async () => {
      const { flow, alice } = await loadFixture(storageFixture);
      const sub = submissionOf(300);
      await expect(flow.connect(alice).submit(sub, { value: 2n * PRICE - 1n }))
        .to.be.revertedWithCustomError(flow, "FlowInsufficientFee")
        .withArgs(2n * PRICE, 2n * PRICE - 1n);
      expect(await flow.flowLength()).to.equal(0n);
      expect(await flow.submissionCount()).to.equal(0n);
    });
    it("reverts on malformed submissions", async () => {
      const { flow } = await loadFixture(storageFixture);
      const good = submissionOf(17 * 256); // padded 18 sectors: heights [4, 1]
      const v = { value: 10n ** 18n };
      const root = good.nodes[0].root;
      await expect(flow.submit({ ...good, length: 0n }, v)).to.be.revertedWithCustomError(flow, "FlowEmptySubmission");
      await expect(flow.submit({ ...good, nodes: [] }, v)).to.be.revertedWithCustomError(flow, "FlowEmptySubmission");
      const cases = [
        [{ root, height: 4 }], // missing node
        [
          { root, height: 4 },
          { root, height: 1 },
          { root, height: 0 },
        ], // extra node
        [
          { root, height: 1 },
          { root, height: 4 },
        ], // wrong order
        [{ root, height: 5 }], // wrong split
      ];
      for (const nodes of cases) {
        await expect(flow.submit({ ...good, nodes }, v))
          .to.be.revertedWithCustomError(flow, "FlowInvalidSubmission")
          .withArgs(good.length);
      }
      await expect(flow.submit({ ...good, length: (1n << 48n) + 1n }, v)).to.be.revertedWithCustomError(
        flow,
        "FlowInvalidSubmission",
      );
      expect(await flow.flowLength()).to.equal(0n);
    });
    it("reverts while paused", async () => {
      const { flow, deployer } = await loadFixture(storageFixture);
      await flow.connect(deployer).pause();
      await expect(flow.submit(submissionOf(10), { value: PRICE })).to.be.revertedWithCustomError(
        flow,
        "EnforcedPause",
      );
      await expect(flow.makeContext()).to.be.revertedWithCustomError(flow, "EnforcedPause");
    });
  });

  describe("batchSubmit", () => {
    it("appends several files in order and refunds the excess", async () => {
      const { flow, alice } = await loadFixture(storageFixture);
      const subs = [submissionOf(100, 1), submissionOf(5000, 2), submissionOf(300_000, 3)];
      const tree = new FlowTree();
      const starts = subs.map((s) => tree.append(s.nodes));
      const total = PRICE * BigInt(1 + 20 + paddedSectors(Math.ceil(300_000 / 256)));
      const result = await flow.connect(alice).batchSubmit.staticCall(subs, { value: total + 1n });
      expect(result.startPositions.map(Number)).to.deep.equal(starts);
      await expect(flow.connect(alice).batchSubmit(subs, { value: total + 1n })).to.changeEtherBalance(alice, -total);
      expect(await flow.root()).to.equal(tree.root());
      expect(await flow.submissionCount()).to.equal(3n);
    });
    it("reverts on an empty batch or a short fee", async () => {
      const { flow } = await loadFixture(storageFixture);
      await expect(flow.batchSubmit([])).to.be.revertedWithCustomError(flow, "FlowEmptyBatch");
      await expect(flow.batchSubmit([submissionOf(10), submissionOf(10)], { value: PRICE }))
        .to.be.revertedWithCustomError(flow, "FlowInsufficientFee")
        .withArgs(2n * PRICE, PRICE);
    });
  });

  describe("flow tree (differential)", () => {
    it("contract and TS core agree on start positions, roots and proofs for random files", async () => {
      const { flow, alice } = await loadFixture(storageFixture);
      const tree = new FlowTree();
      let seed = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.integer({ min: 1, max: 70_000 }),
            fc.constantFrom(256, 257, 4096, 4097, 8449, 262_144, 262_145, 294_913, 524_289),
          ),
          async (size) => {
            const sub = submissionOf(size, ++seed);
            const sectors = sub.nodes.reduce((s, n) => s + 2 ** n.height, 0);
            const start = tree.append(sub.nodes);
            const tx = flow.connect(alice).submit(sub, { value: PRICE * BigInt(sectors) });
            await expect(tx)
              .to.emit(flow, "Submit")
              .withArgs(alice.address, toHex(submissionRootOf(sub)), anyUint, start, sectors, anyUint, anyValue);
            expect(await flow.root()).to.equal(tree.root());
            expect(await flow.flowLength()).to.equal(BigInt(tree.length));
            let offset = start;
            for (const node of sub.nodes) {
              const index = offset / 2 ** node.height;
              const { siblings } = tree.proof(node.height, index);
              expect(await flow.verifyFlowProof(tree.root(), node.root, index, siblings)).to.equal(true);
              if (siblings.length > 0) {
                const bad = [...siblings];
                bad[0] = ZeroHash;
                expect(await flow.verifyFlowProof(tree.root(), node.root, index, bad)).to.equal(false);
              }
              expect(
                await flow.verifyFlowProof(tree.root(), node.root, index + 2 ** siblings.length, siblings),
              ).to.equal(false);
              offset += 2 ** node.height;
            }
          },
        ),
        { numRuns: 30 },
      );
    });
  });

  describe("makeContext", () => {
    it("fixes one context per epoch with digest = keccak(blockHash, root, length)", async () => {
      const { flow, alice } = await loadFixture(storageFixture);
      await flow.connect(alice).submit(submissionOf(1000), { value: PRICE * 4n });
      await expect(flow.getContext(1)).to.be.revertedWithCustomError(flow, "FlowUnknownContext").withArgs(1n);
      await mine(10);
      const root = await flow.root();
      await expect(flow.makeContext()).to.emit(flow, "NewEpoch");
      const ctx = await flow.getContext(await flow.epoch());
      expect(ctx.flowRoot).to.equal(root);
      expect(ctx.flowLength).to.equal(4n);
      expect(ctx.blockHash).to.not.equal(ZeroHash);
      const block = await ethers.provider.getBlock(Number(ctx.startBlock));
      expect(ctx.blockHash).to.equal(block!.hash);
      expect(ctx.digest).to.equal(
        keccak256(coder.encode(["bytes32", "bytes32", "uint256"], [ctx.blockHash, ctx.flowRoot, ctx.flowLength])),
      );
      await expect(flow.makeContext()).to.not.emit(flow, "NewEpoch");
      expect(await flow.lastContextEpoch()).to.equal(ctx.epoch);
    });
    it("keeps contexts readable past 256 blocks and never uses a zero block hash", async () => {
      const { flow } = await loadFixture(storageFixture);
      await expect(flow.lastContextEpoch()).to.be.revertedWithCustomError(flow, "FlowUnknownContext");
      await mine(300);
      await flow.makeContext();
      const e = await flow.epoch();
      const ctx = await flow.getContext(e);
      expect(ctx.blockHash).to.not.equal(ZeroHash);
      await mine(600);
      expect((await flow.getContext(e)).digest).to.equal(ctx.digest);
    });
  });
});

const anyUint = (v: bigint) => typeof v === "bigint";
const anyValue = () => true;
function submissionRootOf(sub: { nodes: { root: string }[] }): Uint8Array {
  let acc = fromHex(sub.nodes[sub.nodes.length - 1].root);
  for (let i = sub.nodes.length - 2; i >= 0; i--)
    acc = fromHex(keccak256(Buffer.concat([fromHex(sub.nodes[i].root), acc])));
  return acc;
}
