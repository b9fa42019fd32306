/**
 * The node's compute probe (I/O): each epoch it sends one small chat completion to every compute service that is up,
 * through the user SDK (`zgFetch` with a zg1 session, paying from the node's own ledger account like any user), and
 * checks the answer with the pure `checkExchange`. Funds move only when the provider's sub-account cannot cover the
 * probe's worst case, and everything an epoch commits stays under `probe.maxFeePerEpoch`.
 */
import fs from "node:fs";
import path from "node:path";
import { getAddress, type TypedDataDomain, type Wallet } from "ethers";
import type { ChainClient } from "../../common/chain";
import { errorText } from "../../common/errors";
import type { Logger } from "../../common/logger";
import type { ComputeServiceRecord, ServicesReport } from "../../market/discovery";
import { computeContracts, type ComputeContracts } from "../../compute/chain";
import { createAccount, createSession, deposit, loadReceiptKey, transfer, zgFetch } from "../../compute/client";
import type { ReceiptKey } from "../../compute/client";
import { billDomain, ZG_HEADERS } from "../../compute/core";
import {
  checkExchange,
  probeRequest,
  worstCaseProbeFee,
  type ProbeExchange,
  type ProbeRecord,
  type ProbeRegistration,
} from "../probe";
import type { AlignmentMetrics } from "./metrics";
import type { AlignmentNodeOptions } from "./options";

export interface ComputeProbe {
  /** The node's ledger address: the user every probe is sent as. */
  user: string;
  /** Probes every compute service that is up; never throws for one service's failure. */
  run(sampled: ServicesReport, log: Logger, signal: AbortSignal): Promise<ProbeRecord[]>;
}

interface ProbeContext {
  client: ChainClient;
  options: AlignmentNodeOptions;
  metrics: AlignmentMetrics;
  logger: Logger;
}

interface Account {
  balance: bigint;
  signerKey: [bigint, bigint];
  exists: boolean;
}

/**
 * The probe, or undefined when it is off: `probe.compute` false, or unset while the node's ledger account is missing,
 * empty or holds another receipt key than the node's. With `probe.compute` true the account is created on first need.
 */
export async function initComputeProbe(ctx: ProbeContext): Promise<ComputeProbe | undefined> {
  const { client, options, logger } = ctx;
  const setting = options.probe.compute;
  if (setting === false) return undefined;
  const signer = client.signer!;
  const user = getAddress(signer.address);
  const contracts = computeContracts(client);
  const keyFile = options.probe.receiptKeyFile ?? path.join(options.dataDir, "receipt.key");
  const account = (await contracts.ledger.getAccount(user)) as Account;
  if (setting === undefined && !(account.exists && account.balance > 0n)) {
    logger.info(
      { user },
      `compute probe off: ${user} has no funded compute ledger account (set probe.compute=true to create and fund it)`,
    );
    return undefined;
  }
  if (setting === undefined && !fs.existsSync(keyFile)) {
    logger.info({ user, keyFile }, `compute probe off: no receipt key at ${keyFile}`);
    return undefined;
  }
  fs.mkdirSync(path.dirname(keyFile), { recursive: true });
  const key = loadReceiptKey(keyFile, { create: true });
  if (account.exists && (account.signerKey[0] !== key.publicKey[0] || account.signerKey[1] !== key.publicKey[1])) {
    logger.error(
      { user, keyFile },
      `compute probe off: the ledger account of ${user} holds another receipt key than ${keyFile}, so the node's receipts would not settle`,
    );
    return undefined;
  }
  logger.info(
    { user, keyFile, maxFeePerEpoch: options.probe.maxFeePerEpoch.toString(), created: key.created },
    "compute probe on",
  );
  const domain = billDomain(ctx.client.chainId, await contracts.serving.getAddress());
  return new Prober(ctx, signer, user, contracts, key, domain);
}

class Prober implements ComputeProbe {
  /** Bills this process received per provider (nonce → fee): owed until settled, so top-ups cover them. */
  private readonly owed = new Map<string, Map<bigint, bigint>>();

  constructor(
    private readonly ctx: ProbeContext,
    private readonly signer: Wallet,
    readonly user: string,
    private readonly contracts: ComputeContracts,
    private readonly key: ReceiptKey,
    /** The chain's bill-signature domain: every bill must carry its provider's signature under it. */
    private readonly billDomain: TypedDataDomain,
  ) {}

