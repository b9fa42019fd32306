/**
 * The compute probe's checks, pure (no I/O): given the exact request the node sent, the answer and bill it got back
 * and the service's registration, the faults the answer shows. The node (`node/probe.ts`) does the sending and
 * paying; this module decides.
 *
 * What a provider commits to for one answer is its bill (X-ZG-Bill, and `zg_bill` in the body), signed with its account
 * key (X-ZG-Bill-Signature, `zg_bill_signature`: EIP-712, `signBillAsProvider`). The bill names the provider and the
 * user, and its requestHash binds the exact request bytes, the answer's text and the token counts. A signature that is
 * missing or not the registered provider's, or a bill that does not bind to this provider and this exchange, is the
 * response-signature fault (COMPUTE_BAD_SIGNATURE).
 */
import { getAddress, isAddress, type TypedDataDomain } from "ethers";
import { type Bill, computeFee, decodeBill, parseBill, recoverBillProvider, requestHash } from "../compute/core";

/** The prompt every probe sends: short, so the request costs a few tokens. */
export const PROBE_PROMPT = "Say hello.";
/** The answer's length limit (tokens). */
export const PROBE_MAX_TOKENS = 8;
/**
 * A bound on the broker's estimate of the probe prompt (its tokens plus a few per message for the chat template);
 * the worst-case fee the broker reserves before it answers stays below `worstCaseProbeFee`.
 */
export const PROBE_PROMPT_TOKEN_BOUND = 64;

export const PROBE_FAULT_KINDS = ["COMPUTE_BAD_SIGNATURE", "COMPUTE_OVERBILLING", "COMPUTE_WRONG_MODEL"] as const;
export type ProbeFaultKind = (typeof PROBE_FAULT_KINDS)[number];

/** The service as ComputeServing registers it. */
export interface ProbeRegistration {
  provider: string;
  model: string;
  /** Wei per token. */
  inputPrice: bigint;
  outputPrice: bigint;
}

/** One request and its answer, byte for byte as they crossed the wire. */
export interface ProbeExchange {
  /** The request body the node sent (UTF-8 JSON). */
  request: string;
  status: number;
  /** The answer's body text. */
  response: string;
  /** The X-ZG-Bill header as received; null when the answer had none. */
  billHeader: string | null;
  /** The X-ZG-Bill-Signature header as received; null when the answer had none (absent in reports before v3). */
  billSignatureHeader?: string | null;
}

export interface ProbeFinding {
  kind: ProbeFaultKind;
  /** One line on what was wrong. */
  reason: string;
}

export interface ProbeVerdict {
  findings: ProbeFinding[];
  /** The bill, when the answer carried a readable one. */
  bill?: Bill;
  /** What the bill should charge: the answer's token counts times the registered prices. */
  expectedFee?: bigint;
}

/** The exact request body a probe sends for `model`. */
export function probeRequest(model: string): string {
  return JSON.stringify({
    model,
    messages: [{ role: "user", content: PROBE_PROMPT }],
    max_tokens: PROBE_MAX_TOKENS,
    temperature: 0,
    stream: false,
  });
}

/** The most a probe can be charged under the registered prices (what the sub-account must cover before it). */
export function worstCaseProbeFee(reg: Pick<ProbeRegistration, "inputPrice" | "outputPrice">): bigint {
  return computeFee(PROBE_PROMPT_TOKEN_BOUND, PROBE_MAX_TOKENS, reg);
}

interface AnswerJson {
  model?: unknown;
  choices?: { message?: { content?: unknown } }[];
  usage?: { prompt_tokens?: unknown; completion_tokens?: unknown };
  zg_bill?: unknown;
  zg_bill_signature?: unknown;
}

const isCount = (n: unknown): n is number => typeof n === "number" && Number.isSafeInteger(n) && n >= 0;

