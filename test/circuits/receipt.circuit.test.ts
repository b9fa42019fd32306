// Witness tests for circuits/receipt against the committed wasm and r1cs: what the circuit accepts and
// refuses, with signatures from both TypeScript EdDSA-Poseidon implementations.
import { expect } from "chai";
import { witnessChecker } from "../helpers/witness";
import { buildEddsa, buildPoseidon } from "circomlibjs";
import { subOrder } from "@zk-kit/baby-jubjub";
import { signMessage } from "@zk-kit/eddsa-poseidon";
import { poseidon5 } from "poseidon-lite/poseidon5";
import {
  type Receipt,
  type ReceiptCircuitInput,
  RECEIPT_ARTIFACTS_DIR,
  receiptCircuitInput,
  ReceiptError,
  receiptMessage,
  receiptPublicKey,
  signReceipt,
  SNARK_SCALAR_FIELD,
  toReceipt,
} from "../../offchain/zk/receipt";
import { releaseSnarkjsWorkers } from "../../offchain/zk/workers";

const KEY = "zg receipt test key";
const OTHER_KEY = "another signer";

const RECEIPT: Receipt = {
  user: 0x70997970c51812dc3a010c7d01b50e0d17dc79c8n,
  provider: 0x3c44cdddb6a900fa2b585dd299e03d12fa4293bcn,
  nonce: 42n,
  fee: 1_000_000_000_000_000n,
  requestHash: 0x1234567890abcdefn,
};

const witnessFailure = witnessChecker(RECEIPT_ARTIFACTS_DIR, "receipt");

async function expectPass(input: ReceiptCircuitInput): Promise<void> {
  expect(await witnessFailure(input), "the circuit should accept this input").to.equal(null);
}

/** `where` names the template that must refuse it, so a test cannot pass by failing for another reason. */
async function expectFail(input: ReceiptCircuitInput, where: RegExp): Promise<void> {
  const failure = await witnessFailure(input);
  expect(failure, "the circuit should refuse this input").to.not.equal(null);
  expect(failure).to.match(where);
}

// Where each kind of failure is caught: the signature equation or a range check.
const BAD_SIGNATURE =
  /^Error: Assert Failed\. Error in template ForceEqualIfEnabled_\d+ line: \d+\nError in template EdDSAPoseidonVerifier_/;
const OUT_OF_RANGE =
  /^Error: Assert Failed\. Error in template Num2Bits_\d+ line: \d+\nError in template ReceiptMessage_/;

function signedInput(receipt: Receipt, key = KEY): ReceiptCircuitInput {
  return receiptCircuitInput(receipt, receiptPublicKey(key), signReceipt(key, receipt));
}

/** Signs without the library's range checks, to show the circuit itself refuses out-of-range values. */
function signedRawInput(receipt: Receipt, key = KEY): ReceiptCircuitInput {
  const message = poseidon5([receipt.user, receipt.provider, receipt.nonce, receipt.fee, receipt.requestHash]);
  const signature = signMessage(key, message);
  const [Ax, Ay] = receiptPublicKey(key);
  return { ...receipt, Ax, Ay, R8x: signature.R8[0], R8y: signature.R8[1], S: signature.S };
}

