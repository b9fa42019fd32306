// The down rule for storage nodes and DA members, pure: a service is down (and reported) only when it failed every
// one of `downAfter` tries; a storage node's address is derived from its URL's origin; the retry interval fits the
// epoch; the report carries the tries and the fault's evidence hash covers them.
import { expect } from "chai";
import fc from "fast-check";
import { artifacts } from "hardhat";
import { dataSlice, getAddress, Interface, keccak256, toUtf8Bytes } from "ethers";
import { REWARDS_ABI, targetName } from "../../offchain/alignment/chain";
import { alignmentNodeOptionsSchema } from "../../offchain/alignment/node";
import {
  downRecords,
  firstTries,
  isDown,
  needsRetry,
  retryIntervalMs,
  storageNodeAddress,
  type EpochInfra,
  type InfraRecord,
  type InfraTry,
} from "../../offchain/alignment/infra";
import { buildReport, hashJson } from "../../offchain/alignment/report";
import type { Health, ServicesReport } from "../../offchain/market/discovery";

const ok = (i = 0): InfraTry => ({ at: new Date(1_700_000_000_000 + i * 1000).toISOString(), ok: true, latencyMs: 2 });
const failed = (i = 0, error = "no answer within 3000 ms"): InfraTry => ({ ...ok(i), ok: false, error });
const up: Health = { state: "up", latencyMs: 1 };
const down: Health = { state: "down", latencyMs: 3000, reason: "connect ECONNREFUSED 127.0.0.1:1" };
const SIGNER = "0x00000000000000000000000000000000000000d1";

function sample(storage: Health[], da: Health[]): ServicesReport {
  return {
    chainId: 31337,
    block: 9,
    compute: [],
    storage: storage.map((health, i) => ({
      url: `http://s${i}.test:5678`,
      health,
      shardId: null,
      numShard: null,
      syncedHeight: null,
      lagBlocks: null,
      freeBytes: null,
      flowLength: null,
    })),
    da: {
      registry: "0x00000000000000000000000000000000000000da",
      epoch: "1",
      quorums: [
        {
          quorumId: 0,
          size: da.length,
          snapshotted: true,
          members: da.map((health, index) => ({
            address: `0x${(0xd1 + index).toString(16).padStart(40, "0")}`,
            index,
            url: `http://d${index}.test`,
            weight: "1",
            totalWeight: "1",
            stake: "1",
            health,
          })),
        },
      ],
    },
  };
}

