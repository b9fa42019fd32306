import { errorText } from "../../common/errors";

/** What a signer answered: the parsed JSON body, or why there was none. */
export type SignerAnswer<T> = { ok: true; body: T } | { ok: false; reason: string };

/** One JSON request to a signer, never throwing: a dead or misbehaving signer is a reason, not a crash. */
export async function callSigner<T>(
  url: string,
  init: { method: "GET" } | { method: "POST"; body: unknown },
  parse: (body: unknown) => T,
  timeoutMs: number,
): Promise<SignerAnswer<T>> {
  try {
    const response = await fetch(url, {
      method: init.method,
      headers: init.method === "POST" ? { "content-type": "application/json" } : {},
      body: init.method === "POST" ? JSON.stringify(init.body) : undefined,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await response.json().catch(() => undefined)) as { error?: { code?: string; message?: string } };
    if (!response.ok) {
      const detail = body?.error ? `${body.error.code}: ${body.error.message}` : `HTTP ${response.status}`;
      return { ok: false, reason: detail };
    }
    return { ok: true, body: parse(body) };
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
    return { ok: false, reason: errorText(cause) };
  }
}

/** `base` + `path` without a doubled slash. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}${path}`;
}