describe("[offchain] circuits/receipt SignedReceipt", function () {
  after(releaseSnarkjsWorkers);

  describe("accepts", function () {
    it("a receipt signed with @zk-kit/eddsa-poseidon", async function () {
      await expectPass(signedInput(RECEIPT));
    });

    it("a receipt signed with circomlibjs' signPoseidon", async function () {
      const eddsa = await buildEddsa();
      const F = eddsa.F as { e(value: bigint): Uint8Array; toObject(value: Uint8Array): bigint };
      const privateKey = Buffer.alloc(32, 7);
      const [Ax, Ay] = eddsa.prv2pub(privateKey).map((c) => F.toObject(c));
      const signature = eddsa.signPoseidon(privateKey, F.e(receiptMessage(RECEIPT)));
      const [R8x, R8y] = signature.R8.map((c) => F.toObject(c));
      await expectPass({ ...RECEIPT, Ax, Ay, R8x, R8y, S: signature.S });
    });

    it("the largest value of every range-checked field", async function () {
      await expectPass(
        signedInput({
          user: (1n << 160n) - 1n,
          provider: (1n << 160n) - 1n,
          nonce: (1n << 64n) - 1n,
          fee: (1n << 128n) - 1n,
          requestHash: SNARK_SCALAR_FIELD - 1n,
        }),
      );
    });

    it("zero values", async function () {
      await expectPass(signedInput({ user: 0n, provider: 0n, nonce: 0n, fee: 0n, requestHash: 0n }));
    });
  });

  describe("refuses", function () {
    it("a changed fee", async function () {
      await expectFail({ ...signedInput(RECEIPT), fee: RECEIPT.fee + 1n }, BAD_SIGNATURE);
    });

    it("a changed nonce", async function () {
      await expectFail({ ...signedInput(RECEIPT), nonce: RECEIPT.nonce + 1n }, BAD_SIGNATURE);
    });

    it("a changed user", async function () {
      await expectFail({ ...signedInput(RECEIPT), user: RECEIPT.provider }, BAD_SIGNATURE);
    });

    it("a changed provider or request hash", async function () {
      await expectFail({ ...signedInput(RECEIPT), provider: RECEIPT.user }, BAD_SIGNATURE);
      await expectFail({ ...signedInput(RECEIPT), requestHash: RECEIPT.requestHash + 1n }, BAD_SIGNATURE);
    });

    it("a different public key", async function () {
      const [Ax, Ay] = receiptPublicKey(OTHER_KEY);
      await expectFail({ ...signedInput(RECEIPT), Ax, Ay }, BAD_SIGNATURE);
    });

    it("an out-of-range fee (2^128), even when validly signed", async function () {
      await expectFail(signedRawInput({ ...RECEIPT, fee: 1n << 128n }), OUT_OF_RANGE);
    });

    it("an out-of-range nonce (2^64) or user (2^160), even when validly signed", async function () {
      await expectFail(signedRawInput({ ...RECEIPT, nonce: 1n << 64n }), OUT_OF_RANGE);
      await expectFail(signedRawInput({ ...RECEIPT, user: 1n << 160n }), OUT_OF_RANGE);
    });

    it("a public key or R8 that is not a curve point", async function () {
      const notOnCurve =
        /^Error: Assert Failed\. Error in template BabyCheck_\d+ line: \d+\nError in template SignedReceipt_/;
      await expectFail({ ...signedInput(RECEIPT), Ax: 1n, Ay: 2n }, notOnCurve);
      await expectFail({ ...signedInput(RECEIPT), R8x: 1n, R8y: 2n }, notOnCurve);
    });

    it("a malleated signature (S + subgroup order)", async function () {
      const input = signedInput(RECEIPT);
      // Line 51 of circomlib's eddsaposeidon.circom is its S < order check, which runs before the curve equation.
      await expectFail(
        { ...input, S: input.S + subOrder },
        /^Error: Assert Failed\. Error in template EdDSAPoseidonVerifier_\d+ line: 51\n/,
      );
    });

    it("a signature over another receipt", async function () {
      const other = signedInput({ ...RECEIPT, nonce: RECEIPT.nonce + 1n });
      await expectFail({ ...signedInput(RECEIPT), R8x: other.R8x, R8y: other.R8y, S: other.S }, BAD_SIGNATURE);
    });
  });
});

describe("[offchain] offchain/zk/receipt", function () {
  it("hashes the message as circomlibjs' Poseidon(5) does", async function () {
    const poseidon = await buildPoseidon();
    const F = poseidon.F as { toObject(value: Uint8Array): bigint };
    const expected = F.toObject(
      poseidon([RECEIPT.user, RECEIPT.provider, RECEIPT.nonce, RECEIPT.fee, RECEIPT.requestHash]),
    );
    expect(receiptMessage(RECEIPT)).to.equal(expected);
  });

  it("reads addresses as 0x-hex and amounts as decimal strings", function () {
    const receipt = toReceipt({
      user: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
      provider: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
      nonce: 42,
      fee: "1000000000000000",
      requestHash: "0x1234567890abcdef",
    });
    expect(receipt).to.deep.equal(RECEIPT);
  });

  it("refuses out-of-range values with the field's name", function () {
    const refused = (change: Partial<Record<keyof Receipt, bigint | number | string>>, message: RegExp) =>
      expect(() => toReceipt({ ...RECEIPT, ...change })).to.throw(ReceiptError, message);
    refused({ user: 1n << 160n }, /receipt\.user must be below 2\^160/);
    refused({ provider: -1n }, /receipt\.provider must not be negative/);
    refused({ nonce: 1n << 64n }, /receipt\.nonce must be below 2\^64/);
    refused({ fee: 1n << 128n }, /receipt\.fee must be below 2\^128/);
    refused({ requestHash: SNARK_SCALAR_FIELD }, /receipt\.requestHash must be below the BN254 scalar field/);
    refused({ fee: 1.5 }, /receipt\.fee is not a safe integer/);
    refused({ user: "0xzz" }, /receipt\.user is not a decimal or 0x-hex number/);
  });

  it("refuses a signature the circuit would refuse", function () {
    const signature = signReceipt(KEY, RECEIPT);
    const publicKey = receiptPublicKey(KEY);
    expect(() => receiptCircuitInput(RECEIPT, publicKey, { ...signature, S: signature.S + subOrder })).to.throw(
      ReceiptError,
      /signature\.S must be below the Baby Jubjub subgroup order/,
    );
    expect(() => receiptCircuitInput(RECEIPT, [1n, 2n], signature)).to.throw(ReceiptError, /not a Baby Jubjub point/);
  });
});
