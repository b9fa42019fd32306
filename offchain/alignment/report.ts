/**
 * The alignment node's epoch report, pure (no I/O): from what discovery sampled, each check and whether it failed,
 * the faults found (with the evidence each one is reported with), and the canonical JSON whose keccak256 is the
 * report root the node attests with. Anyone holding the report file can recompute the root.
 */
import { keccak256, toUtf8Bytes } from "ethers";
import type { ServicesReport } from "../market/discovery";
import { downRecords, infraEvidence, isDown, type EpochInfra, type InfraRecord } from "./infra";
import { oracleEvidence, oracleVerdict, type EpochOracles } from "./oracle";
import { probeEvidence, type ProbeRecord } from "./probe";

/**
 * 2: the report carries `infra`, the tries at storage nodes and DA members judged by the down rule. 3: it carries
 * `oracles`, the canary transfers sent to iNFT oracles and what their answers showed.
 */
export const REPORT_VERSION = 3;

/**
 * Kinds of failure. The compute kinds a probe or the status check finds (wrong model, bad bill signature,
 * overbilling) and the down kinds of storage nodes and DA members (failed every try of the epoch: see infra.ts) are
 * reported on chain where a rule exists; COMPUTE_DOWN is counted in the report only.
 */
export const FAILURE_KINDS = [
  "COMPUTE_WRONG_MODEL",
  "COMPUTE_BAD_SIGNATURE",
  "COMPUTE_OVERBILLING",
  "COMPUTE_DOWN",
  "STORAGE_DOWN",
  "DA_DOWN",
  "INFT_ORACLE_BAD_PROOF",
  "INFT_ORACLE_DOWN",
] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

/** Kinds a node reports on chain (each needs a rule there). */
export const REPORTABLE_KINDS: readonly FailureKind[] = [
  "COMPUTE_WRONG_MODEL",
  "COMPUTE_BAD_SIGNATURE",
  "COMPUTE_OVERBILLING",
  "DA_DOWN",
  "STORAGE_DOWN",
  "INFT_ORACLE_BAD_PROOF",
  "INFT_ORACLE_DOWN",
];

/** The compute probes of an epoch: the node's ledger address (the probes' user) and what each probe found. */
export interface EpochProbes {
  user: string;
  records: ProbeRecord[];
}

export type CheckedService = "compute" | "compute-probe" | "storage" | "da" | "inft-oracle";

export interface Check {
  service: CheckedService;
  /** The provider or signer address; the URL for a storage node (none is registered on chain). */
  id: string;
  url: string;
  ok: boolean;
  /** The failure found, when not ok. */
  kind?: FailureKind;
  /** One line on what failed. */
  reason?: string;
}

export interface Fault {
  kind: FailureKind;
  /** The service's address (the `service` a report names). */
  service: string;
  /** What the node keeps as the fault's evidence; `evidenceHash` is keccak256 of its canonical JSON. */
  evidence: Record<string, unknown>;
  evidenceHash: string;
}

export interface EpochReport {
  version: number;
  chainId: number;
  licenseId: string;
  epoch: string;
  /** The block discovery began at. */
  block: number;
  checked: number;
  failures: number;
  checks: Check[];
  faults: Fault[];
  /** What was sampled, as discovery gave it. */
  sampled: ServicesReport;
  /** The compute probes sent this epoch (absent when the node does not probe). */
  probes?: EpochProbes;
  /** Every try at the storage nodes and DA members, and the down rule they were judged by. */
  infra?: EpochInfra;
  /** The canary transfers sent to iNFT oracles and what each answer showed (absent when none are configured). */
  oracles?: EpochOracles;
}

export interface BuiltReport {
  report: EpochReport;
  /** The canonical JSON: the report file's exact bytes. */
  json: string;
  /** keccak256 of `json`: the root the node attests with. */
  root: string;
}

/**
 * JSON with every object's keys sorted and no whitespace, so the same report always gives the same bytes. Refuses
 * what JSON cannot carry faithfully (bigint, non-finite numbers, functions).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} has no JSON form`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  throw new TypeError(`canonicalJson: a ${typeof value} has no JSON form`);
}

/** keccak256 of a value's canonical JSON (UTF-8). */
export function hashJson(value: unknown): string {
  return keccak256(toUtf8Bytes(canonicalJson(value)));
}

