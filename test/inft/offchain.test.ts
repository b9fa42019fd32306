// offchain/inft: data encryption, TEE-mode sealing, the oracle's decision and its HTTP server.
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import * as snarkjs from "snarkjs";
import fc from "fast-check";
import { hexlify, verifyTypedData, Wallet } from "ethers";
import {
  checkDataKey,
  commitmentBytes32,
  dataHashOf,
  dataKeyBytes,
  dataKeyFromBytes,
  decodeZkSealedKey,
  decryptData,
  encodeZkSealedKey,
  encryptData,
  handleTransfer,
  InftError,
  keyCommitment,
  openTee,
  OWNERSHIP_PROOF_TYPES,
  ownershipProofMessage,
  parseTransferRequest,
  randomDataKey,
  requestTransfer,
  sealTee,
  sealZk,
  babyJubKeyPair,
  startOracleServer,
  teePublicKey,
  teeVerifierDomain,
  type TransferRequest,
  INFT_ARTIFACTS_DIR,
  inftCircuitInput,
  proveKeyTransferInWorker,
} from "../../offchain/inft";
import { releaseSnarkjsWorkers } from "../../offchain/zk/workers";

describe("[offchain] inft", function () {
  describe("data encryption", function () {
    it("round-trips any bytes with AES-256-GCM under the derived key, with and without aad", function () {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 512 }), fc.uint8Array({ maxLength: 32 }), (data, aad) => {
          const key = randomDataKey();
          expect(decryptData(key, encryptData(key, data, aad), aad)).to.deep.equal(Buffer.from(data));
        }),
        { numRuns: 30 },
      );
    });

    it("refuses another key, changed bytes, other aad and garbage", function () {
      const key = randomDataKey();
      const blob = encryptData(key, Buffer.from("secret"), Buffer.from("aad"));
      expect(() => decryptData(randomDataKey(), blob, Buffer.from("aad"))).to.throw(InftError, /does not decrypt/);
      const changed = Buffer.from(blob);
      changed[20] ^= 1;
      expect(() => decryptData(key, changed, Buffer.from("aad"))).to.throw(InftError);
      expect(() => decryptData(key, blob, Buffer.from("other"))).to.throw(InftError);
      expect(() => decryptData(key, Buffer.from("short"))).to.throw(InftError, /not an encrypted/);
    });

    it("encodes keys and commitments", function () {
      const key = randomDataKey();
      expect(dataKeyFromBytes(dataKeyBytes(key))).to.deep.equal(key);
      expect(() => dataKeyFromBytes(Buffer.alloc(3))).to.throw(InftError);
      expect(() => checkDataKey([1n])).to.throw(InftError, /2 field elements/);
      expect(() => checkDataKey([1n, -1n])).to.throw(InftError, /not a field element/);
      expect(BigInt(commitmentBytes32(keyCommitment(key)))).to.equal(keyCommitment(key));
      expect(dataHashOf(Buffer.from("x"))).to.match(/^0x[0-9a-f]{64}$/);
    });

    it("encodes ZK sealed keys losslessly", function () {
      const sealing = sealZk(randomDataKey(), babyJubKeyPair("r").publicKey);
      expect(decodeZkSealedKey(encodeZkSealedKey(sealing.sealed))).to.deep.equal(sealing.sealed);
    });
  });

  describe("TEE-mode sealing", function () {
    it("opens only with the receiver's private key", function () {
      const receiver = Wallet.createRandom();
      const key = randomDataKey();
      const sealed = sealTee(key, teePublicKey(receiver.privateKey));
      expect(openTee(sealed, receiver.privateKey)).to.deep.equal(key);
      expect(() => openTee(sealed, Wallet.createRandom().privateKey)).to.throw(InftError, /does not open/);
      expect(() => openTee("0x1234", receiver.privateKey)).to.throw(InftError, /not a TEE-mode/);
      expect(() => sealTee(key, "0x1234")).to.throw(InftError, /not a secp256k1/);
    });
  });

  describe("oracle", function () {
    const oracle = Wallet.createRandom();
    const receiver = Wallet.createRandom();
    const key = randomDataKey();
    const blob = encryptData(key, Buffer.from("agent data"));
    const request: TransferRequest = {
      chainId: "31337",
      nft: Wallet.createRandom().address,
      verifier: Wallet.createRandom().address,
      tokenId: "7",
      receiver: receiver.address,
      receiverKey: teePublicKey(receiver.privateKey),
      nonce: "3",
      dataHash: dataHashOf(blob),
      keyCommitment: commitmentBytes32(keyCommitment(key)),
      deadline: "2000000000",
      sealedKeyForOracle: sealTee(key, teePublicKey(oracle.privateKey)),
      encryptedData: hexlify(blob),
    };

    it("re-seals the key to the receiver and signs the ownership proof", async function () {
      const answer = await handleTransfer(oracle.privateKey, request);
      expect(answer.oracle).to.equal(oracle.address);
      expect(openTee(answer.sealedKey, receiver.privateKey)).to.deep.equal(key);
      const message = ownershipProofMessage({
        ...request,
        tokenId: 7n,
        nonce: 3n,
        deadline: 2000000000n,
        sealedKey: answer.sealedKey,
      });
      const signer = verifyTypedData(
        teeVerifierDomain(31337n, request.verifier),
        OWNERSHIP_PROOF_TYPES,
        message,
        answer.proof,
      );
      expect(signer).to.equal(oracle.address);
    });

    it("refuses a key that misses the commitment or the data, and data that misses the hash", async function () {
      const wrong = sealTee(randomDataKey(), teePublicKey(oracle.privateKey));
      await expect(handleTransfer(oracle.privateKey, { ...request, sealedKeyForOracle: wrong })).to.be.rejectedWith(
        InftError,
        /key commitment/,
      );
      await expect(
        handleTransfer(oracle.privateKey, { ...request, sealedKeyForOracle: wrong, keyCommitment: "0x00" }),
      ).to.be.rejectedWith(InftError, /does not decrypt/);
      await expect(handleTransfer(oracle.privateKey, { ...request, encryptedData: "0x1234" })).to.be.rejectedWith(
        InftError,
        /does not hash/,
      );
    });

    it("parses requests and names what is missing", function () {
      expect(parseTransferRequest({ ...request, aad: "0x01" }).aad).to.equal("0x01");
      expect(() => parseTransferRequest(null)).to.throw(InftError, /not a JSON object/);
      expect(() => parseTransferRequest({ ...request, receiver: "" })).to.throw(InftError, /request.receiver/);
    });

    it("serves /v1/info and /v1/transfer over HTTP, with JSON errors", async function () {
      const server = await startOracleServer(oracle.privateKey);
      try {
        const info = (await (await fetch(`${server.url}/v1/info`)).json()) as { address: string; publicKey: string };
        expect(info).to.deep.equal({ address: oracle.address, publicKey: teePublicKey(oracle.privateKey) });
        const answer = await requestTransfer(server.url, request);
        expect(openTee(answer.sealedKey, receiver.privateKey)).to.deep.equal(key);
        await expect(requestTransfer(server.url, { ...request, receiverKey: "0x12" })).to.be.rejectedWith(
          InftError,
          /oracle refused.*secp256k1/,
        );
        expect((await fetch(`${server.url}/nope`)).status).to.equal(404);
        const bad = await fetch(`${server.url}/v1/transfer`, { method: "POST", body: "{" });
        expect(bad.status).to.equal(400);
      } finally {
        await server.close();
      }
    });
  });
});

