// The compute probe's pure checks: a clean answer (the broker's shape, its bill binding this provider, this user,
// the exact request and the answer's text, charging tokens × registered prices) has no finding; a bill issued by
// another key, for another user or over another answer is COMPUTE_BAD_SIGNATURE; a fee above the prices is
// COMPUTE_OVERBILLING (below is not); another model is COMPUTE_WRONG_MODEL; and the report carries each finding with
// the hash of its evidence.
import { expect } from "chai";
import fc from "fast-check";
import { Wallet } from "ethers";
import { type Bill, billJson, computeFee, encodeBill, requestHash } from "../../offchain/compute/core";
import {
  checkExchange,
  probeEvidence,
  probeRequest,
  worstCaseProbeFee,
  PROBE_MAX_TOKENS,
  PROBE_PROMPT_TOKEN_BOUND,
  type ProbeExchange,
  type ProbeRecord,
  type ProbeRegistration,
} from "../../offchain/alignment/probe";
import { buildReport, hashJson } from "../../offchain/alignment/report";
import type { ServicesReport } from "../../offchain/market/discovery";
import { alignmentNodeOptionsSchema } from "../../offchain/alignment/node";

const PROVIDER = Wallet.createRandom().address;
const USER = Wallet.createRandom().address;
const OTHER = Wallet.createRandom().address;
const REG: ProbeRegistration = { provider: PROVIDER, model: "zg-tiny", inputPrice: 1000n, outputPrice: 3000n };

interface Answer {
  text?: string;
  model?: string;
  usage?: [number, number];
  bill?: Partial<Bill>;
  bodyBill?: Partial<Bill> | null;
  header?: string | null;
  reg?: ProbeRegistration;
}

/** An exchange as the broker answers it, with the bill computed honestly unless `a` overrides a part. */
function exchange(a: Answer = {}): ProbeExchange {
  const reg = a.reg ?? REG;
  const request = probeRequest(reg.model);
  const text = a.text ?? " Hello there";
  const [inputTokens, outputTokens] = a.usage ?? [12, 3];
  const bill: Bill = {
    user: USER,
    provider: reg.provider,
    nonce: 7n,
    fee: computeFee(inputTokens, outputTokens, reg),
    inputTokens,
    outputTokens,
    requestHash: requestHash(request, text, inputTokens, outputTokens),
    ...a.bill,
  };
  const body = {
    id: "chatcmpl-1",
    object: "chat.completion",
    created: 1,
    model: a.model ?? reg.model,
    choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop", logprobs: null }],
    usage: { prompt_tokens: inputTokens, completion_tokens: outputTokens, total_tokens: inputTokens + outputTokens },
    zg_bill: a.bodyBill === null ? undefined : billJson({ ...bill, ...a.bodyBill }),
  };
  return {
    request,
    status: 200,
    response: JSON.stringify(body),
    billHeader: a.header === undefined ? encodeBill(bill) : a.header,
  };
}

const kinds = (e: ProbeExchange, reg = REG) => checkExchange(e, reg, USER).findings.map((f) => f.kind);

