// Witness tests for circuits/settlement against the committed wasm and r1cs: what SettleBatch(N) accepts and
// refuses, and that padding can move neither lastNonce nor total. Plus the input builder's refusals.
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import fc from "fast-check";
import { signMessage } from "@zk-kit/eddsa-poseidon";
import { mulPointEscalar, Base8 } from "@zk-kit/baby-jubjub";
import { poseidon5 } from "poseidon-lite/poseidon5";
import { witnessChecker } from "../helpers/witness";
import { REPO_ROOT } from "../../scripts/circuits/lib";
import { receiptPublicKey, SNARK_SCALAR_FIELD } from "../../offchain/zk/receipt";
import {
  SETTLEMENT_ARTIFACTS_DIR,
  SETTLEMENT_BATCH_SIZE,
  type SettlementCircuitInput,
  settlementCircuitInput,
  SettlementError,
  type SettlementReceipt,
  type SettlementRequest,
  splitSettlements,
} from "../../offchain/zk/settlement";
import { releaseSnarkjsWorkers } from "../../offchain/zk/workers";

const N = SETTLEMENT_BATCH_SIZE;
const KEY = "zg settlement test key";
const USER = 0x70997970c51812dc3a010c7d01b50e0d17dc79c8n;
const PROVIDER = 0x3c44cdddb6a900fa2b585dd299e03d12fa4293bcn;
const PREV = 10n;

type Bill = { user: bigint; provider: bigint; nonce: bigint; fee: bigint; requestHash: bigint };

/** Signs without range checks, so the circuit itself can be shown to refuse out-of-range values. */
function sign(bill: Bill, key = KEY): SettlementReceipt & { nonce: bigint; fee: bigint; requestHash: bigint } {
  const message = poseidon5([bill.user, bill.provider, bill.nonce, bill.fee, bill.requestHash]);
  const { R8, S } = signMessage(key, message);
  return { nonce: bill.nonce, fee: bill.fee, requestHash: bill.requestHash, R8x: R8[0], R8y: R8[1], S };
}

function receiptsFor(nonces: bigint[], change: Partial<Bill> = {}, key = KEY) {
  return nonces.map((nonce, i) =>
    sign(
      { user: USER, provider: PROVIDER, nonce, fee: 1000n * (nonce + 1n), requestHash: 77n + BigInt(i), ...change },
      key,
    ),
  );
}

function request(nonces: bigint[], prevNonce = PREV): SettlementRequest {
  return { user: USER, provider: PROVIDER, publicKey: receiptPublicKey(KEY), prevNonce, receipts: receiptsFor(nonces) };
}

/** The circuit input without the builder's checks: active prefix, padding of zeros and R8 = (0, 1). */
function rawInput(receipts: ReturnType<typeof sign>[], prevNonce = PREV, key = KEY): SettlementCircuitInput {
  const [Ax, Ay] = receiptPublicKey(key);
  const pad = <T>(values: T[], fill: T): T[] => [...values, ...Array<T>(N - values.length).fill(fill)];
  return {
    user: USER,
    provider: PROVIDER,
    Ax,
    Ay,
    prevNonce,
    lastNonce: receipts[receipts.length - 1].nonce,
    total: receipts.reduce((sum, r) => sum + r.fee, 0n),
    active: pad(
      receipts.map(() => 1n),
      0n,
    ),
    nonce: pad(
      receipts.map((r) => r.nonce),
      0n,
    ),
    fee: pad(
      receipts.map((r) => r.fee),
      0n,
    ),
    requestHash: pad(
      receipts.map((r) => r.requestHash),
      0n,
    ),
    R8x: pad(
      receipts.map((r) => BigInt(r.R8x)),
      0n,
    ),
    R8y: pad(
      receipts.map((r) => BigInt(r.R8y)),
      1n,
    ),
    S: pad(
      receipts.map((r) => BigInt(r.S)),
      0n,
    ),
  };
}

const witnessFailure = witnessChecker(SETTLEMENT_ARTIFACTS_DIR, "settlement");

