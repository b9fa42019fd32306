// The generated ReceiptVerifier on the Hardhat network: real proofs from proveReceipt pass, anything
// changed in the proof or its public signals does not.
import { type Groth16Calldata, toGroth16Calldata } from "../../offchain/zk/groth16";
import { expect } from "chai";
import { ethers } from "hardhat";
import {
  type Receipt,
  receiptCircuitInput,
  ReceiptError,
  receiptPublicKey,
  proveReceipt,
  RECEIPT_PUBLIC_SIGNALS,
  signReceipt,
  SNARK_SCALAR_FIELD,
} from "../../offchain/zk/receipt";
import { releaseSnarkjsWorkers } from "../../offchain/zk/workers";
import type { ReceiptVerifier } from "../../typechain-types";

const KEY = "zg receipt verifier test key";
// BN254 base field: coordinates of proof points live here.
const BASE_FIELD = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
const FEE = RECEIPT_PUBLIC_SIGNALS.indexOf("fee");

const RECEIPT: Receipt = {
  user: 0x70997970c51812dc3a010c7d01b50e0d17dc79c8n,
  provider: 0x3c44cdddb6a900fa2b585dd299e03d12fa4293bcn,
  nonce: 7n,
  fee: 123_456_789n,
  requestHash: 0xabcdefn,
};

async function errorOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

describe("ReceiptVerifier (generated)", function () {
  let verifier: ReceiptVerifier;
  let calldata: Groth16Calldata;

  const verify = (data: Groth16Calldata) => verifier.verifyProof(data.a, data.b, data.c, data.pub);
  const withPub = (index: number, value: bigint): Groth16Calldata => ({
    ...calldata,
    pub: calldata.pub.map((v, i) => (i === index ? value : v)),
  });

  before(async function () {
    verifier = (await ethers.deployContract("ReceiptVerifier")) as unknown as ReceiptVerifier;
    const input = receiptCircuitInput(RECEIPT, receiptPublicKey(KEY), signReceipt(KEY, RECEIPT));
    const { proof, publicSignals } = await proveReceipt(input);
    calldata = toGroth16Calldata(proof, publicSignals);
  });

  after(releaseSnarkjsWorkers);

  it("lists the public signals in the circuit's order", function () {
    const [Ax, Ay] = receiptPublicKey(KEY);
    const { user, provider, nonce, fee, requestHash } = RECEIPT;
    expect(calldata.pub).to.deep.equal([user, provider, nonce, fee, requestHash, Ax, Ay]);
  });

  it("accepts a real proof", async function () {
    expect(await verify(calldata)).to.equal(true);
  });

  // ~256k measured (docs/circuits.md), 21k of it the transaction's base cost: a guard against a verifier
  // template or public-signal count that quietly gets more expensive.
  it("costs less than 270k gas to verify", async function () {
    const gas = await verifier.verifyProof.estimateGas(calldata.a, calldata.b, calldata.c, calldata.pub);
    expect(gas).to.be.lessThan(270_000n);
  });

  it("refuses a changed public signal", async function () {
    expect(await verify(withPub(FEE, RECEIPT.fee + 1n))).to.equal(false);
    const [otherAx] = receiptPublicKey("someone else");
    expect(await verify(withPub(RECEIPT_PUBLIC_SIGNALS.indexOf("Ax"), otherAx))).to.equal(false);
  });

  it("refuses public signals outside the scalar field, even when equal modulo it", async function () {
    // fee + r is the same field element; only the verifier's range check stops it from passing.
    expect(await verify(withPub(FEE, RECEIPT.fee + SNARK_SCALAR_FIELD))).to.equal(false);
    expect(await verify(withPub(0, RECEIPT.user + SNARK_SCALAR_FIELD))).to.equal(false);
  });

  it("refuses a changed proof point", async function () {
    // A valid curve point that is not the proof's A: the pairing check fails.
    expect(await verify({ ...calldata, a: [1n, 2n] })).to.equal(false);
    // -C instead of C.
    expect(await verify({ ...calldata, c: [calldata.c[0], BASE_FIELD - calldata.c[1]] })).to.equal(false);
    // B with its coordinates in snarkjs' order instead of the EVM's (c1, c0) order.
    const [[b00, b01], [b10, b11]] = calldata.b;
    expect(
      await verify({
        ...calldata,
        b: [
          [b01, b00],
          [b11, b10],
        ],
      }),
    ).to.equal(false);
  });

  it("gets no proof for a receipt whose signature does not verify", async function () {
    const input = receiptCircuitInput(RECEIPT, receiptPublicKey(KEY), signReceipt(KEY, RECEIPT));
    const error = await errorOf(proveReceipt({ ...input, fee: RECEIPT.fee + 1n }));
    expect(error).to.be.instanceOf(ReceiptError);
    expect(error.message).to.match(/signature does not verify/);
  });
});