/**
 * Every check discovery's sample allows (one per compute provider, storage node and DA quorum member), and one per
 * compute probe that got a checkable answer (failed with its first finding's kind, every finding in the reason).
 * With `infra`, a storage node or DA member that has a record there fails only when it is down by the rule (failed
 * every try), the reason listing each try's error; without, its one sample decides.
 */
export function checksOf(
  sampled: ServicesReport,
  probes?: EpochProbes,
  infra?: EpochInfra,
  oracles?: EpochOracles,
): Check[] {
  const records = new Map<string, InfraRecord>();
  for (const r of infra?.records ?? []) records.set(`${r.kind}/${(r.signer ?? r.url).toLowerCase()}`, r);
  /** The check of a storage node or DA member judged by its tries, when it has a record. */
  const judged = (kind: "STORAGE_DOWN" | "DA_DOWN", key: string) => {
    const r = records.get(`${kind}/${key.toLowerCase()}`);
    if (!r || !infra) return undefined;
    if (!isDown(r.tries, infra.downAfter)) return { ok: true };
    const reason = `failed ${r.tries.length} of ${r.tries.length} tries: ${r.tries.map((t) => t.error).join("; ")}`;
    return { ok: false, kind, reason };
  };
  const checks: Check[] = [];
  for (const c of sampled.compute) {
    const base = { service: "compute" as const, id: c.provider, url: c.url };
    if (c.health.state !== "up") {
      checks.push({ ...base, ok: false, kind: "COMPUTE_DOWN", reason: c.health.reason ?? "no answer" });
    } else if (c.modelMatches === false) {
      const reason = `serves ${JSON.stringify(c.servedModel)}, registered ${JSON.stringify(c.model)}`;
      checks.push({ ...base, ok: false, kind: "COMPUTE_WRONG_MODEL", reason });
    } else {
      checks.push({ ...base, ok: true });
    }
  }
  for (const s of sampled.storage) {
    const base = { service: "storage" as const, id: s.url, url: s.url };
    const byTries = judged("STORAGE_DOWN", s.url);
    checks.push(
      byTries
        ? { ...base, ...byTries }
        : s.health.state === "up"
          ? { ...base, ok: true }
          : { ...base, ok: false, kind: "STORAGE_DOWN", reason: s.health.reason ?? "no answer" },
    );
  }
  for (const q of sampled.da.quorums) {
    for (const m of q.members) {
      const base = { service: "da" as const, id: m.address, url: m.url };
      const byTries = judged("DA_DOWN", m.address);
      checks.push(
        byTries
          ? { ...base, ...byTries }
          : m.health.state === "up"
            ? { ...base, ok: true }
            : { ...base, ok: false, kind: "DA_DOWN", reason: m.health.reason ?? "no answer" },
      );
    }
  }
  for (const p of probes?.records ?? []) {
    if (p.outcome !== "ok" && p.outcome !== "fault") continue;
    const base = { service: "compute-probe" as const, id: p.provider, url: p.url };
    checks.push(
      p.findings.length === 0
        ? { ...base, ok: true }
        : {
            ...base,
            ok: false,
            kind: p.findings[0].kind,
            reason: p.findings.map((f) => `${f.kind}: ${f.reason}`).join("; "),
          },
    );
  }
  for (const r of oracles?.records ?? []) {
    const base = { service: "inft-oracle" as const, id: r.service, url: r.url };
    const kind = oracleVerdict(r, oracles!.downAfter);
    const reason =
      kind === "INFT_ORACLE_DOWN"
        ? `failed ${r.tries.length} of ${r.tries.length} tries: ${r.tries.map((t) => t.error).join("; ")}`
        : r.findings.map((f) => `${f.check}: ${f.reason}`).join("; ");
    checks.push(kind ? { ...base, ok: false, kind, reason } : { ...base, ok: true });
  }
  return checks;
}