async function expectPass(input: SettlementCircuitInput): Promise<void> {
  expect(await witnessFailure(input), "the circuit should accept this input").to.equal(null);
}

/** `where` names the template that must refuse it, so a test cannot pass by failing for another reason. */
async function expectFail(input: SettlementCircuitInput, where: RegExp): Promise<void> {
  const failure = await witnessFailure(input);
  expect(failure, "the circuit should refuse this input").to.not.equal(null);
  expect(failure).to.match(where);
}

const BAD_SIGNATURE =
  /^Error: Assert Failed\. Error in template ForceEqualIfEnabled_\d+ line: \d+\nError in template EdDSAPoseidonVerifier_/;
const OUT_OF_RANGE =
  /^Error: Assert Failed\. Error in template Num2Bits_\d+ line: \d+\nError in template ReceiptMessage_/;
// The batch template's own constraints, each named by the line of settlement.circom that states it, so a test
// cannot pass by tripping another rule.
const SOURCE = fs.readFileSync(path.join(REPO_ROOT, "circuits", "settlement", "settlement.circom"), "utf8").split("\n");
function rule(statement: string): RegExp {
  const line = SOURCE.findIndex((l) => l.trim() === statement) + 1;
  if (line === 0) throw new Error(`settlement.circom no longer states ${statement}`);
  return new RegExp(`^Error: Assert Failed\\. Error in template SettleBatch_\\d+ line: ${line}\\n`);
}
const FIRST_ACTIVE = rule("active[0] === 1;");
const BOOLEAN = rule("active[i] * (1 - active[i]) === 0;");
const PREFIX = rule("active[i] * (1 - active[i - 1]) === 0;");
const INCREASING = rule("active[i] * (1 - increasing[i].out) === 0;");
const LAST_NONCE = rule("lastNonce === lastSum;");
const TOTAL = rule("total === feeSum;");

const with_ = (input: SettlementCircuitInput, index: number, field: keyof SettlementCircuitInput, value: bigint) => {
  const copy = structuredClone(input);
  (copy[field] as bigint[])[index] = value;
  return copy;
};

