/**
 * The node's canary transfers to iNFT oracles, once per epoch per oracle URL: GET /v1/info (its public key), a valid
 * canary (checked: signature, acknowledged on TeeTransferVerifier, re-sealed key) and a mismatched one (must be
 * refused). An oracle that does not answer is tried again, `intervalMs` apart, up to `downAfter` tries (the pure
 * checks and rule are in ../oracle.ts).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { getAddress, isAddress, type Contract } from "ethers";
import type { Logger } from "../../common/logger";
import type { TransferRequest } from "../../inft/oracle";
import type { InfraTry } from "../infra";
import {
  checkMismatch,
  checkTransfer,
  makeCanary,
  oracleService,
  responseShape,
  type EpochOracles,
  type OracleRecord,
} from "../oracle";

/** The most characters of an oracle's answer the node reads (a sealed key and a proof are well under 1 KiB). */
const MAX_ANSWER_CHARS = 65_536;

export interface OracleProbeOptions {
  chainId: number;
  /** TeeTransferVerifier (its `isOracle` view). */
  verifier: Contract;
  /** The AgentNFT address the canaries name (any address: the oracle does not read the chain). */
  nft: string;
  downAfter: number;
  intervalMs: number;
  timeoutMs: number;
  /** Unix seconds now (the chain's), the canaries' deadline is an hour later. */
  now: bigint;
}

type Answer = { status: number; body: unknown } | { error: string };

async function call(url: string, timeoutMs: number, body?: TransferRequest): Promise<Answer> {
  try {
    const res = await fetch(url, {
      method: body ? "POST" : "GET",
      headers: body ? { "content-type": "application/json" } : undefined,
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    if (text.length > MAX_ANSWER_CHARS) return { error: `answer over ${MAX_ANSWER_CHARS} characters` };
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return res.ok ? { error: `HTTP ${res.status}, not JSON` } : { status: res.status, body: text.slice(0, 200) };
    }
    return { status: res.status, body: parsed };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { error: cause ?? (error as Error).message };
  }
}

/** One oracle: tries until it answers (or `downAfter` tries failed), then checks both canaries' answers. */
export async function probeOracle(url: string, options: OracleProbeOptions, signal: AbortSignal) {
  const base = url.replace(/\/+$/, "");
  const record: OracleRecord = { url, service: oracleService(url), tries: [], findings: [] };
  for (;;) {
    const at = new Date().toISOString();
    const started = Date.now();
    const failed = (error: string): InfraTry => ({ at, ok: false, latencyMs: Date.now() - started, error });
    const info = await call(`${base}/v1/info`, options.timeoutMs);
    const publicKey = "status" in info && (info.body as { publicKey?: unknown } | null)?.publicKey;
    if ("error" in info || info.status !== 200 || typeof publicKey !== "string") {
      record.tries.push(failed("error" in info ? info.error : `GET /v1/info: HTTP ${info.status}, no publicKey`));
    } else {
      const canaryOf = (mismatched: boolean) =>
        makeCanary({
          chainId: options.chainId,
          verifier: options.verifier.target as string,
          nft: options.nft,
          oraclePublicKey: publicKey,
          deadline: options.now + 3600n,
          mismatched,
        });
      let canary;
      try {
        canary = canaryOf(false);
      } catch (error) {
        record.tries.push(failed(`its public key does not seal: ${(error as Error).message}`));
        canary = undefined;
      }
      if (canary) {
        const answer = await call(`${base}/v1/transfer`, options.timeoutMs, canary.request);
        if ("error" in answer || answer.status >= 500) {
          record.tries.push(failed("error" in answer ? answer.error : `POST /v1/transfer: HTTP ${answer.status}`));
        } else {
          record.tries.push({ at, ok: true, latencyMs: Date.now() - started });
          record.canary = canary.request;
          const shape = answer.status === 200 ? responseShape(answer.body) : undefined;
          if (typeof shape !== "object") {
            const why = shape ?? `refused: ${JSON.stringify(answer.body).slice(0, 200)}`;
            record.findings.push({ check: "answer", reason: `the valid canary got no proof (${why})` });
          } else {
            record.response = shape;
            const acknowledged =
              isAddress(shape.oracle) && ((await options.verifier.isOracle(getAddress(shape.oracle))) as boolean);
            record.findings.push(...checkTransfer(canary, shape, acknowledged));
          }
          const bad = await call(`${base}/v1/transfer`, options.timeoutMs, canaryOf(true).request);
          const signed = "status" in bad && bad.status === 200 ? responseShape(bad.body) : undefined;
          const mismatchResponse = typeof signed === "object" ? signed : undefined;
          record.mismatchResponse = mismatchResponse;
          record.findings.push(...checkMismatch(mismatchResponse));
          record.service = oracleService(url, record.response, record.findings);
          return record;
        }
      }
    }
    if (record.tries.length >= options.downAfter) return record;
    await sleep(options.intervalMs, undefined, { signal });
  }
}

/** Every configured oracle, side by side. */
export async function probeOracles(
  urls: readonly string[],
  options: OracleProbeOptions,
  log: Logger,
  signal: AbortSignal,
): Promise<EpochOracles> {
  const records = await Promise.all(urls.map((url) => probeOracle(url, options, signal)));
  for (const r of records) {
    if (r.findings.length > 0 || !r.tries.some((t) => t.ok)) {
      log.warn(
        { oracle: r.url, service: r.service, findings: r.findings, tries: r.tries.length },
        "iNFT oracle failed",
      );
    }
  }
  return { downAfter: options.downAfter, verifier: options.verifier.target as string, records };
}