describe("[offchain] inft prover worker", function () {
  it("proves in a worker thread; the proof verifies against the committed verification key", async function () {
    const receiver = babyJubKeyPair("worker receiver");
    const key = randomDataKey();
    const input = inftCircuitInput(key, receiver.publicKey, sealZk(key, receiver.publicKey));
    const { proof, publicSignals } = await proveKeyTransferInWorker(input);
    const vkey = JSON.parse(fs.readFileSync(path.join(INFT_ARTIFACTS_DIR, "verification_key.json"), "utf8"));
    expect(await snarkjs.groth16.verify(vkey, publicSignals, proof)).to.equal(true);
    expect(publicSignals[0]).to.equal(keyCommitment(key).toString());
    await releaseSnarkjsWorkers();
  });

  it("reports a refused input and an abort", async function () {
    const receiver = babyJubKeyPair("worker receiver");
    const key = randomDataKey();
    const input = inftCircuitInput(key, receiver.publicKey, sealZk(key, receiver.publicKey));
    await expect(proveKeyTransferInWorker({ ...input, keyCommitment: 1n })).to.be.rejectedWith(InftError, /refused/);
    const controller = new AbortController();
    controller.abort();
    await expect(proveKeyTransferInWorker(input, { signal: controller.signal })).to.be.rejectedWith(
      InftError,
      /aborted/,
    );
    await expect(proveKeyTransferInWorker(input, { artifactsDir: "/nonexistent" })).to.be.rejectedWith(
      InftError,
      /missing/,
    );
  });
});