function sameBill(a: Bill, b: Bill): boolean {
  return (
    a.user === b.user &&
    a.provider === b.provider &&
    a.nonce === b.nonce &&
    a.fee === b.fee &&
    a.inputTokens === b.inputTokens &&
    a.outputTokens === b.outputTokens &&
    a.requestHash === b.requestHash
  );
}

/**
 * The faults a successful (2xx) answer shows, at most one per kind (reasons joined):
 * - COMPUTE_BAD_SIGNATURE: no readable bill; the header and body bills differ; with `domain` (the chain's bill
 *   domain, `billDomain`), no provider signature or one that does not recover to the registered provider for this
 *   bill; the bill names another provider than the registered one or another user than `user`; its requestHash is not
 *   the hash of the request sent, the answer received and the bill's token counts (what the SDK checks before it
 *   signs a receipt);
 * - COMPUTE_OVERBILLING: the bill charges more than the answer's token counts (its `usage`, else the bill's own)
 *   times the registered prices; charging less is not a fault;
 * - COMPUTE_WRONG_MODEL: the answer names another model than the registered one.
 * An answer that is not 2xx gives no finding: the caller records it as a failed probe.
 */
export function checkExchange(
  exchange: ProbeExchange,
  reg: ProbeRegistration,
  user: string,
  domain?: TypedDataDomain,
): ProbeVerdict {
  if (exchange.status < 200 || exchange.status >= 300) return { findings: [] };
  const reasons = new Map<ProbeFaultKind, string[]>();
  const add = (kind: ProbeFaultKind, reason: string) => reasons.set(kind, [...(reasons.get(kind) ?? []), reason]);
  const provider = isAddress(reg.provider) ? getAddress(reg.provider) : reg.provider;
  const node = isAddress(user) ? getAddress(user) : user;

  let json: AnswerJson | undefined;
  try {
    const parsed = JSON.parse(exchange.response) as unknown;
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) json = parsed as AnswerJson;
  } catch {
    json = undefined;
  }
  if (!json) {
    add("COMPUTE_BAD_SIGNATURE", "the answer is not a JSON object, so no bill binds it");
    return finish(reasons);
  }
  if (json.model !== reg.model) {
    add("COMPUTE_WRONG_MODEL", `answered as ${JSON.stringify(json.model)}, registered ${JSON.stringify(reg.model)}`);
  }

  let bill: Bill | undefined;
  let bodyBill: Bill | undefined;
  if (exchange.billHeader === null) {
    add("COMPUTE_BAD_SIGNATURE", "the answer has no X-ZG-Bill header");
  } else {
    try {
      bill = decodeBill(exchange.billHeader);
    } catch (err) {
      add("COMPUTE_BAD_SIGNATURE", `the X-ZG-Bill header is malformed: ${(err as Error).message}`);
    }
  }
  if (json.zg_bill !== undefined) {
    try {
      bodyBill = parseBill(json.zg_bill);
    } catch (err) {
      add("COMPUTE_BAD_SIGNATURE", `the body's zg_bill is malformed: ${(err as Error).message}`);
    }
  }
  if (bill && bodyBill && !sameBill(bill, bodyBill)) add("COMPUTE_BAD_SIGNATURE", "X-ZG-Bill and zg_bill differ");
  if (!bill) return finish(reasons);
  if (domain) checkSignature(exchange, json, bill, provider, domain, add);

  if (bill.provider !== provider) {
    add("COMPUTE_BAD_SIGNATURE", `the bill is issued by ${bill.provider}, the registered provider is ${provider}`);
  }
  if (bill.user !== node) add("COMPUTE_BAD_SIGNATURE", `the bill is for ${bill.user}, the request came from ${node}`);
  const content = json.choices?.[0]?.message?.content;
  const text = typeof content === "string" ? content : "";
  const expectedHash = requestHash(exchange.request, text, bill.inputTokens, bill.outputTokens);
  if (expectedHash !== bill.requestHash) {
    add("COMPUTE_BAD_SIGNATURE", "the bill's requestHash does not cover the request sent and the answer received");
  }

  const usage = json.usage;
  const counted =
    usage && isCount(usage.prompt_tokens) && isCount(usage.completion_tokens)
      ? { input: usage.prompt_tokens, output: usage.completion_tokens }
      : { input: bill.inputTokens, output: bill.outputTokens };
  const expectedFee = computeFee(
    Math.min(counted.input, bill.inputTokens),
    Math.min(counted.output, bill.outputTokens),
    reg,
  );
  if (bill.fee > expectedFee) {
    add(
      "COMPUTE_OVERBILLING",
      `the bill charges ${bill.fee} wei; ${counted.input}+${counted.output} tokens (bill: ${bill.inputTokens}+${bill.outputTokens}) at ${reg.inputPrice}/${reg.outputPrice} wei give ${expectedFee} wei`,
    );
  }
  return { ...finish(reasons), bill, expectedFee };
}

