// The user SDK: zgFetch against a scripted broker (the official openai client on top), and the ledger account
// operations against the in-process Hardhat chain.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { Wallet } from "ethers";
import OpenAI from "openai";
import { computeContracts } from "../../offchain/compute/chain";
import {
  billDomain,
  billJson,
  computeFee,
  encodeBill,
  parseBillSignatures,
  receiptPublicKey,
  requestHash,
  signBillAsProvider,
  verifyBillSignature,
  type Bill,
  type BillSigningKey,
  type Prices,
} from "../../offchain/compute/core";
import * as sdk from "../../offchain/compute/client";
import { isZgError } from "../../offchain/common/errors";
import { computeFixture, makeProvider, LOCK_TIME } from "./helpers";
import { zkParams } from "./servingHelpers";

const KEY = Buffer.alloc(32, 3);
const USER = "0x1111111111111111111111111111111111111111";
const PROVIDER = "0x2222222222222222222222222222222222222222";
const PRICES: Prices = { inputPrice: 1000n, outputPrice: 2000n };
const ANSWER = "hello there";

interface Tamper {
  fee?: bigint;
  hashOf?: string;
  nonce?: bigint;
  user?: string;
  receiptsDown?: boolean;
  /** Bills name this provider (default PROVIDER) and are signed with `signWith` under DOMAIN when it is given. */
  provider?: string;
  signWith?: BillSigningKey;
}

const DOMAIN = billDomain(31337, "0x000000000000000000000000000000000000c0de");

/**
 * A broker answering every chat with ANSWER (5 input, 2 output tokens) and recording receipts and headers; with
 * `signWith`, each bill carries its signature (X-ZG-Bill-Signature and zg_bill_signature, as the real broker sends).
 */
function scriptedBroker(tamper: Tamper = {}) {
  let nonce = 0n;
  const receipts: unknown[] = [];
  const receiptHeaders: string[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    const headers = new Headers(init?.headers);
    const riding = headers.get("x-zg-receipts");
    if (riding) receiptHeaders.push(riding);
    if (url.pathname === "/v1/receipts") {
      if (tamper.receiptsDown) return new Response("down", { status: 503 });
      receipts.push(...((JSON.parse(init!.body as string) as { receipts: unknown[] }).receipts ?? []));
      return Response.json({ accepted: 1 });
    }
    const body = init!.body as string;
    const request = JSON.parse(body) as { stream?: boolean };
    nonce = tamper.nonce ?? nonce + 1n;
    const bill: Bill = {
      user: tamper.user ?? USER,
      provider: tamper.provider ?? PROVIDER,
      nonce,
      fee: tamper.fee ?? computeFee(5, 2, PRICES),
      inputTokens: 5,
      outputTokens: 2,
      requestHash: requestHash(body, tamper.hashOf ?? ANSWER, 5, 2),
    };
    const signature = tamper.signWith ? await signBillAsProvider(tamper.signWith, DOMAIN, bill) : undefined;
    const signed = signature ? { zg_bill_signature: signature } : {};
    const usage = { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 };
    const base = { id: "chatcmpl-1", created: 1, model: "zg-tiny" };
    if (!request.stream) {
      const message = { role: "assistant", content: ANSWER };
      return Response.json(
        {
          ...base,
          object: "chat.completion",
          choices: [{ index: 0, message, finish_reason: "stop" }],
          usage,
          zg_bill: billJson(bill),
          ...signed,
        },
        { headers: { "x-zg-bill": encodeBill(bill), ...(signature ? { "x-zg-bill-signature": signature } : {}) } },
      );
    }
    const chunk = (delta: object, extra: object = {}) =>
      `data: ${JSON.stringify({ ...base, object: "chat.completion.chunk", choices: [{ index: 0, delta, finish_reason: null }], ...extra })}\n\n`;
    const events = [
      chunk({ role: "assistant", content: "hello" }),
      chunk({ content: " there" }),
      chunk({}, { usage, zg_bill: billJson(bill), ...signed }),
      "data: [DONE]\n\n",
    ];
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        // One event split across two reads, as a real socket may deliver it.
        const all = new TextEncoder().encode(events.join(""));
        controller.enqueue(all.slice(0, 40));
        controller.enqueue(all.slice(40));
        controller.close();
      },
    });
    return new Response(stream, { headers: { "content-type": "text/event-stream" } });
  };
  return { fetch, receipts, receiptHeaders };
}

function openai(fetch: typeof globalThis.fetch) {
  return new OpenAI({ baseURL: "http://broker.test/v1", apiKey: "zg1.test", fetch, maxRetries: 0 });
}

const ASK = { model: "zg-tiny", messages: [{ role: "user" as const, content: "hi" }] };

