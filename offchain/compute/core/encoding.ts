// base64url JSON with bigints as decimal strings: the wire form of sessions, bills and receipts.

export function toBase64UrlJson(value: unknown): string {
  const json = JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  return Buffer.from(json, "utf8").toString("base64url");
}

/** Parses base64url JSON; throws a plain Error saying what was wrong (callers wrap it). */
export function fromBase64UrlJson(text: string, what: string): unknown {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error(`${what} is not base64url`);
  try {
    return JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as unknown;
  } catch {
    throw new Error(`${what} is not base64url-encoded JSON`);
  }
}

/** A decimal string (or safe integer) as a bigint within [0, bound). */
export function decimalBigInt(value: unknown, name: string, bound?: bigint): bigint {
  let n: bigint;
  if (typeof value === "string" && /^[0-9]{1,80}$/.test(value)) n = BigInt(value);
  else if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) n = BigInt(value);
  else throw new Error(`${name} must be a non-negative decimal string`);
  if (bound !== undefined && n >= bound) throw new Error(`${name} must be below ${bound}`);
  return n;
}

export function safeCount(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new Error(`${name} must be a non-negative integer`);
  }
  return value;
}
