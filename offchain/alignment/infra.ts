/**
 * Infrastructure faults, pure (no I/O): when a storage node or a DA quorum member counts as down for an epoch, the
 * address a storage node is reported under, when the node tries again, and the evidence a DA_DOWN or STORAGE_DOWN
 * report carries. A node stands behind a "down" only when the service failed every one of `downAfter` tries spread
 * over the epoch: one timeout (a restart, a lost packet, the node's own network) is never reported.
 */
import { dataSlice, getAddress, keccak256, toUtf8Bytes } from "ethers";
import type { Health, ServicesReport } from "../market/discovery";

export const INFRA_KINDS = ["STORAGE_DOWN", "DA_DOWN"] as const;
export type InfraKind = (typeof INFRA_KINDS)[number];

/** The fewest and most tries `probe.downAfter` allows (one failed try is never enough). */
export const MIN_DOWN_AFTER = 2;
export const MAX_DOWN_AFTER = 10;

/** One try at a service: when it was sent, whether it answered well, and why not. */
export interface InfraTry {
  /** ISO-8601 time the try was sent. */
  at: string;
  ok: boolean;
  latencyMs: number;
  /** One line on what failed, when not ok. */
  error?: string;
}

/** Every try at one storage node or DA member in an epoch. */
export interface InfraRecord {
  kind: InfraKind;
  /** The address a report names: the DA signer's, or `storageNodeAddress(url)` for a storage node. */
  service: string;
  url: string;
  /** The DA quorum member's signer address (absent for a storage node). */
  signer?: string;
  tries: InfraTry[];
}

/** The tries of an epoch and the rule they were judged by (kept in the report). */
export interface EpochInfra {
  downAfter: number;
  records: InfraRecord[];
}

/**
 * The address every alignment node reports a storage node under: storage nodes register nothing on chain, so it is
 * derived from the node's URL origin (scheme, host, port; path, query and a trailing slash ignored, host lowercased
 * by URL parsing): the last 20 bytes of keccak256 of the origin's UTF-8 bytes, checksummed. Two nodes that name the
 * same storage node by the same origin report the same case. Throws a TypeError on a string that is not a URL.
 */
export function storageNodeAddress(url: string): string {
  return getAddress(dataSlice(keccak256(toUtf8Bytes(new URL(url).origin)), 12));
}

/** Down for the epoch: at least `downAfter` tries and not one of them answered well. */
export function isDown(tries: readonly InfraTry[], downAfter: number): boolean {
  return tries.length >= downAfter && tries.every((t) => !t.ok);
}

/** Another try is due: every try so far failed and fewer than `downAfter` were made. */
export function needsRetry(tries: readonly InfraTry[], downAfter: number): boolean {
  return tries.length > 0 && tries.length < downAfter && tries.every((t) => !t.ok);
}

/**
 * Milliseconds between tries: `downAfter` tries, the first at the epoch pass, the last before half of what is left of
 * the epoch, so the reports land in the epoch they are about. `preferredMs` (probe.downIntervalMs) caps it; without
 * it the tries spread over the first half of a whole epoch.
 */
export function retryIntervalMs(
  downAfter: number,
  epochLengthS: number,
  remainingS: number,
  preferredMs?: number,
): number {
  const gaps = Math.max(1, downAfter - 1);
  const spread = Math.floor((epochLengthS * 1000) / (2 * gaps));
  const fits = Math.floor((Math.max(0, remainingS) * 1000) / (2 * gaps));
  return Math.max(0, Math.min(preferredMs ?? spread, spread, fits));
}

/** What a DA_DOWN or STORAGE_DOWN report is about and who reports it. */
export interface InfraContext {
  chainId: number;
  epoch: bigint;
  licenseId: bigint;
  downAfter: number;
}

/** The evidence of one down service: the rule, the service's URL (and signer), and every try with its time and error. */
export function infraEvidence(record: InfraRecord, ctx: InfraContext): Record<string, unknown> {
  return {
    kind: record.kind,
    chainId: ctx.chainId,
    epoch: ctx.epoch.toString(),
    licenseId: ctx.licenseId.toString(),
    service: record.service,
    url: record.url,
    signer: record.signer,
    downAfter: ctx.downAfter,
    tries: record.tries,
  };
}

/** The records that are down by the rule, one per (service, kind), in order. */
export function downRecords(infra: EpochInfra): InfraRecord[] {
  const seen = new Set<string>();
  return infra.records.filter((r) => {
    const key = `${r.service.toLowerCase()}/${r.kind}`;
    if (seen.has(key) || !isDown(r.tries, infra.downAfter)) return false;
    seen.add(key);
    return true;
  });
}

/** What discovery's sample is to the down rule: the first try at each storage node and DA member (sent at `at`). */
export function firstTries(sampled: ServicesReport, at: string): InfraRecord[] {
  const records: InfraRecord[] = [];
  const seen = new Set<string>();
  const add = (r: InfraRecord) => {
    const key = `${r.kind}/${r.service.toLowerCase()}`;
    if (seen.has(key)) return;
    seen.add(key);
    records.push(r);
  };
  const tryOf = (h: Health): InfraTry =>
    h.state === "up"
      ? { at, ok: true, latencyMs: h.latencyMs }
      : { at, ok: false, latencyMs: h.latencyMs, error: h.reason ?? "no answer" };
  for (const s of sampled.storage) {
    add({ kind: "STORAGE_DOWN", service: storageNodeAddress(s.url), url: s.url, tries: [tryOf(s.health)] });
  }
  for (const q of sampled.da.quorums) {
    for (const m of q.members) {
      add({ kind: "DA_DOWN", service: m.address, url: m.url, signer: m.address, tries: [tryOf(m.health)] });
    }
  }
  return records;
}
