import { expect } from "chai";
import fc from "fast-check";
import { Wallet } from "ethers";
import { type Bill, billDomain, recoverBillProvider, signBillAsProvider } from "../../offchain/compute/core";

const provider = new Wallet(`0x${"11".repeat(32)}`);
const other = new Wallet(`0x${"22".repeat(32)}`);
const serving = "0x000000000000000000000000000000000000c0de";
const domain = billDomain(31337, serving);

const bill: Bill = {
  user: "0x00000000000000000000000000000000000000aa",
  provider: provider.address,
  nonce: 7n,
  fee: 123_456_789n,
  inputTokens: 12,
  outputTokens: 5,
  requestHash: 2n ** 250n + 3n,
};

describe("[offchain] compute core: the provider's bill signature (EIP-712)", function () {
  it("recovers to the provider that signed, and to no one for another bill, chain or contract", async function () {
    const signature = await signBillAsProvider(provider, domain, bill);
    expect(recoverBillProvider(domain, bill, signature)).to.equal(provider.address);
    expect(recoverBillProvider(domain, bill, await signBillAsProvider(other, domain, bill))).to.equal(other.address);
    expect(recoverBillProvider(billDomain(1, serving), bill, signature)).to.not.equal(provider.address);
    expect(recoverBillProvider(billDomain(31337, other.address), bill, signature)).to.not.equal(provider.address);
  });

  it("binds every field: changing any one changes the signer (property)", async function () {
    const signature = await signBillAsProvider(provider, domain, bill);
    const changes: ((b: Bill) => Bill)[] = [
      (b) => ({ ...b, user: provider.address }),
      (b) => ({ ...b, provider: other.address }),
      (b) => ({ ...b, nonce: b.nonce + 1n }),
      (b) => ({ ...b, fee: b.fee - 1n }),
      (b) => ({ ...b, inputTokens: b.inputTokens + 1 }),
      (b) => ({ ...b, outputTokens: b.outputTokens - 1 }),
      (b) => ({ ...b, requestHash: b.requestHash ^ 1n }),
    ];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: changes.length - 1 }), (i) => {
        expect(recoverBillProvider(domain, changes[i](bill), signature)).to.not.equal(provider.address);
      }),
      { numRuns: 30 },
    );
  });

  it("gives undefined for a malformed signature instead of throwing", function () {
    expect(recoverBillProvider(domain, bill, "0x1234")).to.equal(undefined);
    expect(recoverBillProvider(domain, bill, "not hex")).to.equal(undefined);
  });
});