describe("compute probe checks", () => {
  describe("probeRequest / worstCaseProbeFee", () => {
    it("asks the registered model for a few tokens, and bounds the fee by the prompt bound and max tokens", () => {
      const body = JSON.parse(probeRequest("m")) as { model: string; max_tokens: number; stream: boolean };
      expect(body).to.include({ model: "m", max_tokens: PROBE_MAX_TOKENS, stream: false });
      expect(worstCaseProbeFee(REG)).to.equal(
        BigInt(PROBE_PROMPT_TOKEN_BOUND) * REG.inputPrice + BigInt(PROBE_MAX_TOKENS) * REG.outputPrice,
      );
    });
  });

  describe("checkExchange", () => {
    it("finds nothing in an honest answer, and gives the fee the prices ask", () => {
      const verdict = checkExchange(exchange(), REG, USER);
      expect(verdict.findings).to.deep.equal([]);
      expect(verdict.expectedFee).to.equal(12n * 1000n + 3n * 3000n);
      expect(verdict.bill?.fee).to.equal(verdict.expectedFee);
    });

    it("reports a bill issued by another key than the registered provider's", () => {
      const [finding] = checkExchange(exchange({ bill: { provider: OTHER } }), REG, USER).findings;
      expect(finding.kind).to.equal("COMPUTE_BAD_SIGNATURE");
      expect(finding.reason).to.include(`issued by ${OTHER}`);
    });

    it("reports a bill for another user", () => {
      expect(kinds(exchange({ bill: { user: OTHER } }))).to.deep.equal(["COMPUTE_BAD_SIGNATURE"]);
    });

    it("reports a bill whose requestHash does not cover the answer received", () => {
      const honest = exchange();
      const tampered = { ...honest, response: honest.response.replace("Hello there", "Goodbye now") };
      const [finding] = checkExchange(tampered, REG, USER).findings;
      expect(finding.kind).to.equal("COMPUTE_BAD_SIGNATURE");
      expect(finding.reason).to.include("requestHash");
    });

    it("reports an answer with no bill, a malformed bill, or header and body bills that differ", () => {
      expect(kinds(exchange({ header: null }))).to.deep.equal(["COMPUTE_BAD_SIGNATURE"]);
      expect(kinds(exchange({ header: "not base64!" }))).to.deep.equal(["COMPUTE_BAD_SIGNATURE"]);
      expect(kinds(exchange({ bodyBill: { nonce: 8n } }))).to.deep.equal(["COMPUTE_BAD_SIGNATURE"]);
      expect(kinds({ ...exchange(), response: "<html>" })).to.deep.equal(["COMPUTE_BAD_SIGNATURE"]);
    });

    it("reports a fee above tokens × prices as overbilling, and not one below", () => {
      const fee = computeFee(12, 3, REG);
      const over = checkExchange(exchange({ bill: { fee: fee + 1n }, bodyBill: { fee: fee + 1n } }), REG, USER);
      expect(over.findings.map((f) => f.kind)).to.deep.equal(["COMPUTE_OVERBILLING"]);
      expect(over.findings[0].reason)
        .to.include(`charges ${fee + 1n} wei`)
        .and.include(`give ${fee} wei`);
      expect(kinds(exchange({ bill: { fee: fee - 1n }, bodyBill: { fee: fee - 1n } }))).to.deep.equal([]);
    });

    it("reports a bill counting more tokens than the answer's usage as overbilling", () => {
      const honest = exchange();
      const body = JSON.parse(honest.response) as { usage: { completion_tokens: number } };
      body.usage.completion_tokens = 1;
      expect(kinds({ ...honest, response: JSON.stringify(body) })).to.deep.equal(["COMPUTE_OVERBILLING"]);
    });

    it("reports an answer naming another model than the registered one", () => {
      const [finding] = checkExchange(exchange({ model: "zg-small" }), REG, USER).findings;
      expect(finding).to.deep.equal({
        kind: "COMPUTE_WRONG_MODEL",
        reason: 'answered as "zg-small", registered "zg-tiny"',
      });
    });

    it("finds nothing in a refused request (the node records it as a failed probe)", () => {
      expect(kinds({ ...exchange({ header: null }), status: 402 })).to.deep.equal([]);
    });

    it("finds nothing in any honest answer, overbilling for any fee above the prices (property)", () => {
      fc.assert(
        fc.property(
          fc.bigInt({ min: 0n, max: 10n ** 12n }),
          fc.bigInt({ min: 0n, max: 10n ** 12n }),
          fc.nat(4096),
          fc.nat(4096),
          fc.string(),
          fc.bigInt({ min: 1n, max: 10n ** 18n }),
          (inputPrice, outputPrice, input, output, text, extra) => {
            const reg = { ...REG, inputPrice, outputPrice };
            expect(kinds(exchange({ reg, usage: [input, output], text }), reg)).to.deep.equal([]);
            const fee = computeFee(input, output, reg) + extra;
            const over = exchange({ reg, usage: [input, output], text, bill: { fee }, bodyBill: { fee } });
            expect(kinds(over, reg)).to.deep.equal(["COMPUTE_OVERBILLING"]);
          },
        ),
        { numRuns: 100 },
      );
    });

    it("reports any change of the answer's text after billing as a bad signature (property)", () => {
      fc.assert(
        fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (text, other) => {
          fc.pre(text !== other);
          const honest = exchange({ text });
          const body = JSON.parse(honest.response) as { choices: { message: { content: string } }[] };
          body.choices[0].message.content = other;
          expect(kinds({ ...honest, response: JSON.stringify(body) })).to.deep.equal(["COMPUTE_BAD_SIGNATURE"]);
        }),
        { numRuns: 100 },
      );
    });
  });

  describe("buildReport with probes", () => {
    const service = {
      provider: PROVIDER,
      model: "zg-tiny",
      url: "http://p",
      inputPrice: "1000",
      outputPrice: "3000",
      verifiability: "zk" as const,
      teeSigner: null,
      teeSignerAcknowledged: null,
      health: { state: "up" as const, latencyMs: 1 },
      servedModel: "zg-tiny",
      settlementMode: "zk",
      modelMatches: true,
    };
    const sampled: ServicesReport = {
      chainId: 31337,
      block: 9,
      compute: [service],
      storage: [],
      da: { registry: OTHER, epoch: "0", quorums: [] },
    };
    const record = (e: ProbeExchange): ProbeRecord => {
      const { findings } = checkExchange(e, REG, USER);
      return {
        provider: PROVIDER,
        url: "http://p",
        registered: { model: "zg-tiny", inputPrice: "1000", outputPrice: "3000" },
        outcome: findings.length ? "fault" : "ok",
        exchange: e,
        findings,
        fee: "1",
        paid: findings.length === 0,
      };
    };

    it("adds one check per probe and one fault per finding, its evidence hash covering request, answer and bill", () => {
      const bad = record(exchange({ bill: { provider: OTHER, fee: 10n ** 9n }, bodyBill: null }));
      const { report, json } = buildReport(sampled, 4n, 2n, { user: USER, records: [bad] });
      expect(report.checked).to.equal(2);
      expect(report.failures).to.equal(1);
      expect(report.checks[1]).to.include({ service: "compute-probe", ok: false, kind: "COMPUTE_BAD_SIGNATURE" });
      expect(report.faults.map((f) => f.kind)).to.deep.equal(["COMPUTE_BAD_SIGNATURE", "COMPUTE_OVERBILLING"]);
      const ctx = { chainId: 31337, epoch: 4n, licenseId: 2n, user: USER };
      for (const [i, fault] of report.faults.entries()) {
        expect(fault.evidence).to.deep.equal(probeEvidence(bad, bad.findings[i], ctx));
        expect(fault.evidenceHash).to.equal(hashJson(fault.evidence));
        expect(fault.evidence).to.include({ request: bad.exchange!.request, bill: bad.exchange!.billHeader });
      }
      expect(json).to.include('"probes":');
    });

    it("reports a wrong model once per provider when both the status check and the probe see it", () => {
      const wrong = { ...sampled, compute: [{ ...service, servedModel: "x", modelMatches: false }] };
      const probe = record(exchange({ model: "x" }));
      const { report } = buildReport(wrong, 4n, 2n, { user: USER, records: [probe] });
      expect(report.faults.map((f) => f.kind)).to.deep.equal(["COMPUTE_WRONG_MODEL"]);
      expect(report.faults[0].evidence).to.not.have.property("request");
    });

    it("leaves a report without probes as before (no probes key, no extra check)", () => {
      const { report, json } = buildReport(sampled, 4n, 2n);
      expect(report.checked).to.equal(1);
      expect(json).to.not.include("probes");
    });
  });

  describe("alignmentNodeOptionsSchema (probe)", () => {
    const parse = (probe: unknown) => alignmentNodeOptionsSchema.safeParse({ licenseId: 1, probe });

    it("defaults to probing only with a funded ledger, a 10^16 wei cap and a 30 s request limit", () => {
      const { probe } = alignmentNodeOptionsSchema.parse({ licenseId: 1 });
      expect(probe).to.deep.equal({ maxFeePerEpoch: 10n ** 16n, timeoutMs: 30_000, downAfter: 3 });
      expect(parse({ compute: "false", maxFeePerEpoch: "5" }).data?.probe).to.include({
        compute: false,
        maxFeePerEpoch: 5n,
      });
    });

    it("refuses a negative or fractional cap, a non-positive timeout and unknown keys, naming the key", () => {
      for (const [probe, key] of [
        [{ maxFeePerEpoch: "-1" }, "maxFeePerEpoch"],
        [{ maxFeePerEpoch: 1.5 }, "maxFeePerEpoch"],
        [{ timeoutMs: 0 }, "timeoutMs"],
        [{ compute: "maybe" }, "compute"],
        [{ maxFee: "1" }, ""],
      ] as const) {
        const parsed = parse(probe);
        expect(parsed.success, JSON.stringify(probe)).to.equal(false);
        expect(parsed.error!.issues[0].path.join(".")).to.match(new RegExp(`^probe${key ? `\\.${key}` : ""}`));
      }
    });
  });
});
