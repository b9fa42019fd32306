// The broker's auth: `Authorization: Bearer zg1.<base64url(JSON)>`, an EIP-191 signature by the user's
// Ethereum key over a human-readable text. The token is what the `openai` client takes as its apiKey.
import { getAddress, isAddress, verifyMessage } from "ethers";
import { fromBase64UrlJson, toBase64UrlJson } from "./encoding";

export const SESSION_PREFIX = "zg1.";

export interface SessionClaims {
  user: string;
  provider: string;
  chainId: bigint;
  /** Unix seconds after which the broker refuses the token. */
  expires: number;
}

export interface Session extends SessionClaims {
  signature: string;
}

/** What signs a session: an ethers Wallet or any signer with signMessage. */
export interface SessionSigner {
  getAddress(): Promise<string>;
  signMessage(message: string): Promise<string>;
}

export class SessionError extends Error {
  override name = "SessionError";
}

/** The exact text the user signs (EIP-191 personal_sign). */
export function sessionMessage(claims: SessionClaims): string {
  return [
    "zg compute session v1",
    `chain: ${claims.chainId}`,
    `provider: ${claims.provider.toLowerCase()}`,
    `user: ${claims.user.toLowerCase()}`,
    `expires: ${claims.expires}`,
  ].join("\n");
}

export function encodeSession(session: Session): string {
  return (
    SESSION_PREFIX +
    toBase64UrlJson({
      user: session.user,
      provider: session.provider,
      chainId: session.chainId.toString(),
      expires: session.expires,
      signature: session.signature,
    })
  );
}

/** Signs a session for `provider` valid until `expires` (unix s); returns the bearer token. */
export async function createSession(
  signer: SessionSigner,
  opts: { provider: string; chainId: bigint | number; expires: number },
): Promise<string> {
  const claims: SessionClaims = {
    user: getAddress(await signer.getAddress()),
    provider: getAddress(opts.provider),
    chainId: BigInt(opts.chainId),
    expires: opts.expires,
  };
  const signature = await signer.signMessage(sessionMessage(claims));
  return encodeSession({ ...claims, signature });
}

/** Parses a token's fields without checking the signature. */
export function decodeSession(token: string): Session {
  if (!token.startsWith(SESSION_PREFIX)) throw new SessionError(`the session token must start with ${SESSION_PREFIX}`);
  let raw: unknown;
  try {
    raw = fromBase64UrlJson(token.slice(SESSION_PREFIX.length), "the session token");
  } catch (err) {
    throw new SessionError((err as Error).message);
  }
  if (typeof raw !== "object" || raw === null) throw new SessionError("the session token is not a JSON object");
  const r = raw as Record<string, unknown>;
  for (const f of ["user", "provider"] as const) {
    if (typeof r[f] !== "string" || !isAddress(r[f])) throw new SessionError(`session.${f} is not an address`);
  }
  const chainId = r.chainId;
  if (!(typeof chainId === "string" && /^[0-9]{1,78}$/.test(chainId)) && !Number.isSafeInteger(chainId)) {
    throw new SessionError("session.chainId must be a decimal string or integer");
  }
  if (!Number.isSafeInteger(r.expires) || (r.expires as number) < 0) {
    throw new SessionError("session.expires must be unix seconds");
  }
  if (typeof r.signature !== "string" || !/^0x[0-9a-fA-F]{130}$/.test(r.signature)) {
    throw new SessionError("session.signature must be a 65-byte hex signature");
  }
  return {
    user: getAddress(r.user as string),
    provider: getAddress(r.provider as string),
    chainId: BigInt(chainId as string | number),
    expires: r.expires as number,
    signature: r.signature,
  };
}

/**
 * Checks a token for this broker: well formed, signed by `user`, addressed to `provider` on `chainId`,
 * not expired at `now` (unix s). Returns the session; throws SessionError with the reason otherwise.
 */
export function verifySession(
  token: string,
  expect: { provider: string; chainId: bigint | number; now?: number },
): Session {
  const session = decodeSession(token);
  if (session.provider !== getAddress(expect.provider)) {
    throw new SessionError(
      `the session is for provider ${session.provider}, this broker is ${getAddress(expect.provider)}`,
    );
  }
  if (session.chainId !== BigInt(expect.chainId)) {
    throw new SessionError(`the session is for chain ${session.chainId}, this broker serves chain ${expect.chainId}`);
  }
  const now = expect.now ?? Math.floor(Date.now() / 1000);
  if (session.expires <= now)
    throw new SessionError(`the session expired at ${session.expires} (now ${now}); sign a new one`);
  let signer: string;
  try {
    signer = verifyMessage(sessionMessage(session), session.signature);
  } catch {
    throw new SessionError("the session signature is malformed");
  }
  if (signer !== session.user) throw new SessionError("the session signature is not by session.user");
  return session;
}

/** The token from an `Authorization: Bearer ...` header value. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : undefined;
}
