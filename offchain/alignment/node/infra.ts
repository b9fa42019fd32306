/**
 * The node's later tries at the storage nodes and DA members that failed discovery's sample: each is tried again,
 * `intervalMs` apart, until it answers or has failed `downAfter` tries (the pure rule is in ../infra.ts).
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../../common/logger";
import { statusUrl } from "../../market/discovery/compute";
import { probeHttpJson, type Health } from "../../market/discovery/probe";
import { probeStorageNode } from "../../market/discovery/storage";
import { needsRetry, type InfraRecord, type InfraTry } from "../infra";

export interface RetryOptions {
  downAfter: number;
  intervalMs: number;
  /** The chain a storage node must serve, and the block its lag is measured against. */
  chainId: number;
  block: number;
  timeoutMs: number;
}

/**
 * Tries every record that has failed all its tries so far again, `intervalMs` apart, until each answered once or
 * failed `downAfter` tries; adds each try to its record. Rejects when `signal` aborts.
 */
export async function retryFailed(
  records: InfraRecord[],
  options: RetryOptions,
  log: Logger,
  signal: AbortSignal,
): Promise<void> {
  for (;;) {
    const due = records.filter((r) => needsRetry(r.tries, options.downAfter));
    if (due.length === 0) return;
    log.info(
      { services: due.map((r) => r.url), inMs: options.intervalMs },
      `${due.length} storage/DA services failed every try so far: trying again`,
    );
    await sleep(options.intervalMs, undefined, { signal });
    await Promise.all(due.map(async (r) => r.tries.push(await tryOnce(r, options))));
  }
}

/** One try at a storage node (zgs_getStatus and zgs_getShardConfig) or a DA member (GET /v1/status, its signer). */
export async function tryOnce(record: InfraRecord, options: Omit<RetryOptions, "downAfter" | "intervalMs">) {
  const at = new Date().toISOString();
  const health =
    record.kind === "STORAGE_DOWN"
      ? (await probeStorageNode(record.url, options.chainId, options.block, options.timeoutMs)).health
      : await probeDaSigner(record.url, record.signer ?? record.service, options.timeoutMs);
  const result: InfraTry =
    health.state === "up"
      ? { at, ok: true, latencyMs: health.latencyMs }
      : { at, ok: false, latencyMs: health.latencyMs, error: health.reason ?? "no answer" };
  return result;
}

/** A DA signer's node answers GET /v1/status, as itself (discovery's check of a quorum member). */
export async function probeDaSigner(url: string, signer: string, timeoutMs: number): Promise<Health> {
  if (!/^https?:\/\//.test(url)) {
    return { state: "down", latencyMs: 0, reason: url ? `socket "${url}" is not an http(s) URL` : "no socket" };
  }
  const probe = await probeHttpJson<{ signer?: unknown }>(statusUrl(url), timeoutMs);
  const answeredAs = typeof probe.body?.signer === "string" ? probe.body.signer : undefined;
  if (probe.health.state === "up" && answeredAs && answeredAs.toLowerCase() !== signer.toLowerCase()) {
    return { ...probe.health, state: "down", reason: `answers as signer ${answeredAs}` };
  }
  return probe.health;
}
