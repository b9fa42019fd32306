// The fine-tuning worker's pieces without a chain: the training plan a spec may lower, the journal a restart
// resumes from, the python finder, and the real training job's refusals and shutdown (skipped without torch).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { createLogger } from "../../offchain/common/logger";
import { isZgError } from "../../offchain/common/errors";
import {
  findPython,
  Journal,
  pythonTrainer,
  requirePython,
  trainingPlan,
  type Job,
  type TrainParams,
} from "../../offchain/compute/finetune";
import { pythonCandidates } from "../../offchain/compute/finetune/python";
import { DEFAULT_BASE_MODEL } from "../../offchain/compute/finetune/python";

const CAPS = { steps: 100, batch: 8, context: 128 };
const logger = createLogger({ level: "warn" });

function job(taskId: string, phase: Job["phase"] = "accepted"): Job {
  return { taskId, phase, user: "0x1", fee: "1", datasetRoot: "0x2", steps: 2, batch: 2, context: 32, updatedAt: 0 };
}

describe("[offchain] compute fine-tuning worker parts", function () {
  this.timeout(300_000);
  let tmp: string;
  beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "zg-finetune-"))));
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  describe("trainingPlan", () => {
    it("uses the operator's settings for an empty spec", () => {
      expect(trainingPlan("", CAPS)).to.deep.equal({ ...CAPS, notes: [] });
    });
    it("lowers steps, batch and context to what the spec asks", () => {
      const plan = trainingPlan('{"steps": 2, "batch": 1, "context": 32}', CAPS);
      expect([plan.steps, plan.batch, plan.context]).to.deep.equal([2, 1, 32]);
    });
    it("caps a spec above the operator's settings", () => {
      const plan = trainingPlan('{"steps": 100000}', CAPS);
      expect(plan.steps).to.equal(100);
      expect(plan.notes[0]).to.include("capped");
    });
    it("ignores a malformed spec or value with a note", () => {
      expect(trainingPlan("not json", CAPS)).to.include({ steps: 100 });
      expect(trainingPlan("[1]", CAPS).notes).to.have.length(1);
      const plan = trainingPlan('{"steps": -3, "batch": 1.5}', CAPS);
      expect([plan.steps, plan.batch, plan.notes.length]).to.deep.equal([100, 8, 2]);
    });
    it("takes the spec's context when the operator leaves it to the model", () => {
      expect(trainingPlan('{"context": 64}', { ...CAPS, context: 0 }).context).to.equal(64);
    });
  });

  describe("Journal", () => {
    it("starts the cursor at task 1 and keeps it across reopening", () => {
      const j = new Journal(tmp);
      expect(j.cursor()).to.equal(1n);
      j.setCursor(7n);
      expect(new Journal(tmp).cursor()).to.equal(7n);
    });
    it("reads back every step of a job after reopening, and lists only open jobs", () => {
      const j = new Journal(tmp);
      j.put(job("2"));
      j.put({ ...job("1"), phase: "uploaded", modelRoot: "0xab" });
      j.put(job("3", "settled"));
      const again = new Journal(tmp);
      expect(again.get(1n)).to.include({ phase: "uploaded", modelRoot: "0xab" });
      expect(again.open().map((x) => x.taskId)).to.deep.equal(["1", "2"]);
      expect(again.get(9n)).to.equal(undefined);
    });
    it("leaves no temporary files behind", () => {
      const j = new Journal(tmp);
      j.put(job("1"));
      j.setCursor(2n);
      const files = [...fs.readdirSync(tmp), ...fs.readdirSync(path.join(tmp, "jobs"))];
      expect(files.filter((f) => f.endsWith(".tmp"))).to.deep.equal([]);
    });
  });

  describe("findPython", () => {
    it("tries ZG_PYTHON first, then python3, then /usr/bin/python3", () => {
      expect(pythonCandidates({ ZG_PYTHON: "/opt/py" })).to.deep.equal(["/opt/py", "python3", "/usr/bin/python3"]);
      expect(pythonCandidates({})).to.deep.equal(["python3", "/usr/bin/python3"]);
    });
    it("says what each python answered when none has torch", () => {
      const missing = path.join(tmp, "no-python");
      const { found, tried } = findPython([missing]);
      expect(found).to.equal(undefined);
      expect(tried[0]).to.include(missing);
      expect(() => requirePython([missing])).to.throw(/no python with torch/);
    });
  });

  describe("pythonTrainer (the real finetune.py)", () => {
    const python = findPython().found?.python;
    const params = (data: string, steps: number): TrainParams => ({
      base: DEFAULT_BASE_MODEL,
      data,
      out: path.join(tmp, "out"),
      steps,
      batch: 2,
      context: 32,
      device: "cpu",
      threads: 1,
    });
    beforeEach(function () {
      if (!python) {
        console.warn("      (skipped: no python with torch and numpy; set ZG_PYTHON to one that has them)");
        this.skip();
      }
    });

    it("refuses a dataset too small to train on with FINETUNE_BAD_INPUT", async () => {
      const data = path.join(tmp, "tiny.txt");
      fs.writeFileSync(data, "too small");
      const err = await pythonTrainer(python!)(params(data, 1), new AbortController().signal, logger).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isZgError(err, "FINETUNE_BAD_INPUT"), String(err)).to.equal(true);
      expect(String((err as Error).message)).to.include("too small");
    });

    it("kills the training process when the signal aborts (shutdown)", async () => {
      const data = path.join(tmp, "data.txt");
      fs.writeFileSync(data, "The worker trains on this line of text again and again.\n".repeat(80));
      const controller = new AbortController();
      const p = params(data, 1_000_000);
      const run = pythonTrainer(python!)(p, controller.signal, logger).then(
        () => undefined,
        (e: unknown) => e,
      );
      const running = () => spawnSync("pgrep", ["-f", p.out]).status === 0;
      const deadline = Date.now() + 60_000;
      while (!running() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(running(), "the job started").to.equal(true);
      controller.abort();
      const err = await run;
      expect(isZgError(err, "FINETUNE_ABORTED"), String(err)).to.equal(true);
      expect(running(), "the job is gone").to.equal(false);
    });
  });
});