  async run(sampled: ServicesReport, log: Logger, signal: AbortSignal): Promise<ProbeRecord[]> {
    const cap = this.ctx.options.probe.maxFeePerEpoch;
    const records: ProbeRecord[] = [];
    let committed = 0n;
    let paid = 0n;
    let funded = 0n;
    for (const service of sampled.compute) {
      if (signal.aborted) break;
      if (service.health.state !== "up" || service.modelMatches === false || !service.url) continue;
      const reg: ProbeRegistration = {
        provider: getAddress(service.provider),
        model: service.model,
        inputPrice: BigInt(service.inputPrice),
        outputPrice: BigInt(service.outputPrice),
      };
      const record = await this.probe(service, reg, cap - committed, log, signal).catch(
        (err: unknown): ProbeOutcome => ({
          record: { ...base(service), outcome: "error", findings: [], reason: errorText(err) },
          committed: 0n,
          funded: 0n,
        }),
      );
      committed += record.committed;
      funded += record.funded;
      if (record.record.paid) paid += BigInt(record.record.fee ?? "0");
      records.push(record.record);
      this.ctx.metrics.probes.inc({ result: record.record.outcome });
      for (const f of record.record.findings) this.ctx.metrics.probeFindings.inc({ kind: f.kind });
    }
    this.ctx.metrics.probeFeesWei.inc(Number(paid));
    this.ctx.metrics.probeFundedWei.inc(Number(funded));
    if (records.length > 0) {
      log.info(
        {
          probes: records.length,
          faults: records.filter((r) => r.outcome === "fault").length,
          errors: records.filter((r) => r.outcome === "error").length,
          skipped: records.filter((r) => r.outcome === "skipped").length,
          paidWei: paid.toString(),
          depositedWei: funded.toString(),
        },
        `probed ${records.length} compute services, paid ${paid} wei in signed bills, deposited ${funded} wei`,
      );
    }
    return records;
  }

  private async probe(
    service: ComputeServiceRecord,
    reg: ProbeRegistration,
    left: bigint,
    log: Logger,
    signal: AbortSignal,
  ): Promise<ProbeOutcome> {
    const where = { provider: reg.provider, url: service.url };
    const worst = worstCaseProbeFee(reg);
    const need = await this.shortfall(reg.provider, worst);
    const cost = need > worst ? need : worst;
    if (cost > left) {
      const reason = `the probe may commit ${cost} wei, ${left} wei of probe.maxFeePerEpoch is left this epoch`;
      log.warn(where, `compute probe of ${reg.provider} skipped: ${reason}`);
      return { record: { ...base(service), outcome: "skipped", findings: [], reason }, committed: 0n, funded: 0n };
    }
    const funded = need > 0n ? await this.fund(reg.provider, need, log) : 0n;
    try {
      return { ...(await this.send(service, reg, log, signal)), committed: cost, funded };
    } catch (err) {
      const reason = errorText(err);
      log.warn(where, `compute probe of ${reg.provider} failed: ${reason}`);
      return { record: { ...base(service), outcome: "error", findings: [], reason }, committed: cost, funded };
    }
  }

