// The compute probe's signature check: with the chain's bill domain, every answer's bill must carry the registered
// provider's EIP-712 signature (X-ZG-Bill-Signature, and zg_bill_signature in the body); a missing one, one by another
// key, one over another bill or a header and body that disagree are COMPUTE_BAD_SIGNATURE.
import { expect } from "chai";
import { Wallet } from "ethers";
import {
  type Bill,
  type BillSigningKey,
  billDomain,
  billJson,
  computeFee,
  encodeBill,
  requestHash,
  signBillAsProvider,
} from "../../offchain/compute/core";
import { checkExchange, probeEvidence, probeRequest, type ProbeExchange } from "../../offchain/alignment/probe";

const provider = Wallet.createRandom();
const other = Wallet.createRandom();
const USER = Wallet.createRandom().address;
const REG = { provider: provider.address, model: "zg-tiny", inputPrice: 1000n, outputPrice: 3000n };
const DOMAIN = billDomain(31337, "0x000000000000000000000000000000000000c0de");

interface Signed {
  /** Who signs (default: the provider). */
  by?: BillSigningKey;
  /** The bill the signature is over, when not the one sent. */
  signedBill?: Partial<Bill>;
  /** Overrides of the header and body signatures (null: left out). */
  header?: string | null;
  body?: string | null;
  /** A change to the bill sent after signing (a proxy rewriting the fee). */
  sent?: Partial<Bill>;
}

async function signedExchange(s: Signed = {}): Promise<ProbeExchange> {
  const request = probeRequest(REG.model);
  const text = " Hello";
  const bill: Bill = {
    user: USER,
    provider: REG.provider,
    nonce: 1n,
    fee: computeFee(10, 2, REG),
    inputTokens: 10,
    outputTokens: 2,
    requestHash: requestHash(request, text, 10, 2),
  };
  const signature = await signBillAsProvider(s.by ?? provider, DOMAIN, { ...bill, ...s.signedBill });
  const sent = { ...bill, ...s.sent };
  const body = {
    id: "chatcmpl-1",
    object: "chat.completion",
    created: 1,
    model: REG.model,
    choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop", logprobs: null }],
    usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 },
    zg_bill: billJson(sent),
    zg_bill_signature: s.body === undefined ? signature : (s.body ?? undefined),
  };
  return {
    request,
    status: 200,
    response: JSON.stringify(body),
    billHeader: encodeBill(sent),
    billSignatureHeader: s.header === undefined ? signature : s.header,
  };
}

const reasons = (e: ProbeExchange) => checkExchange(e, REG, USER, DOMAIN).findings.map((f) => `${f.kind}: ${f.reason}`);

describe("compute probe: the provider's bill signature", () => {
  it("passes a bill signed by the registered provider, from the header or the body alone", async () => {
    expect(reasons(await signedExchange())).to.deep.equal([]);
    expect(reasons(await signedExchange({ header: null }))).to.deep.equal([]);
    expect(reasons(await signedExchange({ body: null }))).to.deep.equal([]);
  });

  it("reports a bill with no signature", async () => {
    expect(reasons(await signedExchange({ header: null, body: null }))).to.deep.equal([
      "COMPUTE_BAD_SIGNATURE: the bill carries no provider signature (X-ZG-Bill-Signature)",
    ]);
  });

  it("reports a signature by another key, naming it", async () => {
    expect(reasons(await signedExchange({ by: other }))).to.deep.equal([
      `COMPUTE_BAD_SIGNATURE: the bill is signed by ${other.address}, the registered provider is ${provider.address}`,
    ]);
  });

  it("reports a signature over another bill: a fee rewritten after signing is also overbilling", async () => {
    const found = reasons(await signedExchange({ sent: { fee: computeFee(10, 2, REG) * 2n } }));
    expect(found).to.have.length(2);
    expect(found[0]).to.match(/^COMPUTE_BAD_SIGNATURE: the bill is signed by 0x[0-9a-fA-F]{40}, the registered/);
    expect(found[1]).to.match(/^COMPUTE_OVERBILLING: /);
  });

  it("reports header and body signatures that differ, and a malformed one", async () => {
    const honest = await signedExchange();
    const foreign = await signedExchange({ by: other });
    const mixed = { ...honest, billSignatureHeader: foreign.billSignatureHeader };
    expect(reasons(mixed)[0]).to.match(/X-ZG-Bill-Signature and zg_bill_signature differ/);
    expect(reasons(await signedExchange({ header: "0x1234", body: null }))).to.deep.equal([
      "COMPUTE_BAD_SIGNATURE: the bill's provider signature is malformed",
    ]);
  });

  it("keeps the signature in the evidence", async () => {
    const e = await signedExchange({ by: other });
    const [finding] = checkExchange(e, REG, USER, DOMAIN).findings;
    const record = {
      provider: REG.provider,
      url: "http://p",
      registered: { model: REG.model, inputPrice: "1000", outputPrice: "3000" },
      outcome: "fault" as const,
      exchange: e,
      findings: [finding],
    };
    const evidence = probeEvidence(record, finding, { chainId: 31337, epoch: 1n, licenseId: 1n, user: USER });
    expect(evidence).to.include({ bill: e.billHeader, billSignature: e.billSignatureHeader });
  });

  it("checks no signature without a domain (reports written before signatures)", async () => {
    const unsigned = await signedExchange({ header: null, body: null });
    expect(checkExchange(unsigned, REG, USER).findings).to.deep.equal([]);
  });
});
