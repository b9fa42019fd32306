/**
 * The broker's settlement scheduler. Every `pollSeconds` it looks at each user's unsettled bills: bills at or
 * below the on-chain nonce were settled already (a crash between the transaction and markSettled) and are only
 * marked; of the rest it settles the contiguous signed prefix (ZK; an unsigned bill blocks the ones after it) once
 * it holds N receipts or its oldest waited `maxDelaySeconds`. Proofs are made one by one in a worker thread, then
 * the on-chain nonces are read again (a proof names its prevNonce, so a moved nonce means re-planning, never a
 * second payment) and all proofs go in one settleZk call. A revert is logged by its custom error's name and the
 * scheduler backs off, doubling up to `maxBackoffSeconds`.
 */
import type { Contract, Signer, TransactionReceipt } from "ethers";
import { errorText } from "../../../common/errors";
import type { Logger } from "../../../common/logger";
import { SETTLEMENT_BATCH_SIZE, type SettlementRequest } from "../../../zk/settlement";
import { revertName } from "../../client/account";
import type { BillStore, StoredBill } from "../store";
import type { SettlementMetrics } from "./metrics";
import { planUser, settleablePrefix, type UserPlan } from "./plan";
import { startSettlementProver, type SettlementProver } from "./prover";
import { settlementDomain, signTeeSettlement, teeSettlement } from "./tee";

export interface SettlementSchedulerOptions {
  store: BillStore;
  /** ComputeServing and ComputeLedger, signing as the provider (settlements are sent by the provider). */
  chain: { serving: Contract; ledger: Contract };
  mode: "zk" | "tee";
  /** Receipts per proof; at most the circuit's N (ZK). */
  batchSize?: number;
  maxDelaySeconds: number;
  signal?: AbortSignal;
  logger: Logger;
  metrics?: SettlementMetrics;
  /** TEE mode: the attested key whose EIP-712 signature ComputeServing accepts. */
  teeSigner?: Signer;
  pollSeconds?: number;
  backoffSeconds?: number;
  maxBackoffSeconds?: number;
  /** Most proofs (or TEE settlements) per transaction, bounding its gas. */
  maxPerTransaction?: number;
  /** A prover to use instead of starting a thread (tests share one). */
  prover?: SettlementProver;
  artifactsDir?: string;
  /** Milliseconds now (tests move time). */
  now?: () => number;
}

export interface SettlementRound {
  /** Why nothing was sent, when nothing was. */
  idle?: "backoff" | "nothing due" | "nonce moved" | "proving failed" | "closed";
  txHash?: string;
  settled: { user: string; lastNonce: bigint; total: bigint; paid: bigint; receipts: number }[];
  /** The revert (custom error name) or failure of the transaction. */
  error?: string;
}

export interface SettlementScheduler {
  start(): Promise<void>;
  /** One round now (the timer calls it too; rounds never overlap). */
  runOnce(): Promise<SettlementRound>;
  close(): Promise<void>;
}

interface Entry {
  user: string;
  prevNonce: bigint;
  bills: StoredBill[];
  zk?: { lastNonce: bigint; total: bigint; proof: bigint[] };
}

