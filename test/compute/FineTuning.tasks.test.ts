import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ZeroHash, type Interface } from "ethers";
import {
  DATASET,
  FT_PARAMS,
  MODEL_HASH,
  MODEL_ROOT,
  ONE,
  SERVICE,
  SPEC,
  after,
  deliveredFixture,
  expectInvariants,
  fund,
  ledgerState,
  taskFixture,
} from "./ledgerHelpers";

const PENALIZED = ONE - (ONE * BigInt(FT_PARAMS.penaltyPpm)) / 1_000_000n;
const Status = { None: 0n, Created: 1n, Delivered: 2n, Acknowledged: 3n, Settled: 4n, Cancelled: 5n };

describe("FineTuning tasks", function () {
  describe("submitDeliverable", function () {
    it("registers the model and opens the acknowledgement window", async function () {
      const f = await loadFixture(taskFixture);
      const at = (await time.latest()) + 1;
      await time.setNextBlockTimestamp(at);
      await expect(f.fineTuning.connect(f.provider).submitDeliverable(1, MODEL_ROOT, MODEL_HASH))
        .to.emit(f.fineTuning, "DeliverableSubmitted")
        .withArgs(1, MODEL_ROOT, MODEL_HASH, at + FT_PARAMS.ackWindow);
      const t = await f.fineTuning.getTask(1);
      expect([t.status, t.modelRoot, t.modelHash, t.ackDeadline]).to.deep.equal([
        Status.Delivered,
        MODEL_ROOT,
        MODEL_HASH,
        BigInt(at + FT_PARAMS.ackWindow),
      ]);
    });

    it("accepts a delivery at the deadline and refuses one after it", async function () {
      const f = await loadFixture(taskFixture);
      const deliverBy = (await f.fineTuning.getTask(1)).deliverBy;
      await f.fineTuning.connect(f.user).createTask(f.provider, DATASET, SPEC, 1n);
      await time.setNextBlockTimestamp(deliverBy);
      await f.fineTuning.connect(f.provider).submitDeliverable(1, MODEL_ROOT, MODEL_HASH);
      const late = (await f.fineTuning.getTask(2)).deliverBy + 1n;
      await time.setNextBlockTimestamp(late);
      await expect(f.fineTuning.connect(f.provider).submitDeliverable(2, MODEL_ROOT, MODEL_HASH))
        .to.be.revertedWithCustomError(f.fineTuning, "FineTuningDeliveryExpired")
        .withArgs(2, late - 1n);
      expect((await f.fineTuning.getTask(2)).status).to.equal(Status.Created);
    });

    it("refuses another caller, an unknown task, a zero root, and a second delivery", async function () {
      const f = await loadFixture(taskFixture);
      const p = f.fineTuning.connect(f.provider);
      await expect(f.fineTuning.connect(f.user).submitDeliverable(1, MODEL_ROOT, MODEL_HASH))
        .to.be.revertedWithCustomError(f.fineTuning, "FineTuningUnauthorized")
        .withArgs(1, f.user.address);
      await expect(p.submitDeliverable(9, MODEL_ROOT, MODEL_HASH))
        .to.be.revertedWithCustomError(f.fineTuning, "FineTuningNoTask")
        .withArgs(9);
      await expect(p.submitDeliverable(1, ZeroHash, MODEL_HASH)).to.be.revertedWithCustomError(
        f.fineTuning,
        "FineTuningZeroRoot",
      );
      expect((await f.fineTuning.getTask(1)).status).to.equal(Status.Created);
      await p.submitDeliverable(1, MODEL_ROOT, MODEL_HASH);
      await expect(p.submitDeliverable(1, ethers.id("other"), MODEL_HASH))
        .to.be.revertedWithCustomError(f.fineTuning, "FineTuningWrongStatus")
        .withArgs(1, Status.Delivered);
      expect((await f.fineTuning.getTask(1)).modelRoot).to.equal(MODEL_ROOT);
    });
  });

  describe("acknowledge", function () {
    it("accepts the deliverable; refuses another caller and an undelivered task", async function () {
      const f = await loadFixture(deliveredFixture);
      await expect(f.fineTuning.connect(f.provider).acknowledge(1))
        .to.be.revertedWithCustomError(f.fineTuning, "FineTuningUnauthorized")
        .withArgs(1, f.provider.address);
      await expect(f.fineTuning.connect(f.user).acknowledge(1)).to.emit(f.fineTuning, "TaskAcknowledged").withArgs(1);
      expect((await f.fineTuning.getTask(1)).status).to.equal(Status.Acknowledged);
      await expect(f.fineTuning.connect(f.user).acknowledge(1))
        .to.be.revertedWithCustomError(f.fineTuning, "FineTuningWrongStatus")
        .withArgs(1, Status.Acknowledged);
      await expect(f.fineTuning.connect(f.user).acknowledge(2))
        .to.be.revertedWithCustomError(f.fineTuning, "FineTuningNoTask")
        .withArgs(2);
    });
  });

  describe("settle", function () {
    it("charges the full fee once acknowledged", async function () {
      const f = await loadFixture(deliveredFixture);
      await f.fineTuning.connect(f.user).acknowledge(1);
      const tx = await f.fineTuning.connect(f.provider).settle(1);
      await expect(tx).to.emit(f.fineTuning, "TaskSettled").withArgs(1, ONE, ONE, true);
      await expect(tx).to.emit(f.ledger, "Charged").withArgs(f.user.address, f.provider.address, ONE, ONE);
      await expect(tx).to.changeEtherBalances([f.provider, f.ledger], [ONE, -ONE]);
      const t = await f.fineTuning.getTask(1);
      expect([t.status, t.paid]).to.deep.equal([Status.Settled, ONE]);
      expect(await f.fineTuning.openFees(f.user, f.provider)).to.equal(0n);
      expect(await f.ledger.chargeable(f.user, f.provider)).to.equal(ONE);
      await expectInvariants(f);
    });

    it("charges the fee less the penalty once an unacknowledged window closed", async function () {
      const f = await loadFixture(deliveredFixture);
      const deadline = (await f.fineTuning.getTask(1)).ackDeadline;
      await time.setNextBlockTimestamp(deadline - 1n);
      await expect(f.fineTuning.connect(f.provider).settle(1))
        .to.be.revertedWithCustomError(f.fineTuning, "FineTuningAckWindowOpen")
        .withArgs(1, deadline);
      await time.setNextBlockTimestamp(deadline);
      const tx = await f.fineTuning.connect(f.provider).settle(1);
      await expect(tx).to.emit(f.fineTuning, "TaskSettled").withArgs(1, PENALIZED, PENALIZED, false);
      await expect(tx).to.changeEtherBalances([f.provider, f.ledger], [PENALIZED, -PENALIZED]);
      expect(await f.ledger.chargeable(f.user, f.provider)).to.equal(2n * ONE - PENALIZED);
      await expectInvariants(f);
    });

    it("keeps the penalty the task was created with", async function () {
      const f = await loadFixture(deliveredFixture);
      await f.fineTuning.setParams({ ...FT_PARAMS, penaltyPpm: 1_000_000 });
      await after(FT_PARAMS.ackWindow);
      await expect(f.fineTuning.connect(f.provider).settle(1))
        .to.emit(f.fineTuning, "TaskSettled")
        .withArgs(1, PENALIZED, PENALIZED, false);
    });

    it("pays what the sub-account holds when the user drained it", async function () {
      const f = await loadFixture(deliveredFixture);
      await f.fineTuning.connect(f.user).acknowledge(1);
      await f.ledger.connect(f.settler).charge(f.user, f.provider, 2n * ONE - 5n);
      await expect(f.fineTuning.connect(f.provider).settle(1))
        .to.emit(f.fineTuning, "TaskSettled")
        .withArgs(1, ONE, 5n, true);
      expect((await f.fineTuning.getTask(1)).paid).to.equal(5n);
    });

    it("refuses another caller, an unknown, undelivered or settled task, with nothing charged", async function () {
      const f = await loadFixture(deliveredFixture);
      await f.fineTuning.connect(f.user).createTask(f.provider, DATASET, SPEC, 1n);
      const before = await ledgerState(f, [f.user], [f.provider]);
      const p = f.fineTuning.connect(f.provider);
      await expect(f.fineTuning.connect(f.user).settle(1))
        .to.be.revertedWithCustomError(f.fineTuning, "FineTuningUnauthorized")
        .withArgs(1, f.user.address);
      await expect(p.settle(7)).to.be.revertedWithCustomError(f.fineTuning, "FineTuningNoTask").withArgs(7);
      await expect(p.settle(2))
        .to.be.revertedWithCustomError(f.fineTuning, "FineTuningWrongStatus")
        .withArgs(2, Status.Created);
      await expect(p.settle(1)).to.be.revertedWithCustomError(f.fineTuning, "FineTuningAckWindowOpen");
      expect(await ledgerState(f, [f.user], [f.provider])).to.deep.equal(before);
      await f.fineTuning.connect(f.user).acknowledge(1);
      await p.settle(1);
      await expect(p.settle(1))
        .to.be.revertedWithCustomError(f.fineTuning, "FineTuningWrongStatus")
        .withArgs(1, Status.Settled);
      expect(await f.ledger.chargeable(f.user, f.provider)).to.equal(ONE);
    });

    it("refuses a provider that re-enters settle when paid", async function () {
      const f = await loadFixture(taskFixture);
      const receiver = await (await ethers.getContractFactory("ComputeReentrantReceiver")).deploy();
      const ft = await f.fineTuning.getAddress();
      const call = (fn: string, args: unknown[]) =>
        receiver.execute(ft, (f.fineTuning.interface as Interface).encodeFunctionData(fn, args));
      await f.stakeContract(receiver);
      await call("registerService", [SERVICE]);
      await f.ledger.connect(f.user).transfer(receiver, ONE);
      await f.fineTuning.connect(f.user).createTask(receiver, DATASET, SPEC, ONE / 2n);
      await f.fineTuning.connect(f.user).createTask(receiver, DATASET, SPEC, ONE / 2n);
      for (const id of [2, 3]) {
        await call("submitDeliverable", [id, MODEL_ROOT, MODEL_HASH]);
        await f.fineTuning.connect(f.user).acknowledge(id);
      }
      await receiver.setReentry(ft, f.fineTuning.interface.encodeFunctionData("settle", [3]));
      await call("settle", [2]);
      expect(f.fineTuning.interface.parseError(await receiver.lastError())?.name).to.equal(
        "ReentrancyGuardReentrantCall",
      );
      expect((await f.fineTuning.getTask(3)).status).to.equal(Status.Acknowledged);
      expect(await f.ledger.chargeable(f.user, receiver)).to.equal(ONE / 2n);
    });
  });

  describe("cancel", function () {
    it("cancels an undelivered task after the deadline without a charge", async function () {
      const f = await loadFixture(taskFixture);
      const deliverBy = (await f.fineTuning.getTask(1)).deliverBy;
      await time.setNextBlockTimestamp(deliverBy);
      await expect(f.fineTuning.connect(f.user).cancel(1))
        .to.be.revertedWithCustomError(f.fineTuning, "FineTuningDeliveryPending")
        .withArgs(1, deliverBy);
      const before = await ledgerState(f, [f.user], [f.provider]);
      await expect(f.fineTuning.connect(f.user).cancel(1)).to.emit(f.fineTuning, "TaskCancelled").withArgs(1);
      expect((await f.fineTuning.getTask(1)).status).to.equal(Status.Cancelled);
      expect(await f.fineTuning.openFees(f.user, f.provider)).to.equal(0n);
      expect(await ledgerState(f, [f.user], [f.provider])).to.deep.equal(before);
      await expect(f.fineTuning.connect(f.provider).settle(1))
        .to.be.revertedWithCustomError(f.fineTuning, "FineTuningWrongStatus")
        .withArgs(1, Status.Cancelled);
    });

    it("refuses another caller and a delivered task", async function () {
      const f = await loadFixture(deliveredFixture);
      await f.fineTuning.connect(f.user).createTask(f.provider, DATASET, SPEC, 1n);
      await after(FT_PARAMS.deliveryTimeout + 1);
      await expect(f.fineTuning.connect(f.provider).cancel(2))
        .to.be.revertedWithCustomError(f.fineTuning, "FineTuningUnauthorized")
        .withArgs(2, f.provider.address);
      await expect(f.fineTuning.connect(f.user).cancel(1))
        .to.be.revertedWithCustomError(f.fineTuning, "FineTuningWrongStatus")
        .withArgs(1, Status.Delivered);
      expect(await f.fineTuning.openFees(f.user, f.provider)).to.equal(ONE + 1n);
    });
  });

  describe("a second user", function () {
    it("keeps each user's open fees apart", async function () {
      const f = await loadFixture(taskFixture);
      await fund(f, f.other, f.provider, 0n, ONE, 2);
      await f.fineTuning.connect(f.other).createTask(f.provider, DATASET, SPEC, ONE);
      expect(await f.fineTuning.openFees(f.other, f.provider)).to.equal(ONE);
      expect(await f.fineTuning.openFees(f.user, f.provider)).to.equal(ONE);
    });
  });
});
