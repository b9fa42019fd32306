// The rendered SettlementBatchVerifier on the Hardhat network: real settlement proofs pass one, two and three at a
// time; any changed proof word or public input, inputs swapped between proofs, non-canonical values and malformed
// arrays make it answer false. Its coefficients match the TypeScript ones, and snarkjs' single-proof verifier
// agrees on each proof.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { ethers } from "hardhat";
import { signReceipt, receiptPublicKey, SNARK_SCALAR_FIELD } from "../../offchain/zk/receipt";
import {
  batchCoefficients,
  proveSettlement,
  SettlementError,
  toZkSettlement,
  type SettlementProof,
  type SettlementRequest,
} from "../../offchain/zk/settlement";
import { releaseSnarkjsWorkers } from "../../offchain/zk/workers";
import { batchVerifierFor, batchVerifierProblems, renderBatchVerifier } from "../../scripts/circuits/batchVerifier";
import type { SettlementBatchVerifier, SettlementVerifier } from "../../typechain-types";

// BN254 base field: proof coordinates live here.
const BASE_FIELD = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
const PROVIDER = 0x3c44cdddb6a900fa2b585dd299e03d12fa4293bcn;

function request(key: string, user: bigint, prevNonce: bigint, count: number): SettlementRequest {
  const receipts = Array.from({ length: count }, (_, i) => {
    const bill = {
      user,
      provider: PROVIDER,
      nonce: prevNonce + 1n + BigInt(i),
      fee: 10n ** 15n + BigInt(i),
      requestHash: 99n + BigInt(i),
    };
    const { R8, S } = signReceipt(key, bill);
    return { nonce: bill.nonce, fee: bill.fee, requestHash: bill.requestHash, R8x: R8[0], R8y: R8[1], S };
  });
  return { user, provider: PROVIDER, publicKey: receiptPublicKey(key), prevNonce, receipts };
}

describe("SettlementBatchVerifier (generated)", function () {
  let verifier: SettlementBatchVerifier;
  let proofs: SettlementProof[];

  const verify = (ps: bigint[][], xs: bigint[][]) => verifier.verifyBatch(ps, xs);
  const all = () => ({ ps: proofs.map((p) => [...p.proof]), xs: proofs.map((p) => [...p.inputs]) });

  before(async function () {
    verifier = (await ethers.deployContract("SettlementBatchVerifier")) as unknown as SettlementBatchVerifier;
    // Three settlements: two users, the second settlement of user A chained on the first.
    proofs = [];
    proofs.push(await proveSettlement(request("user a", 0xaaaan, 0n, 2)));
    proofs.push(await proveSettlement(request("user b", 0xbbbbn, 5n, 1)));
    proofs.push(await proveSettlement(request("user a", 0xaaaan, 2n, 4)));
  });

  after(releaseSnarkjsWorkers);

  describe("verifyBatch", function () {
    it("accepts 1, 2 and 3 real proofs in one call", async function () {
      const { ps, xs } = all();
      for (let k = 1; k <= 3; k++) expect(await verify(ps.slice(0, k), xs.slice(0, k)), `k = ${k}`).to.equal(true);
      expect(await verify([ps[2], ps[0]], [xs[2], xs[0]])).to.equal(true);
    });

    it("refuses a batch with any proof word changed", async function () {
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 8; j++) {
          const { ps, xs } = all();
          ps[i][j] = (ps[i][j] + 1n) % BASE_FIELD;
          expect(await verify(ps, xs), `proof ${i} word ${j}`).to.equal(false);
        }
      }
    });

    it("refuses a batch with any public input changed", async function () {
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 7; j++) {
          const { ps, xs } = all();
          xs[i][j] = (xs[i][j] + 1n) % SNARK_SCALAR_FIELD;
          expect(await verify(ps, xs), `proof ${i} input ${j}`).to.equal(false);
        }
      }
    });

    it("refuses inputs swapped between proofs, and a proof of the same statement with another's points", async function () {
      const { ps, xs } = all();
      expect(await verify(ps, [xs[1], xs[0], xs[2]])).to.equal(false);
      expect(await verify([ps[1], ps[0], ps[2]], xs)).to.equal(false);
      const mixed = [...ps[0].slice(0, 6), ...ps[1].slice(6)];
      expect(await verify([mixed], [xs[0]])).to.equal(false);
    });

    it("refuses an input or coordinate that is not reduced (x + r, y + q)", async function () {
      const { ps, xs } = all();
      expect(await verify(ps, [xs[0], [...xs[1].slice(0, 6), xs[1][6] + SNARK_SCALAR_FIELD], xs[2]])).to.equal(false);
      expect(await verify([[...ps[0].slice(0, 7), ps[0][7] + BASE_FIELD]], [xs[0]])).to.equal(false);
      expect(await verify([ps[0]], [[SNARK_SCALAR_FIELD, ...xs[0].slice(1)]])).to.equal(false);
    });

    it("refuses empty arrays and unequal lengths", async function () {
      const { ps, xs } = all();
      expect(await verify([], [])).to.equal(false);
      expect(await verify(ps, xs.slice(0, 2))).to.equal(false);
      expect(await verify(ps.slice(0, 1), xs)).to.equal(false);
    });

    it("refuses a proof that is off the curve or the point at infinity for A", async function () {
      const { ps, xs } = all();
      expect(await verify([[1n, 2n, ...ps[0].slice(2)]], [xs[0]])).to.equal(false);
      expect(await verify([[0n, 0n, ...ps[0].slice(2)], ps[1]], xs.slice(0, 2))).to.equal(false);
    });
  });

  describe("coefficients", function () {
    it("match the TypeScript Fiat–Shamir coefficients", async function () {
      const { ps, xs } = all();
      for (let k = 1; k <= 3; k++) {
        const onChain = await verifier.coefficients(ps.slice(0, k), xs.slice(0, k));
        expect(onChain, `k = ${k}`).to.deep.equal(batchCoefficients(ps.slice(0, k), xs.slice(0, k)));
      }
      expect(await verifier.coefficients([], [])).to.deep.equal([]);
    });

    it("change with every proof word and input", async function () {
      const { ps, xs } = all();
      const before = batchCoefficients(ps, xs);
      ps[2][7] += 1n;
      expect(batchCoefficients(ps, xs)[1]).to.not.equal(before[1]);
      xs[0][0] += 1n;
      expect(await verifier.coefficients(ps, xs)).to.deep.equal(batchCoefficients(ps, xs));
    });
  });

  describe("proveSettlement", function () {
    it("refuses bad input before proving, with the reason", async function () {
      const bad = request("user a", 0xaaaan, 3n, 1);
      const refusal = await proveSettlement({ ...bad, prevNonce: 4n }).then(
        () => null,
        (error: unknown) => error,
      );
      expect(refusal).to.be.instanceOf(SettlementError);
      expect((refusal as Error).message).to.match(/receipt 0: nonce 4 is not above prevNonce 4/);
    });

    it("returns the inputs in verifyBatch's order and the settled range", function () {
      const [first] = proofs;
      const [Ax, Ay] = receiptPublicKey("user a");
      expect(first.inputs).to.deep.equal([0xaaaan, PROVIDER, Ax, Ay, 0n, 2n, 2n * 10n ** 15n + 1n]);
      expect([first.lastNonce, first.total]).to.deep.equal([2n, 2n * 10n ** 15n + 1n]);
      expect(first.proof).to.have.length(8);
      expect(toZkSettlement(first)).to.deep.equal({
        user: "0x000000000000000000000000000000000000aaaa",
        lastNonce: 2n,
        total: 2n * 10n ** 15n + 1n,
        proof: first.proof,
      });
    });
  });

  describe("SettlementVerifier (snarkjs' single-proof export)", function () {
    it("accepts each proof the batch verifier accepts", async function () {
      const single = (await ethers.deployContract("SettlementVerifier")) as unknown as SettlementVerifier;
      for (const { proof: p, inputs } of proofs) {
        const ok = await single.verifyProof(
          [p[0], p[1]],
          [
            [p[2], p[3]],
            [p[4], p[5]],
          ],
          [p[6], p[7]],
          inputs,
        );
        expect(ok).to.equal(true);
      }
    });
  });
});

