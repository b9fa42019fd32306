// What to settle now, pure: per user, the contiguous run of settleable bills above the on-chain nonce, cut into
// proofs of at most N receipts. Kept apart from the scheduler's I/O so the rules can be tested on their own.
import type { StoredBill } from "../store";

export interface UserPlan {
  user: string;
  /** The (user, provider) nonce on chain when planned: the first proof's prevNonce. */
  prevNonce: bigint;
  /** Consecutive chunks of bills, each one proof (ZK) or one signed settlement (TEE). */
  chunks: StoredBill[][];
}

export interface PlanRules {
  /** Receipts per proof (the circuit's N); in TEE mode the most bills one settlement covers. */
  batchSize: number;
  /** A partial chunk settles once its oldest bill is this old (ms). */
  maxDelayMs: number;
  /** ZK mode needs each bill signed by the user; TEE mode settles unsigned bills. */
  needSignatures: boolean;
  now: number;
}

/**
 * The bills of one user that may settle, in nonce order: those above `onChainNonce`, up to the first unsigned one
 * when signatures are needed (settling past an unsigned bill would move the nonce over it and orphan it).
 */
export function settleablePrefix(unsettled: StoredBill[], onChainNonce: bigint, needSignatures: boolean): StoredBill[] {
  const open = unsettled.filter((b) => b.nonce > onChainNonce).sort((a, b) => (a.nonce < b.nonce ? -1 : 1));
  if (!needSignatures) return open;
  const firstUnsigned = open.findIndex((b) => !b.signature);
  return firstUnsigned < 0 ? open : open.slice(0, firstUnsigned);
}

/**
 * Full chunks of `batchSize` always; the trailing partial chunk only when its oldest bill waited `maxDelayMs`
 * (a proof costs the same for 1 receipt as for N, so a young remainder waits for company).
 */
export function planUser(
  user: string,
  prefix: StoredBill[],
  prevNonce: bigint,
  rules: PlanRules,
): UserPlan | undefined {
  const chunks: StoredBill[][] = [];
  for (let at = 0; at < prefix.length; at += rules.batchSize) {
    const chunk = prefix.slice(at, at + rules.batchSize);
    const full = chunk.length === rules.batchSize;
    const oldest = Math.min(...chunk.map((b) => b.createdAt));
    if (full || rules.now - oldest >= rules.maxDelayMs) chunks.push(chunk);
  }
  return chunks.length === 0 ? undefined : { user, prevNonce, chunks };
}