describe("[offchain] circuits/settlement SettleBatch", function () {
  after(releaseSnarkjsWorkers);

  it(`is built for N = ${N}`, function () {
    expect(N).to.equal(4);
  });

  describe("accepts", function () {
    for (let count = 1; count <= N; count++) {
      it(`a valid batch of ${count} receipt${count > 1 ? "s" : ""}`, async function () {
        const nonces = Array.from({ length: count }, (_, i) => PREV + 1n + 3n * BigInt(i));
        await expectPass(settlementCircuitInput(request(nonces)));
      });
    }

    it("the largest nonce and fee, and prevNonce 0", async function () {
      const receipts = [
        sign({
          user: USER,
          provider: PROVIDER,
          nonce: (1n << 64n) - 1n,
          fee: (1n << 128n) - 1n,
          requestHash: SNARK_SCALAR_FIELD - 1n,
        }),
      ];
      await expectPass(rawInput(receipts, 0n));
    });
  });

  describe("padding", function () {
    const base = () => rawInput(receiptsFor([11n, 12n]));

    it("with arbitrary in-range values leaves lastNonce and total as the active entries make them", async function () {
      const input = base();
      const [rx, ry] = mulPointEscalar(Base8, 12345n);
      for (const i of [2, 3]) {
        input.nonce[i] = (1n << 64n) - 1n - BigInt(i);
        input.fee[i] = (1n << 128n) - 1n;
        input.requestHash[i] = SNARK_SCALAR_FIELD - 1n;
        input.R8x[i] = i === 2 ? rx : 5n;
        input.R8y[i] = i === 2 ? ry : 7n;
        input.S[i] = (1n << 253n) - 1n;
      }
      input.nonce[3] = 3n; // below the active nonces: padding is not ordered
      await expectPass(input);
    });

    it("never moves lastNonce or total, for any prefix length and any in-range padding (property)", async function () {
      const signed = receiptsFor([11n, 12n, 13n]);
      const paddingEntry = fc.record({
        nonce: fc.bigInt(0n, (1n << 64n) - 1n),
        fee: fc.bigInt(0n, (1n << 128n) - 1n),
        requestHash: fc.bigInt(0n, SNARK_SCALAR_FIELD - 1n),
        // A curve point or two arbitrary field elements: padding's R8 is never checked.
        R8: fc.oneof(
          fc.bigInt(1n, 1n << 64n).map((k) => mulPointEscalar(Base8, k)),
          fc.tuple(fc.bigInt(0n, SNARK_SCALAR_FIELD - 1n), fc.bigInt(0n, SNARK_SCALAR_FIELD - 1n)),
        ),
        S: fc.bigInt(0n, (1n << 253n) - 1n),
      });
      const batch = fc
        .integer({ min: 1, max: N - 1 })
        .chain((active) =>
          fc.tuple(fc.constant(active), fc.array(paddingEntry, { minLength: N - active, maxLength: N - active })),
        );
      await fc.assert(
        fc.asyncProperty(batch, async ([active, padding]) => {
          const input = rawInput(signed.slice(0, active));
          padding.forEach((entry, j) => {
            const i = active + j;
            input.nonce[i] = entry.nonce;
            input.fee[i] = entry.fee;
            input.requestHash[i] = entry.requestHash;
            [input.R8x[i], input.R8y[i]] = entry.R8;
            input.S[i] = entry.S;
          });
          await expectPass(input);
          const claimed = padding[0];
          if (claimed.nonce !== input.lastNonce) await expectFail({ ...input, lastNonce: claimed.nonce }, LAST_NONCE);
          if (claimed.fee !== 0n) await expectFail({ ...input, total: input.total + claimed.fee }, TOTAL);
        }),
        { numRuns: 8 },
      );
    });

    it("cannot claim a padding entry's nonce as lastNonce", async function () {
      const input = with_(base(), 3, "nonce", 99n);
      await expectFail({ ...input, lastNonce: 99n }, LAST_NONCE);
    });

    it("cannot add a padding entry's fee to total", async function () {
      const input = with_(base(), 2, "fee", 5n);
      await expectFail({ ...input, total: input.total + 5n }, TOTAL);
    });

    it("refuses an out-of-range padding nonce or fee rather than compare it", async function () {
      await expectFail(with_(base(), 2, "nonce", 1n << 64n), OUT_OF_RANGE);
      await expectFail(with_(base(), 3, "fee", SNARK_SCALAR_FIELD - 1n), OUT_OF_RANGE);
    });

    it("refuses active flags that are not a non-empty prefix of ones", async function () {
      const input = base();
      await expectFail(with_(input, 2, "active", 1n), BAD_SIGNATURE); // an unsigned entry made active
      await expectFail({ ...with_(with_(input, 1, "active", 0n), 2, "active", 1n), lastNonce: 11n }, PREFIX);
      await expectFail(
        { ...with_(with_(input, 0, "active", 0n), 1, "active", 0n), lastNonce: 0n, total: 0n },
        FIRST_ACTIVE,
      );
      await expectFail(with_(input, 3, "active", 2n), BOOLEAN);
    });
  });

  describe("refuses", function () {
    it("nonces that do not strictly increase", async function () {
      await expectFail(rawInput(receiptsFor([12n, 12n])), INCREASING);
      await expectFail(rawInput(receiptsFor([13n, 12n])), INCREASING);
    });

    it("a first nonce not above prevNonce", async function () {
      await expectFail(rawInput(receiptsFor([PREV])), INCREASING);
      await expectFail(rawInput(receiptsFor([PREV - 1n, PREV + 1n])), INCREASING);
    });

    it("a forged signature", async function () {
      const input = rawInput(receiptsFor([11n, 12n]));
      await expectFail(with_(input, 1, "S", input.S[1] + 1n), BAD_SIGNATURE);
      await expectFail(rawInput(receiptsFor([11n]), PREV, "someone else"), BAD_SIGNATURE);
      const other = receiptsFor([11n], {}, "someone else");
      await expectFail(rawInput(other), BAD_SIGNATURE);
    });

    it("a receipt for another user or provider", async function () {
      await expectFail(rawInput(receiptsFor([11n], { user: USER + 1n })), BAD_SIGNATURE);
      await expectFail(rawInput(receiptsFor([11n], { provider: USER })), BAD_SIGNATURE);
    });

    it("a changed fee, or a lastNonce or total that is not the batch's", async function () {
      const input = rawInput(receiptsFor([11n, 12n]));
      await expectFail(with_(input, 0, "fee", input.fee[0] + 1n), BAD_SIGNATURE);
      await expectFail({ ...input, lastNonce: 11n }, LAST_NONCE);
      await expectFail({ ...input, total: input.total - 1n }, TOTAL);
    });

    it("a fee or nonce out of range, even when validly signed", async function () {
      await expectFail(rawInput(receiptsFor([11n], { fee: 1n << 128n })), OUT_OF_RANGE);
      await expectFail(
        rawInput([sign({ user: USER, provider: PROVIDER, nonce: 1n << 64n, fee: 1n, requestHash: 1n })]),
        OUT_OF_RANGE,
      );
    });

    it("a prevNonce of 2^64 or more (which would break the comparison)", async function () {
      await expectFail(
        rawInput(receiptsFor([11n]), 1n << 64n),
        /Error in template Num2Bits_\d+ line: \d+\nError in template SettleBatch_/,
      );
    });
  });
});