export function createSettlementScheduler(options: SettlementSchedulerOptions): SettlementScheduler {
  const { store, chain, mode, logger, metrics } = options;
  const log = logger.child({ module: "settlement" });
  const batchSize = options.batchSize ?? (mode === "zk" ? SETTLEMENT_BATCH_SIZE : 64);
  if (mode === "zk" && batchSize > SETTLEMENT_BATCH_SIZE) {
    throw new Error(`settlement batchSize ${batchSize} is above the circuit's N = ${SETTLEMENT_BATCH_SIZE}`);
  }
  if (mode === "tee" && !options.teeSigner) throw new Error("TEE settlement needs the tee signer key");
  const now = options.now ?? Date.now;
  const pollMs = (options.pollSeconds ?? Math.min(5, Math.max(1, options.maxDelaySeconds))) * 1000;
  const minBackoffMs = (options.backoffSeconds ?? 5) * 1000;
  const maxBackoffMs = (options.maxBackoffSeconds ?? 300) * 1000;
  const maxPerTx = options.maxPerTransaction ?? 8;
  let prover = options.prover;
  const ownsProver = !prover;
  let backoffMs = 0;
  let backoffUntil = 0;
  let running: Promise<SettlementRound> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let providerAddress: string | undefined;

  const provider = async () => (providerAddress ??= await (chain.serving.runner as Signer).getAddress());
  const nonceOf = async (user: string) => BigInt((await chain.serving.nonceOf(user, await provider())) as bigint);

  async function plan(): Promise<UserPlan[]> {
    const plans: UserPlan[] = [];
    const rules = { batchSize, maxDelayMs: options.maxDelaySeconds * 1000, needSignatures: mode === "zk", now: now() };
    for (const user of await store.usersWithUnsettled()) {
      const unsettled = await store.unsettled(user);
      const onChain = await nonceOf(user);
      if (unsettled.some((b) => b.nonce <= onChain)) {
        // Settled by an earlier run whose markSettled never happened (crash, lost receipt): mark, never resend.
        log.warn({ user, onChainNonce: onChain.toString() }, "bills already settled on chain; marking them settled");
        await store.markSettled(user, onChain, "settled-on-chain");
      }
      const userPlan = planUser(user, settleablePrefix(unsettled, onChain, mode === "zk"), onChain, rules);
      if (userPlan) plans.push(userPlan);
    }
    return plans;
  }

  /** Chunks in order, at most maxPerTx; a user's later chunks only after its earlier ones. */
  function pick(plans: UserPlan[]): Entry[] {
    const entries: Entry[] = [];
    for (const p of plans) {
      let prev = p.prevNonce;
      for (const bills of p.chunks) {
        if (entries.length >= maxPerTx) return entries;
        entries.push({ user: p.user, prevNonce: prev, bills });
        prev = bills[bills.length - 1].nonce;
      }
    }
    return entries;
  }

  async function prove(entries: Entry[]): Promise<Entry[]> {
    prover ??= await startSettlementProver(options.artifactsDir);
    const me = await provider();
    const failed = new Set<string>();
    const keys = new Map<string, [bigint, bigint]>();
    for (const entry of entries) {
      if (failed.has(entry.user)) continue;
      try {
        if (!keys.has(entry.user)) {
          const key = (await chain.ledger.signerKeyOf(entry.user)) as [bigint, bigint];
          keys.set(entry.user, [key[0], key[1]]);
        }
        const request: SettlementRequest = {
          user: entry.user,
          provider: me,
          publicKey: keys.get(entry.user)!,
          prevNonce: entry.prevNonce,
          receipts: entry.bills.map((b) => ({
            nonce: b.nonce,
            fee: b.fee,
            requestHash: b.requestHash,
            ...b.signature!,
          })),
        };
        const result = await prover.prove(request);
        metrics?.proofSeconds.observe(result.seconds);
        entry.zk = { lastNonce: result.lastNonce, total: result.total, proof: result.proof };
      } catch (err) {
        if (closed) return [];
        // One user's bad receipts (a key changed since signing) must not hold up everyone else's.
        failed.add(entry.user);
        metrics?.failures.inc({ stage: "prove" });
        log.error({ user: entry.user, err: errorText(err) }, "proving a settlement failed; skipping this user");
      }
    }
    return entries.filter((e) => e.zk && !failed.has(e.user));
  }

  async function send(entries: Entry[]): Promise<TransactionReceipt> {
    if (mode === "zk") {
      const settlements = entries.map((e) => ({
        user: e.user,
        lastNonce: e.zk!.lastNonce,
        total: e.zk!.total,
        proof: e.zk!.proof,
      }));
      const tx = (await chain.serving.settleZk(settlements)) as { wait(): Promise<TransactionReceipt | null> };
      return (await tx.wait())!;
    }
    const net = await chain.serving.runner!.provider!.getNetwork();
    const domain = settlementDomain(net.chainId, await chain.serving.getAddress());
    const me = await provider();
    const settlements = entries.map((e) => teeSettlement(e.user, e.bills));
    const signatures = await Promise.all(settlements.map((s) => signTeeSettlement(options.teeSigner!, domain, me, s)));
    const tx = (await chain.serving.settleTee(settlements, signatures)) as {
      wait(): Promise<TransactionReceipt | null>;
    };
    return (await tx.wait())!;
  }

  async function round(): Promise<SettlementRound> {
    if (closed) return { idle: "closed", settled: [] };
    if (now() < backoffUntil) return { idle: "backoff", settled: [] };
    let entries = pick(await plan());
    if (entries.length === 0) return { idle: "nothing due", settled: [] };
    if (mode === "zk") {
      entries = await prove(entries);
      if (closed) return { idle: "closed", settled: [] };
      if (entries.length === 0) return { idle: "proving failed", settled: [] };
    }
    // A proof is bound to its prevNonce: if the chain moved while proving, drop that user and re-plan next round.
    const first = new Map<string, bigint>();
    for (const e of entries) if (!first.has(e.user)) first.set(e.user, e.prevNonce);
    const moved = new Set<string>();
    for (const [user, prev] of first) if ((await nonceOf(user)) !== prev) moved.add(user);
    if (moved.size > 0) log.warn({ users: [...moved] }, "on-chain nonce moved while proving; re-planning them");
    entries = entries.filter((e) => !moved.has(e.user));
    if (entries.length === 0) return { idle: "nonce moved", settled: [] };

    let receipt: TransactionReceipt;
    try {
      receipt = await send(entries);
    } catch (err) {
      const error = revertName(err, chain.serving.interface) ?? errorText(err);
      backoffMs = Math.min(maxBackoffMs, backoffMs === 0 ? minBackoffMs : backoffMs * 2);
      backoffUntil = now() + backoffMs;
      metrics?.failures.inc({ stage: "send" });
      log.error({ error, backoffSeconds: backoffMs / 1000, users: [...first.keys()] }, "settlement transaction failed");
      return { settled: [], error };
    }
    backoffMs = 0;
    backoffUntil = 0;
    return record(entries, receipt);
  }

  async function record(entries: Entry[], receipt: TransactionReceipt): Promise<SettlementRound> {
    const settled: SettlementRound["settled"] = [];
    for (const raw of receipt.logs) {
      const parsed = chain.serving.interface.parseLog(raw);
      if (parsed?.name !== "Settled") continue;
      const [user, , , lastNonce, total, paid] = parsed.args as unknown as [
        string,
        string,
        bigint,
        bigint,
        bigint,
        bigint,
      ];
      const entry = entries.find(
        (e) => e.user.toLowerCase() === user.toLowerCase() && e.bills[e.bills.length - 1].nonce === lastNonce,
      );
      settled.push({ user, lastNonce, total, paid, receipts: entry?.bills.length ?? 0 });
      if (paid < total) {
        metrics?.shortfalls.inc();
        log.warn({ user, total: total.toString(), paid: paid.toString() }, "the user's sub-account paid only part");
      }
    }
    const last = new Map<string, bigint>();
    for (const e of entries) last.set(e.user, e.bills[e.bills.length - 1].nonce);
    for (const [user, lastNonce] of last) await store.markSettled(user, lastNonce, receipt.hash);
    const count = settled.reduce((n, s) => n + s.receipts, 0);
    metrics?.settlementsSent.inc();
    metrics?.receiptsSettled.inc(count);
    log.info(
      {
        tx: receipt.hash,
        gasUsed: receipt.gasUsed.toString(),
        receipts: count,
        settlements: settled.map((s) => ({
          user: s.user,
          lastNonce: s.lastNonce.toString(),
          total: s.total.toString(),
          paid: s.paid.toString(),
        })),
      },
      "settled",
    );
    return { txHash: receipt.hash, settled };
  }

  function runOnce(): Promise<SettlementRound> {
    running ??= round().finally(() => (running = undefined));
    return running;
  }

  function schedule() {
    if (closed) return;
    timer = setTimeout(() => {
      runOnce()
        .catch((err: unknown) => log.error({ err: errorText(err) }, "settlement round failed"))
        .finally(schedule);
    }, pollMs);
  }

  async function close() {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    // Stopping the prover first cuts a proof short (seconds of work, redone next start); a transaction already
    // sent is awaited so its bills are marked settled.
    if (ownsProver) await prover?.close();
    await running?.catch(() => undefined);
  }

  options.signal?.addEventListener("abort", () => void close(), { once: true });

  return {
    async start() {
      if (mode === "zk") prover ??= await startSettlementProver(options.artifactsDir);
      log.info({ mode, batchSize, maxDelaySeconds: options.maxDelaySeconds, pollMs }, "settlement scheduler started");
      schedule();
    },
    runOnce,
    close,
  };
}