describe("zgFetch [offchain]", function () {
  it("signs and posts the receipt of a checked JSON answer; the openai client sees the answer unchanged", async function () {
    const broker = scriptedBroker();
    const zg = sdk.zgFetch({ receiptKey: KEY, user: USER, provider: PROVIDER, prices: PRICES, fetch: broker.fetch });
    const answer = await openai(zg).chat.completions.create(ASK);
    expect(answer.choices[0].message.content).to.equal(ANSWER);
    await zg.flush();
    expect(zg.signed).to.have.length(1);
    expect(zg.refusals).to.deep.equal([]);
    const [sig] = parseBillSignatures(broker.receipts);
    expect(sig.nonce).to.equal(1n);
    expect(verifyBillSignature(zg.signed[0].bill, receiptPublicKey(KEY), sig)).to.equal(true);
  });

  it("signs a streamed answer's bill from its last chunk once the stream ends", async function () {
    const broker = scriptedBroker();
    const zg = sdk.zgFetch({ receiptKey: KEY, user: USER, provider: PROVIDER, prices: PRICES, fetch: broker.fetch });
    let text = "";
    for await (const chunk of await openai(zg).chat.completions.create({ ...ASK, stream: true })) {
      text += chunk.choices[0]?.delta?.content ?? "";
    }
    expect(text).to.equal(ANSWER);
    await zg.flush();
    expect(zg.signed.map((s) => s.bill.nonce)).to.deep.equal([1n]);
    expect(broker.receipts).to.have.length(1);
  });

  it("with billDomain, signs only bills the provider signed, in JSON answers and streams", async function () {
    const key = Wallet.createRandom();
    const options = { receiptKey: KEY, user: USER, provider: key.address, prices: PRICES, billDomain: DOMAIN };
    const good = scriptedBroker({ provider: key.address, signWith: key });
    const zg = sdk.zgFetch({ ...options, fetch: good.fetch });
    await openai(zg).chat.completions.create(ASK);
    for await (const chunk of await openai(zg).chat.completions.create({ ...ASK, stream: true })) void chunk;
    await zg.flush();
    expect(zg.refusals).to.deep.equal([]);
    expect(zg.signed.map((x) => x.bill.nonce)).to.deep.equal([1n, 2n]);

    const unsigned = sdk.zgFetch({ ...options, fetch: scriptedBroker({ provider: key.address }).fetch });
    await openai(unsigned).chat.completions.create(ASK);
    const foreign = sdk.zgFetch({
      ...options,
      fetch: scriptedBroker({ provider: key.address, signWith: Wallet.createRandom() }).fetch,
    });
    for await (const chunk of await openai(foreign).chat.completions.create({ ...ASK, stream: true })) void chunk;
    await Promise.all([unsigned.flush(), foreign.flush()]);
    expect(unsigned.signed.concat(foreign.signed)).to.deep.equal([]);
    expect(unsigned.refusals[0].reason).to.equal("the bill carries no provider signature (X-ZG-Bill-Signature)");
    expect(foreign.refusals[0].reason).to.equal(`the bill is not signed by provider ${key.address}`);
  });

  it("refuses a fee above the on-chain prices, signing nothing", async function () {
    const broker = scriptedBroker({ fee: computeFee(5, 2, PRICES) + 1n });
    const zg = sdk.zgFetch({ receiptKey: KEY, user: USER, provider: PROVIDER, prices: PRICES, fetch: broker.fetch });
    await openai(zg).chat.completions.create(ASK);
    await zg.flush();
    expect(zg.signed).to.deep.equal([]);
    expect(zg.refusals[0].reason).to.match(/on-chain prices give/);
    expect(broker.receipts).to.deep.equal([]);
  });

  it("re-reads the prices once when the fee does not match the cached ones", async function () {
    const broker = scriptedBroker();
    let reads = 0;
    const prices = async () => (reads++ === 0 ? { inputPrice: 1n, outputPrice: 1n } : PRICES);
    const zg = sdk.zgFetch({ receiptKey: KEY, user: USER, provider: PROVIDER, prices, fetch: broker.fetch });
    await openai(zg).chat.completions.create(ASK);
    await zg.flush();
    expect(zg.signed).to.have.length(1);
    expect(reads).to.equal(2);
  });

  it("refuses a requestHash over another answer", async function () {
    const broker = scriptedBroker({ hashOf: "something else" });
    const zg = sdk.zgFetch({ receiptKey: KEY, user: USER, provider: PROVIDER, prices: PRICES, fetch: broker.fetch });
    await openai(zg)
      .chat.completions.create({ ...ASK, stream: true })
      .then(async (s) => {
        for await (const _ of s);
      });
    await zg.flush();
    expect(zg.signed).to.deep.equal([]);
    expect(zg.refusals[0].reason).to.match(/requestHash/);
  });

  it("refuses a nonce it already signed and a bill for another user", async function () {
    const broker = scriptedBroker({ nonce: 7n });
    const zg = sdk.zgFetch({ receiptKey: KEY, user: USER, provider: PROVIDER, prices: PRICES, fetch: broker.fetch });
    await openai(zg).chat.completions.create(ASK);
    await openai(zg).chat.completions.create(ASK);
    await zg.flush();
    expect(zg.signed.map((s) => s.bill.nonce)).to.deep.equal([7n]);
    expect(zg.refusals[0].reason).to.match(/already signed/);

    const stranger = scriptedBroker({ user: PROVIDER });
    const zg2 = sdk.zgFetch({ receiptKey: KEY, user: USER, provider: PROVIDER, prices: PRICES, fetch: stranger.fetch });
    await openai(zg2).chat.completions.create(ASK);
    await zg2.flush();
    expect(zg2.refusals[0].reason).to.match(/is for user/);
  });

  it("sends a receipt whose post failed with the next request (X-ZG-Receipts)", async function () {
    const down = scriptedBroker({ receiptsDown: true });
    const zg = sdk.zgFetch({ receiptKey: KEY, user: USER, provider: PROVIDER, prices: PRICES, fetch: down.fetch });
    await openai(zg).chat.completions.create(ASK);
    await zg.flush();
    expect(zg.signed[0].posted).to.equal(false);
    await openai(zg).chat.completions.create(ASK);
    expect(
      parseBillSignatures(JSON.parse(Buffer.from(down.receiptHeaders[0], "base64url").toString()))[0].nonce,
    ).to.equal(1n);
  });
});

