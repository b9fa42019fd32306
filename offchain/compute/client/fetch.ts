/**
 * `zgFetch`: a fetch for the official `openai` client that pays for what it gets. For every answered request it
 * reads the broker's bill (X-ZG-Bill on a JSON response, `zg_bill` in the last SSE chunk of a stream), checks it
 * against what was sent and received (requestHash over the exact request bytes and the answer's text, token
 * counts, user, provider, a nonce never signed before, and with `billDomain` the provider's own signature on the
 * bill) and the fee against the provider's on-chain prices, and
 * only then signs the receipt with the user's Baby Jubjub key and posts it (POST /v1/receipts). A bill that does
 * not check out is never signed: it is reported through `onRefuse` and kept in `refusals`.
 *
 * It never throws for a bad bill or a failed receipt post: the openai client retries a fetch that throws, and a
 * retry would be served, and billed, again. A receipt whose post failed rides on the next request (X-ZG-Receipts).
 */
import { getAddress, type TypedDataDomain } from "ethers";
import {
  type Bill,
  type BillSignature,
  billSignatureJson,
  computeFee,
  encodeReceiptsHeader,
  parseBill,
  decodeBill,
  type PrivateKey,
  type Prices,
  recoverBillProvider,
  requestHash,
  signBill,
  ZG_HEADERS,
} from "../core";

export interface SignedBill {
  bill: Bill;
  signature: BillSignature;
  /** Whether the broker accepted the receipt (false: it waits to ride on the next request). */
  posted: boolean;
}

export interface ZgFetchOptions {
  /** The user's Baby Jubjub receipt key (the bytes whose public key the ledger holds). */
  receiptKey: PrivateKey;
  user: string;
  provider: string;
  /** The provider's on-chain prices, or a function reading them (called again once when a fee does not match). */
  prices: Prices | (() => Promise<Prices>);
  /**
   * The chain's bill domain (`billDomain(chainId, ComputeServing)`): when set, a bill must carry the provider's
   * EIP-712 signature (X-ZG-Bill-Signature, `zg_bill_signature`) or it is not signed.
   */
  billDomain?: TypedDataDomain;
  /** The fetch underneath (default: globalThis.fetch). */
  fetch?: typeof fetch;
  onBill?: (signed: SignedBill) => void;
  onRefuse?: (reason: string, bill: Bill | undefined) => void;
}

