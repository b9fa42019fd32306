// A session token for one provider, the `apiKey` the openai client sends as `Authorization: Bearer zg1.…`.
import { createSession as signSession, type SessionSigner } from "../core";

/** Signs a session for `provider` on `chainId`, valid for `ttlSeconds` from now; returns the bearer token. */
export function createSession(
  wallet: SessionSigner,
  provider: string,
  chainId: bigint | number,
  ttlSeconds = 3600,
): Promise<string> {
  const expires = Math.floor(Date.now() / 1000) + ttlSeconds;
  return signSession(wallet, { provider, chainId, expires });
}
