/**
 * What the broker reads from chain per request, cached for a short time: the provider's service (prices, mode)
 * and a user's ledger view (chargeable balance, receipt signer key, last settled nonce).
 */
import type { Contract } from "ethers";
import type { PublicKey } from "../core";
import { readService, type ServiceView } from "../chain";

export interface UserView {
  exists: boolean;
  /** Sub-account balance the provider can be paid from (balance minus pending refunds). */
  chargeable: bigint;
  signerKey: PublicKey;
  /** Last nonce settled on chain for (user, provider). */
  onChainNonce: bigint;
}

export interface BrokerChainView {
  service(): Promise<ServiceView | undefined>;
  user(user: string): Promise<UserView>;
  /** Drops the cached view of `user` (after a refusal a retry should see fresh balances). */
  forget(user: string): void;
}

class Cache<T> {
  private readonly entries = new Map<string, { at: number; value: Promise<T> }>();
  constructor(private readonly ttlMs: number) {}

  get(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.value;
    const value = load();
    this.entries.set(key, { at: Date.now(), value });
    // A failed read must not be served from the cache.
    value.catch(() => this.entries.delete(key));
    return value;
  }

  delete(key: string) {
    this.entries.delete(key);
  }
}

export function brokerChainView(ledger: Contract, serving: Contract, provider: string, ttlMs: number): BrokerChainView {
  const services = new Cache<ServiceView | undefined>(ttlMs);
  const users = new Cache<UserView>(ttlMs);
  return {
    service: () => services.get("", () => readService(serving, provider)),
    user: (user) =>
      users.get(user.toLowerCase(), async () => {
        const account = await (
          ledger.getAccount(user) as Promise<{ signerKey: [bigint, bigint]; exists: boolean }>
        ).catch((err: unknown) => {
          if (revertName(err) === "ComputeLedgerNoAccount")
            return { signerKey: [0n, 0n] as [bigint, bigint], exists: false };
          throw err;
        });
        if (!account.exists) return { exists: false, chargeable: 0n, signerKey: [0n, 0n], onChainNonce: 0n };
        const [chargeable, nonce] = await Promise.all([
          ledger.chargeable(user, provider) as Promise<bigint>,
          serving.nonceOf(user, provider) as Promise<bigint>,
        ]);
        return {
          exists: account.exists,
          chargeable,
          signerKey: [account.signerKey[0], account.signerKey[1]],
          onChainNonce: nonce,
        };
      }),
    forget: (user) => users.delete(user.toLowerCase()),
  };
}

function revertName(err: unknown): string | undefined {
  return (err as { revert?: { name?: string } }).revert?.name;
}
