// The alignment node's pure report: canonical JSON (same bytes whatever the key order), the root as keccak256 of
// those bytes, one check per sampled service, failures counted with their kinds, and a fault with its evidence hash
// only for a provider that answers with another model than it registered.
import { expect } from "chai";
import fc from "fast-check";
import { keccak256, toUtf8Bytes } from "ethers";
import { buildReport, canonicalJson, checksOf, faultsOf, hashJson } from "../../offchain/alignment/report";
import type { ComputeServiceRecord, Health, ServicesReport, StorageNodeRecord } from "../../offchain/market/discovery";

const up: Health = { state: "up", latencyMs: 3 };
const down: Health = { state: "down", latencyMs: 3000, reason: "no answer within 3000 ms" };

function compute(i: number, health: Health, served: string | null, model = "m"): ComputeServiceRecord {
  return {
    provider: `0x${(i + 1).toString(16).padStart(40, "0")}`,
    model,
    url: `http://p${i}`,
    inputPrice: "1",
    outputPrice: "2",
    verifiability: "zk",
    teeSigner: null,
    teeSignerAcknowledged: null,
    health,
    servedModel: health.state === "up" ? served : null,
    settlementMode: null,
    modelMatches: health.state === "up" && served !== null ? served === model : null,
  };
}

function storage(i: number, health: Health): StorageNodeRecord {
  const n = health.state === "up" ? 1 : null;
  return {
    url: `http://s${i}`,
    health,
    shardId: n,
    numShard: n,
    syncedHeight: n,
    lagBlocks: n,
    freeBytes: n,
    flowLength: n,
  };
}

function sample(c: ComputeServiceRecord[], s: StorageNodeRecord[], daHealth: Health[]): ServicesReport {
  return {
    chainId: 31337,
    block: 42,
    compute: c,
    storage: s,
    da: {
      registry: "0x00000000000000000000000000000000000000da",
      epoch: "3",
      quorums: [
        {
          quorumId: 0,
          size: daHealth.length,
          snapshotted: true,
          members: daHealth.map((health, index) => ({
            address: `0x${(index + 100).toString(16).padStart(40, "0")}`,
            index,
            url: `http://d${index}`,
            weight: "1",
            totalWeight: String(daHealth.length),
            stake: "1",
            health,
          })),
        },
      ],
    },
  };
}

describe("alignment report", () => {
  describe("canonicalJson", () => {
    it("gives the same bytes whatever the key order, and drops undefined keys", () => {
      expect(canonicalJson({ b: 1, a: { d: [1, "x"], c: null }, u: undefined })).to.equal(
        canonicalJson({ a: { c: null, d: [1, "x"] }, b: 1 }),
      );
      expect(canonicalJson({ b: 1, a: true })).to.equal('{"a":true,"b":1}');
    });

    it("refuses values JSON cannot carry faithfully", () => {
      expect(() => canonicalJson({ a: 1n })).to.throw(TypeError);
      expect(() => canonicalJson([Number.NaN])).to.throw(TypeError);
      expect(() => canonicalJson({ a: Infinity })).to.throw(TypeError);
    });

    it("round-trips any JSON value and ignores key order (property)", () => {
      fc.assert(
        fc.property(fc.jsonValue(), (value) => {
          const text = canonicalJson(value);
          const reparsed: unknown = JSON.parse(text);
          expect(canonicalJson(reparsed)).to.equal(text);
          // Rebuilding every object with its keys reversed gives the same bytes.
          const reverse = (v: unknown): unknown =>
            Array.isArray(v)
              ? v.map(reverse)
              : v !== null && typeof v === "object"
                ? Object.fromEntries(
                    Object.entries(v)
                      .reverse()
                      .map(([k, x]) => [k, reverse(x)]),
                  )
                : v;
          expect(canonicalJson(reverse(reparsed))).to.equal(text);
        }),
      );
    });
  });

  describe("checksOf", () => {
    it("checks each compute provider, storage node and DA member once, with the kind of each failure", () => {
      const checks = checksOf(
        sample(
          [compute(0, up, "m"), compute(1, up, "other"), compute(2, down, null)],
          [storage(0, up), storage(1, down)],
          [up, down],
        ),
      );
      expect(checks.map((c) => [c.service, c.ok, c.kind ?? null])).to.deep.equal([
        ["compute", true, null],
        ["compute", false, "COMPUTE_WRONG_MODEL"],
        ["compute", false, "COMPUTE_DOWN"],
        ["storage", true, null],
        ["storage", false, "STORAGE_DOWN"],
        ["da", true, null],
        ["da", false, "DA_DOWN"],
      ]);
      expect(checks[1].reason).to.equal('serves "other", registered "m"');
    });
  });

  describe("faultsOf", () => {
    it("names only providers that answer with another model, with the hash of their evidence", () => {
      const sampled = sample([compute(0, up, "m"), compute(1, up, "other"), compute(2, down, null)], [], []);
      const faults = faultsOf(sampled, 7n, 1n);
      expect(faults).to.have.length(1);
      expect(faults[0].service).to.equal(sampled.compute[1].provider);
      expect(faults[0].kind).to.equal("COMPUTE_WRONG_MODEL");
      expect(faults[0].evidence).to.include({ servedModel: "other", registeredModel: "m", epoch: "7", licenseId: "1" });
      expect(faults[0].evidenceHash).to.equal(keccak256(toUtf8Bytes(canonicalJson(faults[0].evidence))));
      expect(faults[0].evidenceHash).to.equal(hashJson(faults[0].evidence));
      // Another license's evidence of the same fault hashes differently.
      expect(faultsOf(sampled, 7n, 2n)[0].evidenceHash).to.not.equal(faults[0].evidenceHash);
    });
  });

  describe("buildReport", () => {
    it("counts failures ≤ checks and commits to its exact bytes (property)", () => {
      const healthArb = fc.constantFrom(up, down);
      fc.assert(
        fc.property(
          fc.array(fc.tuple(healthArb, fc.constantFrom("m", "other")), { maxLength: 6 }),
          fc.array(healthArb, { maxLength: 4 }),
          fc.array(healthArb, { maxLength: 4 }),
          fc.bigInt({ min: 0n, max: 2n ** 64n }),
          (c, s, d, epoch) => {
            const sampled = sample(
              c.map(([h, served], i) => compute(i, h, served)),
              s.map((h, i) => storage(i, h)),
              d,
            );
            const built = buildReport(sampled, epoch, 3n);
            const { report } = built;
            expect(report.checked).to.equal(c.length + s.length + d.length);
            const expectedFailures =
              c.filter(([h, served]) => h.state === "down" || served !== "m").length +
              s.filter((h) => h.state === "down").length +
              d.filter((h) => h.state === "down").length;
            expect(report.failures).to.equal(expectedFailures);
            expect(report.failures).to.be.at.most(report.checked);
            expect(report.faults).to.have.length(c.filter(([h, served]) => h.state === "up" && served !== "m").length);
            expect(built.root).to.equal(keccak256(toUtf8Bytes(built.json)));
            expect(built.json).to.equal(canonicalJson(JSON.parse(built.json)));
            expect(report.epoch).to.equal(epoch.toString());
          },
        ),
      );
    });
  });
});
