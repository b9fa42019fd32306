/**
 * Who may be served and what they owe: session checks, the balance and exposure checks before a request,
 * receipts, and the bill after it. Everything that refuses throws a ComputeApiError in OpenAI's shape.
 */
import { getAddress } from "ethers";
import type { Generation } from "../backend/types";
import {
  apiErrors,
  type Bill,
  type BillSignature,
  bearerToken,
  computeFee,
  type Prices,
  requestHash,
  type Session,
  SessionError,
  verifyBillSignature,
  verifySession,
} from "../core";
import type { BrokerChainView } from "./chainView";
import type { BrokerMetrics } from "./metrics";
import type { BillStore, StoredBill } from "./store";

export interface BillingConfig {
  provider: string;
  chainId: bigint;
  mode: "zk" | "tee";
  maxUnsignedFee: bigint;
  /** The provider's EIP-712 signature on a bill it issues (`signBillAsProvider` with its account key). */
  signBill: (bill: Bill) => Promise<string>;
}

export class Billing {
  /** Worst-case fees of requests running now, per user, so concurrent requests cannot overdraw together. */
  private readonly reserved = new Map<string, bigint>();

  constructor(
    private readonly config: BillingConfig,
    private readonly store: BillStore,
    private readonly chain: BrokerChainView,
    private readonly metrics: BrokerMetrics,
  ) {}

  authenticate(authorization: string | undefined): Session {
    const token = bearerToken(authorization);
    if (!token) {
      throw apiErrors.unauthorized(
        "missing session: send Authorization: Bearer zg1.<session> (zg compute session, or createSession in the SDK)",
        "missing_session",
      );
    }
    try {
      return verifySession(token, { provider: this.config.provider, chainId: this.config.chainId });
    } catch (err) {
      if (err instanceof SessionError) throw apiErrors.unauthorized(`invalid session: ${err.message}`);
      throw err;
    }
  }

  async prices(): Promise<Prices> {
    const service = await this.chain.service();
    if (!service) {
      throw apiErrors.unavailable(
        `provider ${this.config.provider} has no registered service; run zg compute provider register`,
      );
    }
    return { inputPrice: service.inputPrice, outputPrice: service.outputPrice };
  }

  /**
   * Verifies every receipt against the user's on-chain key before attaching any, so one forged receipt changes
   * nothing. Receipts for bills already signed or settled are accepted again unchanged.
   */
  async acceptReceipts(user: string, sigs: BillSignature[]): Promise<number> {
    const view = await this.chain.user(user);
    if (!view.exists) throw apiErrors.invalidRequest(`${user} has no ledger account`, "receipts", "no_account");
    const fresh: BillSignature[] = [];
    for (const [i, sig] of sigs.entries()) {
      const stored = await this.store.getBill(user, sig.nonce);
      if (!stored) {
        this.metrics.receipts.inc({ result: "unknown" });
        throw apiErrors.invalidRequest(`receipts[${i}]: no bill with nonce ${sig.nonce}`, "receipts", "unknown_bill");
      }
      if (!verifyBillSignature(this.toBill(stored), view.signerKey, sig)) {
        this.metrics.receipts.inc({ result: "invalid" });
        throw apiErrors.invalidRequest(
          `receipts[${i}]: the signature over bill ${sig.nonce} does not verify against the ledger's signer key of ${user}`,
          "receipts",
          "invalid_receipt",
        );
      }
      if (!stored.signature && !stored.settledTx) fresh.push(sig);
    }
    for (const sig of fresh) {
      await this.store.attachSignature(user, sig.nonce, { R8x: sig.R8x, R8y: sig.R8y, S: sig.S });
    }
    this.metrics.receipts.inc({ result: "accepted" }, sigs.length);
    return fresh.length;
  }

  /** Refuses a user who cannot pay `worstCase` or who holds too many unsigned bills; reserves the worst case. */
  async admit(user: string, worstCase: bigint): Promise<void> {
    const view = await this.chain.user(user);
    if (!view.exists) {
      throw apiErrors.insufficientQuota(
        `${user} has no ledger account; create one and transfer funds to ${this.config.provider}`,
      );
    }
    // Bills at or below the on-chain nonce are paid already, even if the scheduler has not marked them yet.
    const open = (await this.store.unsettled(user)).filter((b) => b.nonce > view.onChainNonce);
    if (this.config.mode === "zk") {
      const unsigned = open.filter((b) => !b.signature).reduce((sum, b) => sum + b.fee, 0n);
      if (unsigned > this.config.maxUnsignedFee) {
        throw apiErrors.receiptsRequired(
          `${unsigned} wei of bills are unsigned (limit ${this.config.maxUnsignedFee}); sign them (GET /v1/bills) and send them in X-ZG-Receipts or POST /v1/receipts`,
        );
      }
    }
    const owed = open.reduce((sum, b) => sum + b.fee, 0n) + (this.reserved.get(user) ?? 0n);
    const available = view.chargeable > owed ? view.chargeable - owed : 0n;
    if (available < worstCase) {
      this.chain.forget(user);
      throw apiErrors.insufficientQuota(
        `the sub-account of ${user} with ${this.config.provider} can pay ${available} wei after unsettled bills, this request may cost up to ${worstCase} wei; transfer more funds to the provider`,
      );
    }
    this.reserved.set(user, (this.reserved.get(user) ?? 0n) + worstCase);
  }

  release(user: string, worstCase: bigint) {
    const left = (this.reserved.get(user) ?? 0n) - worstCase;
    if (left > 0n) this.reserved.set(user, left);
    else this.reserved.delete(user);
  }

  /** Allocates the nonce and stores the bill durably; the response carrying it is sent after this resolves. */
  async bill(user: string, body: Uint8Array, gen: Generation, prices: Prices): Promise<Bill> {
    const view = await this.chain.user(user);
    const nonce = await this.store.allocateNonce(user, view.onChainNonce);
    const bill: Bill = {
      user: getAddress(user),
      provider: this.config.provider,
      nonce,
      fee: computeFee(gen.inputTokens, gen.outputTokens, prices),
      inputTokens: gen.inputTokens,
      outputTokens: gen.outputTokens,
      requestHash: requestHash(body, gen.text, gen.inputTokens, gen.outputTokens),
    };
    await this.store.putBill({ ...bill, createdAt: Date.now() });
    this.metrics.bills.inc({ finish: gen.finishReason });
    this.metrics.inputTokens.inc(gen.inputTokens);
    this.metrics.outputTokens.inc(gen.outputTokens);
    this.metrics.feesBilled.inc(Number(bill.fee));
    return bill;
  }

  /** The provider's signature on `bill`: sent with the answer as X-ZG-Bill-Signature and `zg_bill_signature`. */
  sign(bill: Bill): Promise<string> {
    return this.config.signBill(bill);
  }

  async unsignedBills(user: string): Promise<Bill[]> {
    return (await this.store.unsigned(user)).map((b) => this.toBill(b));
  }

  /** Sum of unsigned unsettled fees over every user (the exposure gauge). */
  async unsignedExposure(): Promise<bigint> {
    let total = 0n;
    for (const user of await this.store.usersWithUnsettled()) {
      for (const b of await this.store.unsigned(user)) total += b.fee;
    }
    return total;
  }

  toBill(b: StoredBill): Bill {
    return {
      user: getAddress(b.user),
      provider: this.config.provider,
      nonce: b.nonce,
      fee: b.fee,
      inputTokens: b.inputTokens,
      outputTokens: b.outputTokens,
      requestHash: b.requestHash,
    };
  }
}