describe("[offchain] SettlementBatchVerifier rendering", function () {
  const committed = batchVerifierFor("settlement");
  let root: string;
  let copy: NonNullable<typeof committed>;

  beforeEach(function () {
    if (!committed) throw new Error("settlement has no batch verifier");
    root = fs.mkdtempSync(path.join(os.tmpdir(), "zg-batch-verifier-"));
    const target = batchVerifierFor("settlement", root);
    if (!target) throw new Error("settlement has no batch verifier");
    copy = target;
    fs.mkdirSync(path.dirname(copy.vkey), { recursive: true });
    fs.mkdirSync(path.dirname(copy.file), { recursive: true });
    fs.copyFileSync(committed.vkey, copy.vkey);
    fs.copyFileSync(committed.file, copy.file);
  });

  afterEach(function () {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("is committed exactly as the committed verification key renders it", function () {
    expect(batchVerifierProblems(committed!)).to.deep.equal([]);
  });

  it("names the contract, the circuit and its 7 public inputs", function () {
    const source = fs.readFileSync(committed!.file, "utf8");
    expect(source).to.contain("contract SettlementBatchVerifier {");
    expect(source).to.contain("uint256[7][] calldata inputs");
    expect(source).to.match(/uint256 internal constant IC7_Y = \d+;/);
    expect(source).to.not.match(/IC8_X/);
  });

  it("catches a changed constant", function () {
    const source = fs.readFileSync(copy.file, "utf8");
    const tampered = source.replace(
      /(uint256 internal constant IC0_X = \d*)(\d);/,
      (_m, head: string, digit: string) => {
        return `${head}${(Number(digit) + 1) % 10};`;
      },
    );
    expect(tampered).to.not.equal(source);
    fs.writeFileSync(copy.file, tampered);
    const problems = batchVerifierProblems(copy);
    expect(problems).to.have.length(1);
    expect(problems[0]).to.match(
      /^settlement: .*SettlementBatchVerifier\.sol is not the batch verifier rendered from its verification key$/,
    );
  });

  it("catches a missing contract", function () {
    fs.rmSync(copy.file);
    expect(batchVerifierProblems(copy)).to.have.length(1);
    expect(batchVerifierProblems(copy)[0]).to.match(/SettlementBatchVerifier\.sol is missing$/);
  });

  it("refuses a key that is not Groth16 on BN254", function () {
    const vkey = JSON.parse(fs.readFileSync(copy.vkey, "utf8")) as Record<string, unknown>;
    const render = (key: object) => () => renderBatchVerifier(JSON.stringify(key), copy);
    expect(render({ ...vkey, protocol: "plonk" })).to.throw(/needs a groth16 key on bn128/);
    expect(render({ ...vkey, nPublic: 8 })).to.throw(/8 IC points for 8 public signals/);
  });
});