export interface ZgFetch {
  (input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /** Every bill signed, in the order answers completed. */
  readonly signed: SignedBill[];
  /** Bills (or answers without a readable bill) that were not signed, with the reason. */
  readonly refusals: { reason: string; bill?: Bill }[];
  /** Resolves once every bill received so far is checked, signed and posted (or refused). */
  flush(): Promise<void>;
}

interface Answer {
  text: string;
  usage?: { prompt_tokens?: unknown; completion_tokens?: unknown };
  /** The provider's signature on the bill, from the header or the body. */
  signature?: string;
}

function bodyBytes(body: unknown): Uint8Array | undefined {
  if (body === undefined || body === null) return new Uint8Array();
  if (typeof body === "string") return new TextEncoder().encode(body);
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  return undefined;
}

/** The answer's text as the broker hashes it: a chat message's content or a completion's text. */
function answerText(json: { choices?: { message?: { content?: unknown }; text?: unknown }[] }): string {
  const choice = json.choices?.[0];
  const text = choice?.message?.content ?? choice?.text ?? "";
  return typeof text === "string" ? text : "";
}

export function zgFetch(options: ZgFetchOptions): ZgFetch {
  const inner = options.fetch ?? globalThis.fetch;
  const user = getAddress(options.user);
  const provider = getAddress(options.provider);
  const seen = new Set<bigint>();
  const signed: SignedBill[] = [];
  const refusals: { reason: string; bill?: Bill }[] = [];
  let unposted: BillSignature[] = [];
  // Checking, signing (~0.1 s of BigInt curve arithmetic) and posting a receipt happen after the answer is handed
  // to the caller, so they add nothing to the latency the caller sees; flush() waits for them.
  const pending = new Set<Promise<void>>();
  const track = (work: Promise<void>) => {
    pending.add(work);
    void work.finally(() => pending.delete(work));
  };
  const flush = async () => {
    while (pending.size > 0) await Promise.all([...pending]);
  };
  let prices: Prices | undefined = typeof options.prices === "function" ? undefined : options.prices;

  const readPrices = async (fresh: boolean): Promise<Prices> => {
    if (typeof options.prices !== "function") return options.prices;
    if (!prices || fresh) prices = await options.prices();
    return prices;
  };

  const refuse = (reason: string, bill?: Bill) => {
    refusals.push({ reason, bill });
    options.onRefuse?.(reason, bill);
  };

  /** The reason not to sign `bill`, or undefined when it checks out. */
  const check = async (bill: Bill, body: Uint8Array, answer: Answer): Promise<string | undefined> => {
    if (bill.user !== user) return `the bill is for user ${bill.user}, not ${user}`;
    if (bill.provider !== provider) return `the bill is from provider ${bill.provider}, not ${provider}`;
    if (seen.has(bill.nonce)) return `nonce ${bill.nonce} was already signed once`;
    if (options.billDomain) {
      if (!answer.signature) return "the bill carries no provider signature (X-ZG-Bill-Signature)";
      const signer = recoverBillProvider(options.billDomain, bill, answer.signature);
      if (signer !== provider) return `the bill is not signed by provider ${provider}`;
    }
    const usage = answer.usage;
    if (usage && (usage.prompt_tokens !== bill.inputTokens || usage.completion_tokens !== bill.outputTokens)) {
      return `the bill counts ${bill.inputTokens}+${bill.outputTokens} tokens, the answer's usage ${String(usage.prompt_tokens)}+${String(usage.completion_tokens)}`;
    }
    const expected = requestHash(body, answer.text, bill.inputTokens, bill.outputTokens);
    if (expected !== bill.requestHash)
      return "the bill's requestHash does not match the request sent and the answer received";
    let fee = computeFee(bill.inputTokens, bill.outputTokens, await readPrices(false));
    if (fee !== bill.fee && typeof options.prices === "function") {
      fee = computeFee(bill.inputTokens, bill.outputTokens, await readPrices(true));
    }
    if (fee !== bill.fee) return `the bill charges ${bill.fee} wei, the on-chain prices give ${fee} wei`;
    return undefined;
  };

  const postReceipt = async (url: URL, auth: string | null, sig: BillSignature): Promise<boolean> => {
    const base = url.pathname.slice(0, url.pathname.indexOf("/v1/") + 3);
    try {
      const response = await inner(new URL(`${base}/receipts`, url).toString(), {
        method: "POST",
        headers: { "content-type": "application/json", ...(auth ? { authorization: auth } : {}) },
        body: JSON.stringify({ receipts: [billSignatureJson(sig)] }),
      });
      await response.arrayBuffer();
      return response.ok;
    } catch {
      return false;
    }
  };

  const settle = async (bill: Bill, body: Uint8Array, answer: Answer, url: URL, auth: string | null) => {
    const reason = await check(bill, body, answer);
    if (reason) return refuse(reason, bill);
    seen.add(bill.nonce);
    const signature = signBill(options.receiptKey, bill);
    const posted = await postReceipt(url, auth, signature);
    if (!posted) unposted.push(signature);
    const entry = { bill, signature, posted };
    signed.push(entry);
    options.onBill?.(entry);
  };

  const wrapped = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : undefined;
    const url = new URL(request ? request.url : input.toString());
    const headers = new Headers(init?.headers ?? request?.headers);
    const body = bodyBytes(init?.body ?? (request ? new Uint8Array(await request.clone().arrayBuffer()) : undefined));
    const riding = unposted;
    if (riding.length > 0) headers.set(ZG_HEADERS.receipts, encodeReceiptsHeader(riding));
    const response = await inner(request ? new Request(request, { headers }) : url.toString(), { ...init, headers });
    if (riding.length > 0 && response.ok) unposted = unposted.filter((s) => !riding.includes(s));
    const auth = headers.get("authorization");
    const type = response.headers.get("content-type") ?? "";
    if (!response.ok || !response.body) return response;
    if (type.includes("text/event-stream")) return streamed(response, body, url, auth);
    const billHeader = response.headers.get(ZG_HEADERS.bill);
    if (!billHeader) return response;
    const text = await response.text();
    const copy = new Response(text, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
    let bill: Bill;
    try {
      bill = decodeBill(billHeader);
    } catch (err) {
      refuse(`the X-ZG-Bill header is malformed: ${(err as Error).message}`);
      return copy;
    }
    if (!body) {
      refuse("the request body could not be read, so the bill's requestHash cannot be checked", bill);
      return copy;
    }
    let json: Answer & Parameters<typeof answerText>[0] & { zg_bill_signature?: unknown };
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      refuse("the billed answer is not JSON", bill);
      return copy;
    }
    const bodySignature = typeof json.zg_bill_signature === "string" ? json.zg_bill_signature : undefined;
    const signature = response.headers.get(ZG_HEADERS.billSignature) ?? bodySignature;
    track(settle(bill, body, { text: answerText(json), usage: json.usage, signature }, url, auth));
    return copy;
  };

  /** Passes the stream through untouched, collecting its text and bill; settles when it ends. */
  const streamed = (response: Response, body: Uint8Array | undefined, url: URL, auth: string | null) => {
    const decoder = new TextDecoder();
    let buffer = "";
    let text = "";
    let raw: unknown;
    let signature: string | undefined;
    let usage: Answer["usage"];
    const onEvent = (event: string) => {
      for (const line of event.split("\n")) {
        if (!line.startsWith("data:")) continue;
        const data = line.slice(5).trim();
        if (data === "[DONE]" || data === "") continue;
        try {
          const chunk = JSON.parse(data) as {
            choices?: { delta?: { content?: unknown }; text?: unknown }[];
            usage?: Answer["usage"];
            zg_bill?: unknown;
            zg_bill_signature?: unknown;
          };
          const piece = chunk.choices?.[0]?.delta?.content ?? chunk.choices?.[0]?.text;
          if (typeof piece === "string") text += piece;
          if (chunk.usage) usage = chunk.usage;
          if (chunk.zg_bill !== undefined) raw = chunk.zg_bill;
          if (typeof chunk.zg_bill_signature === "string") signature = chunk.zg_bill_signature;
        } catch {
          // Not ours to judge: the openai client reports malformed chunks to its caller.
        }
      }
    };
    const transform = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        controller.enqueue(chunk);
        buffer += decoder.decode(chunk, { stream: true }).replace(/\r\n/g, "\n");
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          onEvent(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      },
      async flush() {
        if (buffer.trim() !== "") onEvent(buffer);
        if (raw === undefined) return refuse("the stream ended without a zg_bill");
        let bill: Bill;
        try {
          bill = parseBill(raw);
        } catch (err) {
          return refuse(`the stream's zg_bill is malformed: ${(err as Error).message}`);
        }
        if (!body)
          return refuse("the request body could not be read, so the bill's requestHash cannot be checked", bill);
        track(settle(bill, body, { text, usage, signature }, url, auth));
      },
    });
    return new Response(response.body!.pipeThrough(transform), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };

  return Object.assign(wrapped, { signed, refusals, flush });
}