describe("compute client account operations", function () {
  async function fixture() {
    const f = await computeFixture();
    await makeProvider(f, f.provider);
    await f.serving.connect(f.provider).registerService(zkParams());
    const client = { contractAddress: (name: string) => f.ctx.record.contracts[name].address } as never;
    return { ...f, c: computeContracts(client, f.user), key: receiptPublicKey(KEY) };
  }

  describe("createAccount, transfer, requestRefund, processRefunds, withdraw", function () {
    it("runs the user's whole flow and reports the account", async function () {
      const f = await loadFixture(fixture);
      const p = f.provider.address;
      await sdk.createAccount(f.c, f.key, ethers.parseEther("1"));
      await sdk.deposit(f.c, ethers.parseEther("1"));
      await sdk.transfer(f.c, p, ethers.parseEther("0.5"));
      await sdk.requestRefund(f.c, p, ethers.parseEther("0.2"));
      const info = await sdk.accountInfo(f.c, f.user.address, [p]);
      expect(info.balance).to.equal(ethers.parseEther("1.5"));
      expect(info.signerKey).to.deep.equal([f.key[0], f.key[1]]);
      expect(info.subAccounts[0].pendingRefund).to.equal(ethers.parseEther("0.2"));
      await time.increase(LOCK_TIME);
      await sdk.processRefunds(f.c, p);
      await sdk.withdraw(f.c, ethers.parseEther("1.7"));
      const after = await sdk.accountInfo(f.c, f.user.address, [p]);
      expect(after.balance).to.equal(0n);
      expect(after.subAccounts[0].balance).to.equal(ethers.parseEther("0.3"));
    });

    it("refuses a second account with the contract's named error", async function () {
      const f = await loadFixture(fixture);
      await sdk.createAccount(f.c, f.key);
      const err = await sdk.createAccount(f.c, f.key).catch((e: unknown) => e);
      expect(isZgError(err, "COMPUTE_REVERTED"), String(err)).to.equal(true);
      expect((err as Error).message).to.match(/ComputeLedgerAccountExists/);
    });

    it("refuses a withdrawal above the balance and leaves it unchanged", async function () {
      const f = await loadFixture(fixture);
      await sdk.createAccount(f.c, f.key, 100n);
      const err = await sdk.withdraw(f.c, 101n).catch((e: unknown) => e);
      expect((err as Error).message).to.match(/ComputeLedgerInsufficientBalance\(100, 101\)/);
      expect((await sdk.accountInfo(f.c, f.user.address)).balance).to.equal(100n);
    });

    it("refuses a zero amount before sending anything", async function () {
      const f = await loadFixture(fixture);
      expect(() => sdk.deposit(f.c, 0n)).to.throw(/above zero/);
    });
  });

  describe("listServices", function () {
    it("lists the registered service with its prices", async function () {
      const f = await loadFixture(fixture);
      const [s] = await sdk.listServices(f.c.serving);
      expect(s).to.include({ provider: f.provider.address, model: "zg-tiny", verifiability: "zk" });
      expect([s.inputPrice, s.outputPrice]).to.deep.equal([1000n, 2000n]);
    });
  });
});