  /** Sends the probe through the SDK and checks its answer. */
  private async send(
    service: ComputeServiceRecord,
    reg: ProbeRegistration,
    log: Logger,
    signal: AbortSignal,
  ): Promise<{ record: ProbeRecord }> {
    const where = { provider: reg.provider, url: service.url };
    const request = probeRequest(reg.model);
    let exchange: ProbeExchange | undefined;
    let tooLarge = 0;
    const timeout = AbortSignal.any([signal, AbortSignal.timeout(this.ctx.options.probe.timeoutMs)]);
    const capture: typeof fetch = async (input, init) => {
      const res = await fetch(input, { ...init, signal: timeout });
      if (!String(input instanceof Request ? input.url : input).endsWith("/chat/completions")) return res;
      let text = await res.text();
      if (text.length > MAX_ANSWER_CHARS) {
        tooLarge = text.length;
        text = text.slice(0, 1024);
      }
      exchange = {
        request,
        status: res.status,
        response: text,
        billHeader: res.headers.get(ZG_HEADERS.bill),
        billSignatureHeader: res.headers.get(ZG_HEADERS.billSignature),
      };
      return new Response(text, { status: res.status, statusText: res.statusText, headers: res.headers });
    };
    const refusals: string[] = [];
    const zg = zgFetch({
      billDomain: this.billDomain,
      receiptKey: this.key.privateKey,
      user: this.user,
      provider: reg.provider,
      prices: { inputPrice: reg.inputPrice, outputPrice: reg.outputPrice },
      fetch: capture,
      onRefuse: (reason) => refusals.push(reason),
    });
    const session = await createSession(this.signer, reg.provider, this.ctx.client.chainId, 600);
    const response = await zg(`${service.url.replace(/\/+$/, "")}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${session}` },
      body: request,
    });
    await response.text();
    await zg.flush();
    if (!exchange) throw new Error("no answer was captured");
    const failed =
      exchange.status < 200 || exchange.status >= 300
        ? `HTTP ${exchange.status}: ${exchange.response.slice(0, 200)}`
        : tooLarge > 0
          ? `the answer has ${tooLarge} characters, more than the ${MAX_ANSWER_CHARS} a probe keeps (its first 1024 are kept)`
          : undefined;
    if (failed) {
      log.warn(where, `compute probe of ${reg.provider} failed: ${failed}`);
      const paid = zg.signed.length > 0;
      return { record: { ...base(service), outcome: "error", exchange, findings: [], paid, reason: failed } };
    }

    const verdict = checkExchange(exchange, reg, this.user, this.billDomain);
    if (verdict.bill) this.owe(reg.provider, verdict.bill.nonce, verdict.bill.fee);
    const signed = zg.signed[0];
    const record: ProbeRecord = {
      ...base(service),
      outcome: verdict.findings.length > 0 ? "fault" : "ok",
      exchange,
      findings: verdict.findings,
      fee: verdict.bill?.fee.toString(),
      paid: Boolean(signed),
    };
    const fields = {
      ...where,
      fee: record.fee,
      expectedFee: verdict.expectedFee?.toString(),
      paid: record.paid,
      refused: refusals,
      findings: verdict.findings,
    };
    if (verdict.findings.length === 0) {
      log.info(fields, `compute probe of ${reg.provider} clean: paid ${record.fee ?? 0} wei`);
    } else {
      log.warn(
        fields,
        `compute probe of ${reg.provider} found ${verdict.findings.map((f) => f.kind).join(", ")}` +
          (record.paid ? ` (paid ${record.fee} wei)` : " (its bill was not signed)"),
      );
    }
    return { record };
  }

  /** How much the sub-account for `provider` lacks to cover `worst` on top of the bills still unsettled. */
  private async shortfall(provider: string, worst: bigint): Promise<bigint> {
    const { ledger, serving } = this.contracts;
    const [chargeable, nonce] = (await Promise.all([
      ledger.chargeable(this.user, provider),
      serving.nonceOf(this.user, provider),
    ])) as [bigint, bigint];
    const bills = this.owed.get(provider) ?? new Map<bigint, bigint>();
    let owed = 0n;
    for (const [n, fee] of bills) {
      if (n <= nonce) bills.delete(n);
      else owed += fee;
    }
    const needed = worst + owed;
    return needed > chargeable ? needed - chargeable : 0n;
  }

  /** Moves `amount` into the sub-account for `provider`, depositing (or creating the account) for what is missing. */
  private async fund(provider: string, amount: bigint, log: Logger): Promise<bigint> {
    const account = (await this.contracts.ledger.getAccount(this.user)) as Account;
    let deposited = 0n;
    if (!account.exists) {
      await createAccount(this.contracts, this.key.publicKey, amount);
      deposited = amount;
    } else if (account.balance < amount) {
      deposited = amount - account.balance;
      await deposit(this.contracts, deposited);
    }
    await transfer(this.contracts, provider, amount);
    log.info(
      { provider, transferred: amount.toString(), deposited: deposited.toString(), created: !account.exists },
      `moved ${amount} wei to the sub-account for ${provider}` +
        (deposited > 0n ? ` (deposited ${deposited} wei from ${this.user})` : ""),
    );
    return deposited;
  }

  private owe(provider: string, nonce: bigint, fee: bigint) {
    const bills = this.owed.get(provider) ?? new Map<bigint, bigint>();
    bills.set(nonce, fee);
    this.owed.set(provider, bills);
  }
}

/** An answer longer than this (a probe asks for 8 tokens) is not kept whole in the report: the probe fails. */
const MAX_ANSWER_CHARS = 65_536;

interface ProbeOutcome {
  record: ProbeRecord;
  /** What the probe committed against the epoch's cap (its worst case or its top-up, whichever is larger). */
  committed: bigint;
  /** Wei deposited from the node's key for it. */
  funded: bigint;
}

function base(service: ComputeServiceRecord): Omit<ProbeRecord, "outcome" | "findings"> {
  return {
    provider: getAddress(service.provider),
    url: service.url,
    registered: { model: service.model, inputPrice: service.inputPrice, outputPrice: service.outputPrice },
  };
}