describe("[offchain] offchain/zk/settlement settlementCircuitInput", function () {
  it("pads to N with inactive entries and sums the fees", function () {
    const input = settlementCircuitInput(request([11n, 15n]));
    expect(input.active).to.deep.equal([1n, 1n, 0n, 0n]);
    expect(input.lastNonce).to.equal(15n);
    expect(input.total).to.equal(12000n + 16000n);
  });

  it("refuses no receipts, or more than N", function () {
    expect(() => settlementCircuitInput(request([]))).to.throw(SettlementError, /at least one receipt/);
    const many = Array.from({ length: N + 1 }, (_, i) => PREV + 1n + BigInt(i));
    expect(() => settlementCircuitInput(request(many))).to.throw(SettlementError, /do not fit one proof of 4/);
  });

  it("refuses nonces that do not increase or are not above prevNonce", function () {
    expect(() => settlementCircuitInput(request([12n, 12n]))).to.throw(
      SettlementError,
      /receipt 1: nonce 12 is not above the nonce before it \(12\)/,
    );
    expect(() => settlementCircuitInput(request([PREV]))).to.throw(
      SettlementError,
      /receipt 0: nonce 10 is not above prevNonce 10/,
    );
  });

  it("refuses a bad signature, naming the receipt", function () {
    const req = request([11n, 12n]);
    req.receipts[1] = { ...req.receipts[1], fee: 1n };
    expect(() => settlementCircuitInput(req)).to.throw(
      SettlementError,
      /receipt 1 \(nonce 12\): the signature does not verify/,
    );
    const other = { ...request([11n]), user: USER + 1n };
    expect(() => settlementCircuitInput(other)).to.throw(SettlementError, /the signature does not verify/);
  });

  it("refuses out-of-range values with the field's name", function () {
    const req = { ...request([11n]), receipts: receiptsFor([11n], { fee: 1n << 128n }) };
    expect(() => settlementCircuitInput(req)).to.throw(
      SettlementError,
      /receipt 0 \(nonce 11\): receipt\.fee must be below 2\^128/,
    );
    expect(() => settlementCircuitInput(request([11n], 1n << 64n))).to.throw(
      SettlementError,
      /prevNonce must be a uint64/,
    );
  });

  it("splits receipts into chained settlements of at most N", function () {
    const nonces = Array.from({ length: 9 }, (_, i) => PREV + 1n + BigInt(i));
    const parts = splitSettlements(request(nonces));
    expect(parts.map((p) => p.receipts.length)).to.deep.equal([4, 4, 1]);
    expect(parts.map((p) => BigInt(p.prevNonce))).to.deep.equal([PREV, 14n, 18n]);
    for (const part of parts) expect(() => settlementCircuitInput(part)).to.not.throw();
  });
});
