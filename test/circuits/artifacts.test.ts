// The committed circuit artifacts are what the manifest lists, the verifier and verification key are
// exports of the committed zkey, and the committed source still compiles to the r1cs the key was made for.
// The same checks run in `npm run circuits:check`.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { type Circuit, circuitFor, constraintInfo, listCircuits, rel, sha256File } from "../../scripts/circuits/lib";
import { keyExportProblems, manifestProblems, readManifest, sourceProblems } from "../../scripts/circuits/artifacts";
import { releaseSnarkjsWorkers } from "../../offchain/zk/workers";

/** A copy of one circuit's committed artifacts and verifier under a temporary root, to tamper with. */
function copyCircuit(circuit: Circuit, root: string): Circuit {
  const copy = circuitFor(circuit.name, circuit.main, root);
  fs.cpSync(circuit.artifactsDir, copy.artifactsDir, { recursive: true });
  fs.mkdirSync(path.dirname(copy.verifier), { recursive: true });
  fs.copyFileSync(circuit.verifier, copy.verifier);
  return copy;
}

describe("[offchain] circuit artifacts", function () {
  const circuits = listCircuits();

  after(releaseSnarkjsWorkers);

  it("include the receipt circuit", function () {
    expect(circuits.map((c) => c.name)).to.include("receipt");
  });

  for (const circuit of circuits) {
    describe(circuit.name, function () {
      it("match the sha256s in their manifest", function () {
        expect(manifestProblems(circuit)).to.deep.equal([]);
      });

      it("have a verifier and verification key that are exports of the committed zkey, byte for byte", async function () {
        expect(await keyExportProblems(circuit)).to.deep.equal([]);
      });

      it("were made from the committed source (recompiling gives the same r1cs and wasm)", function () {
        expect(sourceProblems(circuit)).to.deep.equal([]);
      });

      it("record a constraint count that fits the recorded ptau", async function () {
        const manifest = readManifest(circuit);
        expect(manifest.constraints.requiredPower).to.be.at.most(manifest.ptau.power);
        if (manifest.files.r1cs) {
          expect(await constraintInfo(circuit.r1cs)).to.deep.equal(manifest.constraints);
          expect(sha256File(circuit.r1cs)).to.equal(manifest.r1csSha256);
        }
      });
    });
  }

  describe("checks catch tampering", function () {
    let root: string;
    let copy: Circuit;

    beforeEach(function () {
      const receipt = circuits.find((c) => c.name === "receipt");
      if (!receipt) throw new Error("no receipt circuit");
      root = fs.mkdtempSync(path.join(os.tmpdir(), "zg-artifacts-"));
      copy = copyCircuit(receipt, root);
    });

    afterEach(function () {
      fs.rmSync(root, { recursive: true, force: true });
    });

    it("a verifier that does not match the committed key", async function () {
      const source = fs.readFileSync(copy.verifier, "utf8");
      // Change one digit of the first IC constant: still valid Solidity, but another key.
      const tampered = source.replace(/(uint256 constant IC0x = \d*)(\d);/, (_m, head: string, digit: string) => {
        return `${head}${(Number(digit) + 1) % 10};`;
      });
      expect(tampered).to.not.equal(source);
      fs.writeFileSync(copy.verifier, tampered);
      expect(await keyExportProblems(copy)).to.deep.equal([
        `receipt: ${rel(copy.verifier)} is not the verifier exported from ${rel(copy.zkey)}`,
      ]);
      expect(manifestProblems(copy)).to.have.length(1);
    });

    it("an artifact that does not match its manifest", function () {
      fs.appendFileSync(copy.vkey, " ");
      expect(manifestProblems(copy)).to.have.length(1);
      expect(manifestProblems(copy)[0]).to.match(/verification_key\.json does not match the sha256/);
    });
  });
});
