import { expect } from "chai";
import { Lifecycle, onShutdownSignals } from "../../../offchain/common";
import { runFixture } from "./fixture-process";
import { expectZgError, memoryLogger } from "./helpers";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("[offchain] lifecycle", function () {
  describe("close", function () {
    it("aborts the signal, then closes modules in reverse start order", async function () {
      const { logger, lines } = memoryLogger();
      const lifecycle = new Lifecycle(logger);
      const order: string[] = [];
      lifecycle.add("db", () => void order.push(`db (aborted: ${lifecycle.signal.aborted})`));
      lifecycle.add("chain", async () => {
        await sleep(5);
        order.push("chain");
      });
      lifecycle.add("server", () => void order.push("server"));
      expect(lifecycle.status).to.equal("running");

      await lifecycle.close();
      expect(order).to.deep.equal(["server", "chain", "db (aborted: true)"]);
      expect(lifecycle.status).to.equal("closed");
      const closed = lines.filter((l) => l.msg.startsWith("closed "));
      expect(closed.map((l) => l.module)).to.deep.equal(["server", "chain", "db"]);
      expect(closed[1].durationMs).to.be.a("number").and.to.be.at.least(4);
    });

    it("closes each module once when called concurrently, giving every caller the same promise", async function () {
      const lifecycle = new Lifecycle(memoryLogger().logger);
      let closes = 0;
      lifecycle.add("slow", async () => {
        closes++;
        await sleep(20);
      });
      const first = lifecycle.close();
      expect(lifecycle.status).to.equal("closing");
      const second = lifecycle.close();
      expect(second).to.equal(first);
      await Promise.all([first, second, lifecycle.close()]);
      await lifecycle.close();
      expect(closes).to.equal(1);
    });

    it("keeps closing the others when one fails, then reports the failures together", async function () {
      const { logger, lines } = memoryLogger();
      const lifecycle = new Lifecycle(logger);
      const closed: string[] = [];
      lifecycle.add("first", () => void closed.push("first"));
      lifecycle.add("broken", () => {
        throw new Error("disk gone");
      });
      lifecycle.add("last", () => void closed.push("last"));

      let thrown: unknown;
      await lifecycle.close().catch((err: unknown) => (thrown = err));
      expect(closed).to.deep.equal(["last", "first"]);
      expect(thrown).to.be.instanceOf(AggregateError);
      expect((thrown as AggregateError).message).to.equal("1 of 3 modules failed to close");
      expect((thrown as AggregateError).errors.map((e: Error) => e.message)).to.deep.equal(["disk gone"]);
      expect(lines.find((l) => l.level === "error")).to.include({
        module: "broken",
        msg: "closing broken failed: disk gone",
      });
      expect(lifecycle.status).to.equal("closed");
    });

    it("refuses new modules once closing began", async function () {
      const lifecycle = new Lifecycle(memoryLogger().logger);
      const closing = lifecycle.close();
      await expectZgError(() => lifecycle.add("late", () => undefined), "LIFECYCLE_CLOSED");
      await closing;
    });
  });

  describe("onShutdownSignals (in-process, injected exit)", function () {
    it("closes on the first signal and exits 0; a second signal forces exit 1", async function () {
      const { logger, lines } = memoryLogger();
      const lifecycle = new Lifecycle(logger);
      lifecycle.add("slow", async () => {
        await sleep(50);
      });
      const exits: number[] = [];
      const remove = onShutdownSignals(lifecycle, logger, { exit: (code) => exits.push(code), signals: ["SIGUSR2"] });
      try {
        process.emit("SIGUSR2", "SIGUSR2");
        process.emit("SIGUSR2", "SIGUSR2");
        expect(exits).to.deep.equal([1]);
        await lifecycle.close();
        await sleep(0);
        expect(exits).to.deep.equal([1, 0]);
        expect(lines.some((l) => l.msg.includes("forcing exit"))).to.equal(true);
      } finally {
        remove();
      }
    });

    it("exits 1 when a close failed", async function () {
      const { logger } = memoryLogger();
      const lifecycle = new Lifecycle(logger);
      lifecycle.add("broken", () => Promise.reject(new Error("nope")));
      const exits: number[] = [];
      const remove = onShutdownSignals(lifecycle, logger, { exit: (code) => exits.push(code), signals: ["SIGUSR2"] });
      try {
        process.emit("SIGUSR2", "SIGUSR2");
        await lifecycle.close().catch(() => undefined);
        await sleep(0);
        expect(exits).to.deep.equal([1]);
      } finally {
        remove();
      }
    });
  });

  describe("onShutdownSignals (real process, real SIGINT)", function () {
    this.timeout(60_000);

    it("closes gracefully on one SIGINT and exits 0", async function () {
      const node = runFixture("shutdown-node", ["1000"]);
      await node.waitForLine((l) => l.msg === "ready");
      const sent = Date.now();
      node.child.kill("SIGINT");
      const { code } = await node.exited;
      expect(code, node.stderr()).to.equal(0);
      expect(Date.now() - sent).to.be.at.least(900);
      const msgs = node.lines.map((l) => l.msg);
      expect(msgs).to.include.members(["closed store", "closed loop", "shutdown complete"]);
      expect(msgs.indexOf("closed store")).to.be.below(msgs.indexOf("closed loop"));
      const store = node.lines.find((l) => l.msg === "closed store");
      expect(store?.durationMs).to.be.at.least(900);
    });

    it("exits 1 at once on a second SIGINT, without waiting for the slow close", async function () {
      const node = runFixture("shutdown-node", ["5000"]);
      await node.waitForLine((l) => l.msg === "ready");
      const sent = Date.now();
      node.child.kill("SIGINT");
      await node.waitForLine((l) => String(l.msg).startsWith("received SIGINT: shutting down"));
      node.child.kill("SIGINT");
      const { code } = await node.exited;
      expect(code, node.stderr()).to.equal(1);
      expect(Date.now() - sent).to.be.below(4000);
      const msgs = node.lines.map((l) => String(l.msg));
      expect(msgs.some((m) => m.includes("received SIGINT again: forcing exit"))).to.equal(true);
      expect(msgs).to.not.include("closed store");
    });
  });
});