/** The provider's signature on the bill: present, the same in header and body, and by the registered provider. */
function checkSignature(
  exchange: ProbeExchange,
  json: AnswerJson,
  bill: Bill,
  provider: string,
  domain: TypedDataDomain,
  add: (kind: ProbeFaultKind, reason: string) => void,
): void {
  const header = exchange.billSignatureHeader ?? null;
  const body = typeof json.zg_bill_signature === "string" ? json.zg_bill_signature : null;
  if (header !== null && body !== null && header !== body) {
    add("COMPUTE_BAD_SIGNATURE", "X-ZG-Bill-Signature and zg_bill_signature differ");
  }
  const signature = header ?? body;
  if (signature === null) {
    add("COMPUTE_BAD_SIGNATURE", "the bill carries no provider signature (X-ZG-Bill-Signature)");
    return;
  }
  const signer = recoverBillProvider(domain, bill, signature);
  if (!signer) add("COMPUTE_BAD_SIGNATURE", "the bill's provider signature is malformed");
  else if (signer !== provider) {
    add("COMPUTE_BAD_SIGNATURE", `the bill is signed by ${signer}, the registered provider is ${provider}`);
  }
}

function finish(reasons: Map<ProbeFaultKind, string[]>): ProbeVerdict {
  return {
    findings: PROBE_FAULT_KINDS.filter((k) => reasons.has(k)).map((kind) => ({
      kind,
      reason: reasons.get(kind)!.join("; "),
    })),
  };
}

/** What one probe found, as the epoch report keeps it. */
export interface ProbeRecord {
  provider: string;
  url: string;
  registered: { model: string; inputPrice: string; outputPrice: string };
  /** ok: answered clean; fault: findings; error: no checkable answer (see reason); skipped: over the fee cap. */
  outcome: "ok" | "fault" | "error" | "skipped";
  /** The request and answer, when one was sent. */
  exchange?: ProbeExchange;
  findings: ProbeFinding[];
  /** The bill's fee in wei, when the answer carried a bill. */
  fee?: string;
  /** Whether the node signed the bill's receipt (it pays what it signs); false when the SDK refused the bill. */
  paid?: boolean;
  /** Why the probe was skipped or failed. */
  reason?: string;
}

/** The evidence of one finding: everything a reader needs to recheck it with `checkExchange`. */
export function probeEvidence(
  record: ProbeRecord,
  finding: ProbeFinding,
  context: { chainId: number; epoch: bigint; licenseId: bigint; user: string },
): Record<string, unknown> {
  return {
    kind: finding.kind,
    chainId: context.chainId,
    epoch: context.epoch.toString(),
    licenseId: context.licenseId.toString(),
    user: context.user,
    provider: record.provider,
    url: record.url,
    registered: record.registered,
    request: record.exchange?.request ?? null,
    status: record.exchange?.status ?? null,
    response: record.exchange?.response ?? null,
    bill: record.exchange?.billHeader ?? null,
    billSignature: record.exchange?.billSignatureHeader ?? null,
    reason: finding.reason,
  };
}