describe("alignment infra (down rule)", () => {
  describe("storageNodeAddress", () => {
    it("is the last 20 bytes of keccak256 of the URL's origin, checksummed", () => {
      const expected = getAddress(dataSlice(keccak256(toUtf8Bytes("http://node.example:5678")), 12));
      expect(storageNodeAddress("http://node.example:5678")).to.equal(expected);
    });

    it("ignores path, query, trailing slash and host case, but not scheme, host or port", () => {
      const a = storageNodeAddress("http://Node.Example:5678");
      expect(storageNodeAddress("http://node.example:5678/")).to.equal(a);
      expect(storageNodeAddress("http://node.example:5678/rpc?x=1")).to.equal(a);
      expect(storageNodeAddress("http://node.example:5679")).to.not.equal(a);
      expect(storageNodeAddress("https://node.example:5678")).to.not.equal(a);
      expect(storageNodeAddress("http://other.example:5678")).to.not.equal(a);
    });

    it("refuses what is not a URL", () => {
      expect(() => storageNodeAddress("no scheme, no host")).to.throw(TypeError);
    });
  });

  describe("isDown", () => {
    it("needs downAfter tries, every one failed", () => {
      expect(isDown([failed(0), failed(1), failed(2)], 3)).to.equal(true);
      expect(isDown([failed(0), failed(1)], 3)).to.equal(false);
      expect(isDown([failed(0), ok(1), failed(2)], 3)).to.equal(false);
      expect(isDown([], 2)).to.equal(false);
    });

    it("never calls a service down when one try among its tries answered (property)", () => {
      fc.assert(
        fc.property(
          fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }),
          fc.nat(),
          fc.integer({ min: 2, max: 10 }),
          (outcomes, at, downAfter) => {
            const tries = outcomes.map((o, i) => (o ? ok(i) : failed(i)));
            tries[at % tries.length] = ok(at); // at least one success
            expect(isDown(tries, downAfter)).to.equal(false);
            const infra: EpochInfra = {
              downAfter,
              records: [{ kind: "DA_DOWN", service: SIGNER, url: "http://d", signer: SIGNER, tries }],
            };
            expect(downRecords(infra)).to.deep.equal([]);
            expect(buildReport(sample([], []), 1n, 1n, undefined, infra).report.faults).to.deep.equal([]);
          },
        ),
      );
    });

    it("calls a service down exactly when it failed at least downAfter tries and answered none (property)", () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 2, max: 10 }), (n, downAfter) => {
          const tries = Array.from({ length: n }, (_, i) => failed(i));
          expect(isDown(tries, downAfter)).to.equal(n >= downAfter);
          expect(needsRetry(tries, downAfter)).to.equal(n > 0 && n < downAfter);
        }),
      );
    });
  });

  describe("needsRetry", () => {
    it("retries only a service that has failed every try so far, until downAfter tries", () => {
      expect(needsRetry([failed(0)], 3)).to.equal(true);
      expect(needsRetry([failed(0), ok(1)], 3)).to.equal(false);
      expect(needsRetry([ok(0)], 3)).to.equal(false);
      expect(needsRetry([failed(0), failed(1), failed(2)], 3)).to.equal(false);
    });
  });

  describe("retryIntervalMs", () => {
    it("spreads the tries over the first half of a whole epoch by default", () => {
      expect(retryIntervalMs(3, 600, 600)).to.equal(150_000);
      expect(retryIntervalMs(2, 600, 600)).to.equal(300_000);
    });

    it("takes a shorter preferred interval, and never runs the last try past half of what is left", () => {
      expect(retryIntervalMs(3, 600, 600, 100)).to.equal(100);
      expect(retryIntervalMs(3, 600, 60)).to.equal(15_000);
      expect(retryIntervalMs(3, 600, 60, 10_000_000)).to.equal(15_000);
      expect(retryIntervalMs(3, 600, -5)).to.equal(0);
    });

    it("ends the last try within half of the remaining epoch (property)", () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 2, max: 10 }),
          fc.integer({ min: 1, max: 100_000 }),
          fc.integer({ min: 0, max: 100_000 }),
          fc.option(fc.integer({ min: 1, max: 10_000_000 }), { nil: undefined }),
          (downAfter, length, remaining, preferred) => {
            const interval = retryIntervalMs(downAfter, length, Math.min(length, remaining), preferred);
            expect((downAfter - 1) * interval).to.be.at.most((Math.min(length, remaining) * 1000) / 2);
            if (preferred !== undefined) expect(interval).to.be.at.most(preferred);
          },
        ),
      );
    });
  });

  describe("firstTries", () => {
    it("makes discovery's sample the first try at each storage node and DA member, once per service", () => {
      const sampled = sample([up, down], [down]);
      sampled.da.quorums.push({ ...sampled.da.quorums[0], quorumId: 1 });
      const records = firstTries(sampled, "2026-01-01T00:00:00.000Z");
      expect(records.map((r) => [r.kind, r.service, r.tries.map((t) => t.ok)])).to.deep.equal([
        ["STORAGE_DOWN", storageNodeAddress("http://s0.test:5678"), [true]],
        ["STORAGE_DOWN", storageNodeAddress("http://s1.test:5678"), [false]],
        ["DA_DOWN", SIGNER, [false]],
      ]);
      expect(records[2].signer).to.equal(SIGNER);
      expect(records[1].tries[0]).to.deep.equal({
        at: "2026-01-01T00:00:00.000Z",
        ok: false,
        latencyMs: 3000,
        error: down.reason,
      });
    });
  });

  describe("buildReport with infra", () => {
    const tries3 = [failed(0), failed(1, "HTTP 502"), failed(2)];
    const records = (): InfraRecord[] => [
      {
        kind: "STORAGE_DOWN",
        service: storageNodeAddress("http://s0.test:5678"),
        url: "http://s0.test:5678",
        tries: tries3,
      },
      {
        kind: "STORAGE_DOWN",
        service: storageNodeAddress("http://s1.test:5678"),
        url: "http://s1.test:5678",
        tries: [failed(0), ok(1)],
      },
      { kind: "DA_DOWN", service: SIGNER, url: "http://d0.test", signer: SIGNER, tries: tries3 },
    ];

    it("reports the services that failed every try, with each try's time and error in the hashed evidence", () => {
      const sampled = sample([down, down], [down]);
      const infra = { downAfter: 3, records: records() };
      const { report, json } = buildReport(sampled, 5n, 2n, undefined, infra);
      expect(report.faults.map((f) => [f.kind, f.service])).to.deep.equal([
        ["STORAGE_DOWN", storageNodeAddress("http://s0.test:5678")],
        ["DA_DOWN", SIGNER],
      ]);
      const da = report.faults[1];
      expect(da.evidence).to.deep.include({ url: "http://d0.test", signer: SIGNER, downAfter: 3, epoch: "5" });
      expect(da.evidence.tries).to.deep.equal(tries3);
      expect(da.evidenceHash).to.equal(hashJson(da.evidence));
      // The flaky storage node (second try answered) is a passed check, the others failed with every try's error.
      expect(report.checks.map((c) => [c.service, c.ok])).to.deep.equal([
        ["storage", false],
        ["storage", true],
        ["da", false],
      ]);
      expect(report.failures).to.equal(2);
      expect(report.checks[0].reason).to.equal(
        "failed 3 of 3 tries: no answer within 3000 ms; HTTP 502; no answer within 3000 ms",
      );
      expect(JSON.parse(json).infra).to.deep.equal(infra);
    });

    it("changes the evidence hash when any try changes", () => {
      const sampled = sample([down], []);
      const base = buildReport(sampled, 5n, 2n, undefined, { downAfter: 3, records: records().slice(0, 1) });
      const changed = records().slice(0, 1);
      changed[0].tries = [failed(0), failed(1, "HTTP 503"), failed(2)];
      const other = buildReport(sampled, 5n, 2n, undefined, { downAfter: 3, records: changed });
      expect(other.report.faults[0].evidenceHash).to.not.equal(base.report.faults[0].evidenceHash);
    });
  });

  describe("alignmentNodeOptionsSchema (down rule)", () => {
    const parse = (probe: unknown) => alignmentNodeOptionsSchema.safeParse({ licenseId: 1, probe });

    it("takes 2..10 tries and a positive interval, and refuses one try, more than ten or a zero interval", () => {
      expect(parse({ downAfter: "2", downIntervalMs: "250" }).data?.probe).to.include({
        downAfter: 2,
        downIntervalMs: 250,
      });
      for (const probe of [{ downAfter: 1 }, { downAfter: 11 }, { downAfter: 2.5 }, { downIntervalMs: 0 }]) {
        const result = parse(probe);
        expect(result.success, JSON.stringify(probe)).to.equal(false);
        expect(result.error!.issues[0].path.join(".")).to.equal(`probe.${Object.keys(probe)[0]}`);
      }
    });
  });

  describe("REWARDS_ABI", () => {
    it("matches the compiled AlignmentRewards for every entry the node uses (rule and Enforced carry the target)", async () => {
      const compiled = new Interface((await artifacts.readArtifact("AlignmentRewards")).abi);
      const ours = new Interface(REWARDS_ABI);
      ours.forEachFunction((f) => expect(compiled.getFunction(f.selector)?.format("full")).to.equal(f.format("full")));
      ours.forEachEvent((e) => expect(compiled.getEvent(e.topicHash)?.format("full")).to.equal(e.format("full")));
      expect(ours.getFunction("rule")!.outputs[0].components!.map((c) => c.name)).to.include("target");
      expect(ours.getEvent("Enforced")!.inputs.map((i) => i.name)).to.include("target");
      expect([0, 1, 2, 3].map((t) => targetName(t))).to.deep.equal(["compute", "da", "none", "target #3"]);
    });
  });
});
