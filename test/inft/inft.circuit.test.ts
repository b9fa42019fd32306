// Witness tests for circuits/inft against the committed wasm and r1cs: the circuit accepts exactly the sealings
// that @zk-kit/poseidon-cipher, @zk-kit/baby-jubjub and poseidon-lite produce, and refuses changed ones.
import { expect } from "chai";
import { witnessChecker } from "../helpers/witness";
import { Base8, mulPointEscalar } from "@zk-kit/baby-jubjub";
import { poseidonEncrypt } from "@zk-kit/poseidon-cipher";
import { poseidon2 } from "poseidon-lite/poseidon2";
import {
  babyJubKeyPair,
  checkBabyJubKey,
  INFT_ARTIFACTS_DIR,
  inftCircuitInput,
  InftError,
  keyCommitment,
  openZk,
  randomDataKey,
  sealZk,
} from "../../offchain/inft";
import { releaseSnarkjsWorkers } from "../../offchain/zk/workers";

const witnessFailure = witnessChecker(INFT_ARTIFACTS_DIR, "inft");

describe("[circuit] inft key transfer", function () {
  const receiver = babyJubKeyPair("receiver");
  const other = babyJubKeyPair("someone else");
  const key = randomDataKey();
  const sealing = sealZk(key, receiver.publicKey);
  const valid = inftCircuitInput(key, receiver.publicKey, sealing);

  after(releaseSnarkjsWorkers);

  it("matches the TypeScript references (ECDH, Poseidon cipher, Poseidon commitment)", function () {
    const shared = mulPointEscalar(receiver.publicKey, sealing.ephemeralSecret);
    expect(sealing.sealed.ciphertext).to.deep.equal(poseidonEncrypt(key, [shared[0], shared[1]], sealing.sealed.nonce));
    expect(sealing.sealed.ephemeral).to.deep.equal(mulPointEscalar(Base8, sealing.ephemeralSecret));
    expect(keyCommitment(key)).to.equal(poseidon2(key));
    expect(openZk(sealing.sealed, receiver.secret, keyCommitment(key))).to.deep.equal(key);
  });

  it("accepts a sealing made by the TypeScript implementation", async function () {
    expect(await witnessFailure(valid)).to.equal(null);
  });

  it("accepts other random keys, receivers and nonces (including the largest nonce)", async function () {
    for (const [i, nonce] of [0n, (1n << 128n) - 1n].entries()) {
      const r = babyJubKeyPair(`receiver ${i}`);
      const k = randomDataKey();
      const s = sealZk(k, r.publicKey, { nonce });
      expect(await witnessFailure(inftCircuitInput(k, r.publicKey, s))).to.equal(null);
    }
  });

  it("refuses another receiver key", async function () {
    const [x, y] = other.publicKey;
    expect(await witnessFailure({ ...valid, receiverX: x, receiverY: y })).to.not.equal(null);
  });

  it("refuses a receiver key that is not a curve point", async function () {
    expect(await witnessFailure({ ...valid, receiverX: valid.receiverX + 1n })).to.not.equal(null);
  });

  it("refuses a wrong key commitment", async function () {
    expect(await witnessFailure({ ...valid, keyCommitment: valid.keyCommitment + 1n })).to.not.equal(null);
    expect(await witnessFailure({ ...valid, keyCommitment: keyCommitment(randomDataKey()) })).to.not.equal(null);
  });

  it("refuses a tampered ciphertext, in every element", async function () {
    for (let i = 0; i < 4; i++) {
      const ciphertext = valid.ciphertext.map((c, j) => (j === i ? c + 1n : c));
      expect(await witnessFailure({ ...valid, ciphertext }), `element ${i}`).to.not.equal(null);
    }
  });

  it("refuses a data key that does not open the commitment", async function () {
    expect(await witnessFailure({ ...valid, dataKey: [valid.dataKey[0] + 1n, valid.dataKey[1]] })).to.not.equal(null);
  });

  it("refuses an ephemeral key not made from the ephemeral secret", async function () {
    const e = mulPointEscalar(Base8, 12345n);
    expect(await witnessFailure({ ...valid, ephemeralX: e[0], ephemeralY: e[1] })).to.not.equal(null);
    expect(await witnessFailure({ ...valid, ephemeralSecret: valid.ephemeralSecret + 1n })).to.not.equal(null);
  });

  it("refuses a changed nonce and a nonce of 2^128 or more", async function () {
    expect(await witnessFailure({ ...valid, nonce: valid.nonce + 1n })).to.not.equal(null);
    const big = sealZk(key, receiver.publicKey);
    expect(
      await witnessFailure({
        ...inftCircuitInput(key, receiver.publicKey, big),
        nonce: big.sealed.nonce + (1n << 128n),
      }),
    ).to.not.equal(null);
  });

  it("the TypeScript side refuses what the circuit would", function () {
    expect(() => checkBabyJubKey([1n, 2n])).to.throw(InftError, /not a Baby Jubjub point/);
    expect(() => checkBabyJubKey([0n, 1n])).to.throw(InftError, /identity/);
    expect(() => openZk(sealing.sealed, other.secret)).to.throw(InftError, /does not decrypt/);
    expect(() => openZk(sealing.sealed, receiver.secret, 5n)).to.throw(InftError, /commitment/);
    expect(() => sealZk(key, receiver.publicKey, { ephemeralSecret: 0n })).to.throw(InftError, /ephemeral/);
  });
});
