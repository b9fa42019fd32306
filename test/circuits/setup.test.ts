// The setup script refuses a powers-of-tau file it cannot use, in one line, before touching any artifact.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as snarkjs from "snarkjs";
import { sha256File } from "../../scripts/circuits/lib";
import { releaseSnarkjsWorkers } from "../../offchain/zk/workers";

const ROOT = path.resolve(__dirname, "..", "..");
const SETUP = path.join(ROOT, "scripts", "circuits", "setup.ts");
const ARTIFACTS = path.join(ROOT, "circuits", "artifacts", "receipt");

/** `npm run circuits:setup -- --ptau <file> receipt`: one named circuit, so the refusal names it. */
function runSetup(ptau: string) {
  const run = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", SETUP, "--ptau", ptau, "receipt"], {
    cwd: ROOT,
    encoding: "utf8",
  });
  return { code: run.status, stderr: run.stderr.trim() };
}

function artifactHashes(): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(ARTIFACTS).map((f) => [f, sha256File(path.join(ARTIFACTS, f))]));
}

describe("[offchain] circuits:setup", function () {
  this.timeout(120_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zg-ptau-"));
  const raw = path.join(dir, "pot4_0.ptau");
  const prepared = path.join(dir, "pot4.ptau");

  before(async () => {
    // A power-4 ceremony takes a second to make, and is far too small for any real circuit.
    await snarkjs.powersOfTau.newAccumulator(await snarkjs.curves.getCurveFromName("bn128"), 4, raw);
    await snarkjs.powersOfTau.preparePhase2(raw, prepared);
  });

  after(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await releaseSnarkjsWorkers();
  });

  it("refuses a ptau too small for the circuit and names the power it needs", () => {
    const before = artifactHashes();
    const result = runSetup(prepared);
    expect(result.code).to.equal(1);
    expect(result.stderr.split("\n").filter((l) => l.startsWith("error"))).to.deep.equal([
      `error: receipt has 5046 constraints and needs a ptau of power 13 or more; pot4.ptau has power 4`,
    ]);
    expect(artifactHashes()).to.deep.equal(before);
  });

  it("refuses a ptau not prepared for phase 2", () => {
    const result = runSetup(raw);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(
      /^error: .*pot4_0\.ptau is not prepared for phase 2; run snarkjs powersoftau prepare/m,
    );
  });

  it("refuses a file that is not a ptau", () => {
    const bogus = path.join(dir, "bogus.ptau");
    fs.writeFileSync(bogus, "not a ptau");
    const result = runSetup(bogus);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(/^error: .*bogus\.ptau is (truncated or )?not a powers-of-tau/m);
  });
});
