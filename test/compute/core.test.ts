// The compute receipt protocol's pure core: sessions, bills, fees, request hashes, receipts.
import { expect } from "chai";
import { concat, keccak256, toUtf8Bytes, Wallet } from "ethers";
import {
  type Bill,
  BillError,
  computeFee,
  createSession,
  decodeBill,
  decodeReceiptsHeader,
  decodeSession,
  encodeBill,
  encodeReceiptsHeader,
  encodeSession,
  openAIError,
  receiptPublicKey,
  requestHash,
  SessionError,
  sessionMessage,
  signBill,
  SNARK_SCALAR_FIELD,
  verifyBillSignature,
  verifySession,
  worstCaseFee,
} from "../../offchain/compute/core";
import { receiptMessage } from "../../offchain/zk/receipt";

const user = new Wallet("0x" + "11".repeat(32));
const other = new Wallet("0x" + "22".repeat(32));
const provider = "0x" + "ab".repeat(20);
const NOW = 1_800_000_000;

describe("compute core [offchain]", function () {
  describe("sessions", function () {
    it("round-trips and verifies a session for this provider and chain", async function () {
      const token = await createSession(user, { provider, chainId: 31337, expires: NOW + 60 });
      expect(token.startsWith("zg1.")).to.equal(true);
      const s = verifySession(token, { provider, chainId: 31337n, now: NOW });
      expect(s.user).to.equal(user.address);
      expect(s.chainId).to.equal(31337n);
      expect(s.expires).to.equal(NOW + 60);
    });

    it("signs the spec's text", function () {
      const text = sessionMessage({ user: user.address, provider, chainId: 5n, expires: 7 });
      expect(text).to.equal(
        `zg compute session v1\nchain: 5\nprovider: ${provider.toLowerCase()}\nuser: ${user.address.toLowerCase()}\nexpires: 7`,
      );
    });

    it("refuses an expired session", async function () {
      const token = await createSession(user, { provider, chainId: 31337, expires: NOW });
      expect(() => verifySession(token, { provider, chainId: 31337, now: NOW })).to.throw(SessionError, /expired/);
    });

    it("refuses a session for another provider", async function () {
      const token = await createSession(user, { provider, chainId: 31337, expires: NOW + 60 });
      expect(() => verifySession(token, { provider: other.address, chainId: 31337, now: NOW })).to.throw(
        SessionError,
        /provider/,
      );
    });

    it("refuses a session for another chain", async function () {
      const token = await createSession(user, { provider, chainId: 1, expires: NOW + 60 });
      expect(() => verifySession(token, { provider, chainId: 31337, now: NOW })).to.throw(SessionError, /chain/);
    });

    it("refuses a tampered session (user swapped, expiry extended)", async function () {
      const token = await createSession(user, { provider, chainId: 31337, expires: NOW + 60 });
      const s = decodeSession(token);
      for (const forged of [
        { ...s, user: other.address },
        { ...s, expires: NOW + 3600 },
      ]) {
        expect(() => verifySession(encodeSession(forged), { provider, chainId: 31337, now: NOW })).to.throw(
          SessionError,
          /not by session.user/,
        );
      }
    });

    it("refuses malformed tokens with the reason", function () {
      expect(() => decodeSession("sk-abc")).to.throw(SessionError, /zg1\./);
      expect(() => decodeSession("zg1.***")).to.throw(SessionError, /base64url/);
      expect(() => decodeSession("zg1." + Buffer.from("[1]").toString("base64url"))).to.throw(SessionError);
    });
  });

  describe("requestHash", function () {
    it("matches the spec's formula (vector)", function () {
      const body = '{"model":"m","messages":[]}';
      const expected =
        BigInt(
          keccak256(
            concat([
              keccak256(toUtf8Bytes(body)),
              keccak256(toUtf8Bytes("hello")),
              "0x0000000000000003",
              "0x0000000000000005",
            ]),
          ),
        ) % SNARK_SCALAR_FIELD;
      expect(requestHash(body, "hello", 3, 5)).to.equal(expected);
      expect(requestHash(toUtf8Bytes(body), "hello", 3, 5)).to.equal(expected);
      expect(requestHash(body, "hello", 3, 6)).to.not.equal(expected);
      expect(expected < SNARK_SCALAR_FIELD).to.equal(true);
    });
  });

  describe("fees", function () {
    it("charges input and output tokens at their prices", function () {
      const prices = { inputPrice: 7n, outputPrice: 11n };
      expect(computeFee(3, 5, prices)).to.equal(3n * 7n + 5n * 11n);
      expect(worstCaseFee(3, 100, prices)).to.equal(21n + 1100n);
      expect(computeFee(0, 0, prices)).to.equal(0n);
    });
  });

  const bill: Bill = {
    user: user.address,
    provider: other.address,
    nonce: 9n,
    fee: 123456789012345678901234n,
    inputTokens: 10,
    outputTokens: 20,
    requestHash: SNARK_SCALAR_FIELD - 1n,
  };

  describe("bills", function () {
    it("round-trips through X-ZG-Bill with decimal strings", function () {
      const header = encodeBill(bill);
      expect(decodeBill(header)).to.deep.equal(bill);
      const json = JSON.parse(Buffer.from(header, "base64url").toString()) as Record<string, unknown>;
      expect(json.fee).to.equal("123456789012345678901234");
    });

    it("refuses a bill with a nonce above 2^64 or a hash outside the field", function () {
      const big = Buffer.from(
        JSON.stringify({
          ...JSON.parse(Buffer.from(encodeBill(bill), "base64url").toString()),
          nonce: (1n << 64n).toString(),
        }),
      ).toString("base64url");
      expect(() => decodeBill(big)).to.throw(BillError, /nonce/);
      expect(() => decodeBill("!!")).to.throw(BillError);
    });
  });

  describe("receipts", function () {
    const key = Buffer.alloc(32, 7);

    it("a bill's signature verifies against the signer's key and the receipt message", function () {
      const sig = signBill(key, bill);
      expect(sig.nonce).to.equal(bill.nonce);
      expect(verifyBillSignature(bill, receiptPublicKey(key), sig)).to.equal(true);
      expect(receiptMessage({ ...bill, user: bill.user, provider: bill.provider })).to.be.a("bigint");
    });

    it("does not verify for another fee, another key or a garbled signature", function () {
      const sig = signBill(key, bill);
      expect(verifyBillSignature({ ...bill, fee: bill.fee + 1n }, receiptPublicKey(key), sig)).to.equal(false);
      expect(verifyBillSignature(bill, receiptPublicKey(Buffer.alloc(32, 8)), sig)).to.equal(false);
      expect(verifyBillSignature(bill, receiptPublicKey(key), { ...sig, S: sig.S + 1n })).to.equal(false);
      expect(verifyBillSignature(bill, receiptPublicKey(key), { ...sig, R8x: 1n })).to.equal(false);
    });

    it("round-trips the X-ZG-Receipts header", function () {
      const sigs = [signBill(key, bill), signBill(key, { ...bill, nonce: 10n })];
      expect(decodeReceiptsHeader(encodeReceiptsHeader(sigs))).to.deep.equal(sigs);
      expect(() => decodeReceiptsHeader(Buffer.from("{}").toString("base64url"))).to.throw(BillError, /array/);
      expect(() => decodeReceiptsHeader(Buffer.from('[{"nonce":"x"}]').toString("base64url"))).to.throw(
        BillError,
        /receipts\[0\]\.nonce/,
      );
    });
  });

  describe("openAIError", function () {
    it("has OpenAI's shape", function () {
      expect(openAIError("m", "insufficient_quota", "receipts_required")).to.deep.equal({
        error: { message: "m", type: "insufficient_quota", param: null, code: "receipts_required" },
      });
    });
  });
});
