// iNFT oracle canaries, pure: a real oracle's answer (offchain/inft/oracle.ts handleTransfer) to a valid canary
// passes every check and it refuses the mismatched one; each way of lying (a proof by another key, an unacknowledged
// key, a key re-sealed to someone else or to another key, signing the mismatched canary) is a finding; the address an
// oracle is reported under cannot be chosen by the oracle; the down and bad-proof verdicts and their evidence.
import { expect } from "chai";
import fc from "fast-check";
import { Wallet } from "ethers";
import { randomDataKey } from "../../offchain/inft/data";
import { handleTransfer } from "../../offchain/inft/oracle";
import { sealTee, teePublicKey } from "../../offchain/inft/tee";
import { alignmentNodeOptionsSchema } from "../../offchain/alignment/node";
import { storageNodeAddress, type InfraTry } from "../../offchain/alignment/infra";
import {
  checkMismatch,
  checkTransfer,
  makeCanary,
  oracleService,
  oracleVerdict,
  proofSigner,
  responseShape,
  type EpochOracles,
  type OracleRecord,
} from "../../offchain/alignment/oracle";
import { buildReport, hashJson } from "../../offchain/alignment/report";
import type { ServicesReport } from "../../offchain/market/discovery";

const ORACLE = Wallet.createRandom();
const OTHER = Wallet.createRandom();
const VERIFIER = "0x00000000000000000000000000000000000000e1";
const NFT = "0x00000000000000000000000000000000000000e2";
const URL_ = "http://oracle.test:7000";

const canaryFor = (mismatched = false, publicKey = teePublicKey(ORACLE.privateKey)) =>
  makeCanary({
    chainId: 31337,
    verifier: VERIFIER,
    nft: NFT,
    oraclePublicKey: publicKey,
    deadline: 2n ** 40n,
    mismatched,
  });

const EMPTY: ServicesReport = {
  chainId: 31337,
  block: 9,
  compute: [],
  storage: [],
  da: { registry: "0x00000000000000000000000000000000000000da", epoch: "1", quorums: [] },
} as unknown as ServicesReport;

const tryAt = (ok: boolean, i = 0): InfraTry => ({
  at: new Date(1_700_000_000_000 + i * 1000).toISOString(),
  ok,
  latencyMs: 3,
  ...(ok ? {} : { error: "ECONNREFUSED" }),
});