/**
 * The faults a node reports on chain: one per (service, reportable kind), with its evidence and its hash. A wrong
 * model seen in the status check comes first; a probe's finding of a kind already found for that service is not
 * repeated; then each storage node and DA member down by the rule (failed every try: `downRecords`); then each iNFT
 * oracle that failed every try (INFT_ORACLE_DOWN) or a canary check (INFT_ORACLE_BAD_PROOF).
 */
export function faultsOf(
  sampled: ServicesReport,
  epoch: bigint,
  licenseId: bigint,
  probes?: EpochProbes,
  infra?: EpochInfra,
  oracles?: EpochOracles,
): Fault[] {
  const seen = new Set<string>();
  const faults: Fault[] = [];
  for (const c of sampled.compute) {
    if (c.health.state !== "up" || c.modelMatches !== false) continue;
    const key = c.provider.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    const evidence = {
      kind: "COMPUTE_WRONG_MODEL",
      chainId: sampled.chainId,
      block: sampled.block,
      epoch: epoch.toString(),
      licenseId: licenseId.toString(),
      provider: c.provider,
      url: c.url,
      registeredModel: c.model,
      servedModel: c.servedModel,
      health: c.health,
    };
    faults.push({ kind: "COMPUTE_WRONG_MODEL", service: c.provider, evidence, evidenceHash: hashJson(evidence) });
  }
  const reported = new Set(faults.map((f) => `${f.service.toLowerCase()}/${f.kind}`));
  for (const p of probes?.records ?? []) {
    for (const finding of p.findings) {
      const key = `${p.provider.toLowerCase()}/${finding.kind}`;
      if (reported.has(key)) continue;
      reported.add(key);
      const context = { chainId: sampled.chainId, epoch, licenseId, user: probes!.user };
      const evidence = probeEvidence(p, finding, context);
      faults.push({ kind: finding.kind, service: p.provider, evidence, evidenceHash: hashJson(evidence) });
    }
  }
  if (infra) {
    const context = { chainId: sampled.chainId, epoch, licenseId, downAfter: infra.downAfter };
    for (const r of downRecords(infra)) {
      const evidence = infraEvidence(r, context);
      faults.push({ kind: r.kind, service: r.service, evidence, evidenceHash: hashJson(evidence) });
    }
  }
  if (oracles) {
    const context = { chainId: sampled.chainId, epoch, licenseId };
    const oracleSeen = new Set<string>();
    for (const r of oracles.records) {
      const kind = oracleVerdict(r, oracles.downAfter);
      const key = `${r.service.toLowerCase()}/${kind}`;
      if (!kind || oracleSeen.has(key)) continue;
      oracleSeen.add(key);
      const evidence = oracleEvidence(r, kind, oracles, context);
      faults.push({ kind, service: r.service, evidence, evidenceHash: hashJson(evidence) });
    }
  }
  return faults;
}

/** The epoch's report, its canonical JSON and its root. */
export function buildReport(
  sampled: ServicesReport,
  epoch: bigint,
  licenseId: bigint,
  probes?: EpochProbes,
  infra?: EpochInfra,
  oracles?: EpochOracles,
): BuiltReport {
  const checks = checksOf(sampled, probes, infra, oracles);
  const failures = checks.filter((c) => !c.ok).length;
  const report: EpochReport = {
    version: REPORT_VERSION,
    chainId: sampled.chainId,
    licenseId: licenseId.toString(),
    epoch: epoch.toString(),
    block: sampled.block,
    checked: checks.length,
    failures,
    checks,
    faults: faultsOf(sampled, epoch, licenseId, probes, infra, oracles),
    sampled,
    probes,
    infra,
    oracles,
  };
  const json = canonicalJson(report);
  return { report, json, root: keccak256(toUtf8Bytes(json)) };
}

/** How many failures of each kind a report found (kinds with none left out). */
export function failureCounts(checks: Check[]): Partial<Record<FailureKind, number>> {
  const counts: Partial<Record<FailureKind, number>> = {};
  for (const c of checks) if (c.kind) counts[c.kind] = (counts[c.kind] ?? 0) + 1;
  return counts;
}
