/**
 * Timed probes of a service endpoint: one HTTP GET of a JSON document or one JSON-RPC call, each bounded by a
 * timeout, turned into a Health record instead of an exception so one dead service never hides the others.
 */
import { errorText } from "../../common/errors";

export interface Health {
  /** "up": a well-formed answer came back within the timeout; "down": anything else. */
  state: "up" | "down";
  /** Milliseconds from sending the request to having the whole answer (also measured when it failed). */
  latencyMs: number;
  /** Why it is down, one line; absent when up. */
  reason?: string;
}

export interface ProbeResult<T> {
  health: Health;
  /** The decoded answer, when up. */
  body?: T;
}

export const DEFAULT_PROBE_TIMEOUT_MS = 3000;

/** GET `url` and decode its JSON body; a non-2xx status, a non-JSON body or no answer in time is "down". */
export function probeHttpJson<T = unknown>(url: string, timeoutMs = DEFAULT_PROBE_TIMEOUT_MS): Promise<ProbeResult<T>> {
  return timed(timeoutMs, async (signal) => {
    const res = await fetch(url, { signal, headers: { accept: "application/json" } });
    const text = await res.text();
    if (!res.ok) throw new Error(`HTTP ${res.status}${text ? `: ${text.slice(0, 120)}` : ""}`);
    return parseJson<T>(text);
  });
}

/** One JSON-RPC 2.0 call; a JSON-RPC error answer counts as "down" with the node's message as the reason. */
export function probeJsonRpc<T = unknown>(
  url: string,
  method: string,
  params: unknown[] = [],
  timeoutMs = DEFAULT_PROBE_TIMEOUT_MS,
): Promise<ProbeResult<T>> {
  return timed(timeoutMs, async (signal) => {
    const res = await fetch(url, {
      method: "POST",
      signal,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    });
    const text = await res.text();
    if (!res.ok && !text) throw new Error(`HTTP ${res.status}`);
    const body = parseJson<{ result?: T; error?: { code: number; message: string } }>(text);
    if (body.error) throw new Error(`${method} refused: ${body.error.message} (code ${body.error.code})`);
    if (!("result" in body)) throw new Error(`${method}: not a JSON-RPC answer`);
    return body.result as T;
  });
}

/** A Health that was never measured because there was nothing to probe (no URL registered). */
export function notProbed(reason: string): Health {
  return { state: "down", latencyMs: 0, reason };
}

async function timed<T>(timeoutMs: number, fn: (signal: AbortSignal) => Promise<T>): Promise<ProbeResult<T>> {
  const started = performance.now();
  const controller = new AbortController();
  // Our own timer (not AbortSignal.timeout) so the reason can say which limit was hit.
  const timer = setTimeout(() => controller.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  try {
    const body = await fn(controller.signal);
    return { health: { state: "up", latencyMs: elapsed(started) }, body };
  } catch (err) {
    const reason = controller.signal.aborted ? errorText(controller.signal.reason) : failure(err);
    return { health: { state: "down", latencyMs: elapsed(started), reason } };
  } finally {
    clearTimeout(timer);
  }
}

/** fetch wraps the socket error ("ECONNREFUSED") in a bare "fetch failed"; the cause is the useful part. */
function failure(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  const text = errorText(cause);
  // fetch refuses ports the Fetch standard blocks (1, 7, 25, ...) before connecting; say so rather than "bad port".
  return text === "bad port" ? "fetch refuses to connect to this port (blocked by the Fetch standard)" : text;
}

function parseJson<T>(text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`answer is not JSON: ${text.slice(0, 80) || "(empty)"}`);
  }
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