describe("alignment iNFT oracle canaries", () => {
  describe("makeCanary", () => {
    it("is a request a real oracle signs, with a fresh receiver and data key each time", async () => {
      const a = canaryFor();
      const b = canaryFor();
      expect(a.request.receiver).not.to.equal(b.request.receiver);
      expect(a.dataKey).not.to.deep.equal(b.dataKey);
      const answer = await handleTransfer(ORACLE.privateKey, a.request);
      expect(answer.oracle).to.equal(ORACLE.address);
    });

    it("mismatched: a real oracle refuses it (the key does not open to the commitment)", async () => {
      const bad = canaryFor(true);
      expect(BigInt(bad.request.keyCommitment)).not.to.equal(0n);
      await expect(handleTransfer(ORACLE.privateKey, bad.request)).to.be.rejectedWith(/key commitment/);
    });
  });

  describe("checkTransfer", () => {
    it("finds nothing in an honest, acknowledged oracle's answer", async () => {
      const c = canaryFor();
      expect(checkTransfer(c, await handleTransfer(ORACLE.privateKey, c.request), true)).to.deep.equal([]);
    });

    it("finds a proof by another key than the oracle it names (signature)", async () => {
      const c = canaryFor(false, teePublicKey(OTHER.privateKey));
      const signed = await handleTransfer(OTHER.privateKey, c.request);
      const findings = checkTransfer(c, { ...signed, oracle: ORACLE.address }, true);
      expect(findings.map((f) => f.check)).to.deep.equal(["signature"]);
      expect(findings[0].reason).to.include(OTHER.address);
    });

    it("finds an unacknowledged signing key (acknowledged)", async () => {
      const c = canaryFor();
      const findings = checkTransfer(c, await handleTransfer(ORACLE.privateKey, c.request), false);
      expect(findings.map((f) => f.check)).to.deep.equal(["acknowledged"]);
    });

    it("finds a key re-sealed to someone else, even when the proof signs it (sealed-key)", async () => {
      const c = canaryFor();
      // A lying oracle re-seals the key to its own receiver key and signs that claim.
      const stolen = await handleTransfer(ORACLE.privateKey, { ...c.request, receiverKey: OTHER.signingKey.publicKey });
      const findings = checkTransfer(c, stolen, true);
      expect(findings.map((f) => f.check)).to.include("sealed-key");
      expect(findings.map((f) => f.check)).to.include("signature");
    });

    it("finds a re-sealed key that opens to another data key (sealed-key)", async () => {
      const c = canaryFor();
      const honest = await handleTransfer(ORACLE.privateKey, c.request);
      const other = sealTee(randomDataKey(), c.request.receiverKey);
      const findings = checkTransfer(c, { ...honest, sealedKey: other }, true);
      expect(findings.find((f) => f.check === "sealed-key")?.reason).to.equal(
        "the re-sealed key opens to another data key",
      );
    });

    it("finds a malformed proof or oracle address", async () => {
      const c = canaryFor();
      const honest = await handleTransfer(ORACLE.privateKey, c.request);
      expect(checkTransfer(c, { ...honest, proof: "0x1234" }, true)[0].check).to.equal("signature");
      expect(checkTransfer(c, { ...honest, oracle: "nobody" }, true)[0].check).to.equal("signature");
    });

    it("any change to a signed claim's field breaks the signature (property)", async () => {
      const c = canaryFor();
      const honest = await handleTransfer(ORACLE.privateKey, c.request);
      expect(proofSigner(c.request, honest.sealedKey, honest.proof)).to.equal(ORACLE.address);
      const fields = ["nft", "tokenId", "receiver", "dataHash", "keyCommitment", "nonce", "deadline"] as const;
      fc.assert(
        fc.property(fc.constantFrom(...fields), fc.bigInt({ min: 1n, max: 2n ** 60n }), (field, v) => {
          const value =
            field === "nft" || field === "receiver" ? `0x${v.toString(16).padStart(40, "0")}` : v.toString();
          const changed =
            field === "dataHash" || field === "keyCommitment" ? `0x${v.toString(16).padStart(64, "0")}` : value;
          if (changed.toLowerCase() === String(c.request[field]).toLowerCase()) return;
          const signer = proofSigner({ ...c.request, [field]: changed }, honest.sealedKey, honest.proof);
          expect(signer).not.to.equal(ORACLE.address);
        }),
        { numRuns: 30 },
      );
    });
  });

  describe("checkMismatch", () => {
    it("finds nothing when the oracle refused, a fault when it signed", async () => {
      const c = canaryFor(true);
      expect(checkMismatch(undefined)).to.deep.equal([]);
      const signed = await handleTransfer(ORACLE.privateKey, { ...c.request, keyCommitment: "0" });
      expect(checkMismatch(signed).map((f) => f.check)).to.deep.equal(["mismatch"]);
    });
  });

  describe("responseShape", () => {
    it("keeps the three strings and refuses anything else", () => {
      expect(responseShape({ sealedKey: "0x1", proof: "0x2", oracle: "0x3", extra: 1 })).to.deep.equal({
        sealedKey: "0x1",
        proof: "0x2",
        oracle: "0x3",
      });
      expect(responseShape({ sealedKey: "0x1", proof: "0x2" })).to.equal("the answer has no oracle");
      expect(responseShape(null)).to.equal("the answer is not a JSON object");
    });
  });

  describe("oracleService", () => {
    it("is the acknowledged signer when the proof checks, else the URL-derived address", async () => {
      const c = canaryFor();
      const honest = await handleTransfer(ORACLE.privateKey, c.request);
      expect(oracleService(URL_, honest, [])).to.equal(ORACLE.address);
      expect(oracleService(URL_, honest, [{ check: "mismatch", reason: "x" }])).to.equal(ORACLE.address);
      // An oracle that names someone else's address, or an unacknowledged one, is reported under its URL.
      expect(oracleService(URL_, honest, [{ check: "signature", reason: "x" }])).to.equal(storageNodeAddress(URL_));
      expect(oracleService(URL_, honest, [{ check: "acknowledged", reason: "x" }])).to.equal(storageNodeAddress(URL_));
      expect(oracleService(URL_)).to.equal(storageNodeAddress(URL_));
    });
  });

  describe("oracleVerdict", () => {
    const record = (tries: InfraTry[], bad = false): OracleRecord => ({
      url: URL_,
      service: storageNodeAddress(URL_),
      tries,
      findings: bad ? [{ check: "mismatch", reason: "signed" }] : [],
    });

    it("down only when every one of downAfter tries failed", () => {
      expect(oracleVerdict(record([tryAt(false), tryAt(false, 1), tryAt(false, 2)]), 3)).to.equal("INFT_ORACLE_DOWN");
      expect(oracleVerdict(record([tryAt(false), tryAt(false, 1)]), 3)).to.equal(undefined);
      expect(oracleVerdict(record([tryAt(false), tryAt(true, 1)]), 3)).to.equal(undefined);
    });

    it("bad proof on any finding", () => {
      expect(oracleVerdict(record([tryAt(true)], true), 3)).to.equal("INFT_ORACLE_BAD_PROOF");
    });
  });

  describe("buildReport with oracles", () => {
    it("keeps the oracles, fails their checks and hashes each fault's evidence (no secrets in it)", async () => {
      const c = canaryFor(true);
      const signed = await handleTransfer(ORACLE.privateKey, { ...c.request, keyCommitment: "0" });
      const liar: OracleRecord = {
        url: URL_,
        service: ORACLE.address,
        tries: [tryAt(true)],
        canary: c.request,
        mismatchResponse: signed,
        findings: checkMismatch(signed),
      };
      const dead: OracleRecord = {
        url: "http://dead.test:1",
        service: oracleService("http://dead.test:1"),
        tries: [tryAt(false), tryAt(false, 1)],
        findings: [],
      };
      const fine: OracleRecord = {
        url: "http://fine.test",
        service: OTHER.address,
        tries: [tryAt(true)],
        findings: [],
      };
      const oracles: EpochOracles = { downAfter: 2, verifier: VERIFIER, records: [liar, dead, fine] };
      const { report, json } = buildReport(EMPTY, 4n, 1n, undefined, undefined, oracles);
      expect(report.checked).to.equal(3);
      expect(report.failures).to.equal(2);
      expect(report.checks.map((x) => [x.service, x.ok, x.kind])).to.deep.equal([
        ["inft-oracle", false, "INFT_ORACLE_BAD_PROOF"],
        ["inft-oracle", false, "INFT_ORACLE_DOWN"],
        ["inft-oracle", true, undefined],
      ]);
      expect(report.faults.map((f) => [f.kind, f.service])).to.deep.equal([
        ["INFT_ORACLE_BAD_PROOF", ORACLE.address],
        ["INFT_ORACLE_DOWN", storageNodeAddress("http://dead.test:1")],
      ]);
      for (const f of report.faults) expect(f.evidenceHash).to.equal(hashJson(f.evidence));
      expect(report.faults[0].evidence.mismatchResponse).to.deep.equal(signed);
      expect(report.oracles).to.deep.equal(oracles);
      expect(json).not.to.include(c.receiverPrivateKey.slice(2));
    });
  });

  describe("options", () => {
    it("takes http(s) oracle URLs, refuses others and duplicates", () => {
      const parse = (inftOracles: unknown) => alignmentNodeOptionsSchema.safeParse({ licenseId: 1, inftOracles });
      expect(parse([URL_]).success).to.equal(true);
      expect(parse(["ftp://oracle.test"]).success).to.equal(false);
      expect(parse([URL_, URL_]).success).to.equal(false);
      expect(alignmentNodeOptionsSchema.parse({ licenseId: 1 }).inftOracles).to.deep.equal([]);
    });
  });
});
