// ZK-mode transfers with a real Groth16 proof from the committed inft circuit, checked on chain by the generated
// InftVerifier through ZkTransferVerifier. One proof is made (and reused: it does not name the nonce or the
// action; the receiver's consent does), so the suite stays fast.
import { toGroth16Calldata } from "../../offchain/zk/groth16";
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { AbiCoder, getBytes, hexlify } from "ethers";
import {
  agentNftDomain,
  babyJubKeyPair,
  decodeZkSealedKey,
  decryptData,
  encodeBabyJubKey,
  encodeGroth16Proof,
  encodeZkSealedKey,
  type EntryTransfer,
  inftCircuitInput,
  intelligentData,
  keyCommitment,
  openZk,
  proveKeyTransfer,
  randomDataKey,
  sealZk,
  signConsent,
  TransferMode,
  type TransferValidityProof,
  zkTransferProof,
} from "../../offchain/inft";
import { releaseSnarkjsWorkers } from "../../offchain/zk/workers";
import { entryTransfer, type InftFixture, inftFixture, PLAINTEXT, teeProof } from "./helpers";

const bobZk = babyJubKeyPair("bob's baby jubjub key");
const carolZk = babyJubKeyPair("carol's baby jubjub key");

describe("AgentNFT: ZK-mode transfers", function () {
  let f: InftFixture;
  // Sealed to bob, proved once.
  let sealedKey: string;
  let groth16: string;
  let provingMs: number;

  before(async function () {
    f = await loadFixture(inftFixture);
    const sealing = sealZk(f.key, bobZk.publicKey);
    const started = Date.now();
    const { proof, publicSignals } = await proveKeyTransfer(inftCircuitInput(f.key, bobZk.publicKey, sealing));
    provingMs = Date.now() - started;
    sealedKey = encodeZkSealedKey(sealing.sealed);
    groth16 = encodeGroth16Proof(toGroth16Calldata(proof, publicSignals));
  });

  after(releaseSnarkjsWorkers);

  beforeEach(async function () {
    f = await loadFixture(inftFixture);
  });

  async function zkProof(
    entry: EntryTransfer,
    signer = f.bob,
    overrides: Partial<TransferValidityProof> = {},
  ): Promise<TransferValidityProof> {
    const receiverKey = overrides.receiverKey ?? encodeBabyJubKey(bobZk.publicKey);
    const consent = await signConsent(signer, entry.domain, { ...entry, receiverKey });
    return {
      mode: TransferMode.Zk,
      receiverKey,
      sealedKey,
      nonce: entry.nonce,
      deadline: entry.deadline,
      consent,
      proof: groth16,
      ...overrides,
    };
  }

  async function expectUnchanged() {
    expect(await f.nft.ownerOf(f.tokenId)).to.equal(f.alice.address);
    expect(await f.nft.transferNonce(f.tokenId)).to.equal(0n);
  }

  it("moves the token; the receiver opens the sealed key with its Baby Jubjub key and decrypts the same bytes", async function () {
    const proof = await zkProof(await entryTransfer(f, f.bob.address));
    const tx = await f.nft.connect(f.alice).iTransferFrom(f.alice.address, f.bob.address, f.tokenId, [proof]);
    await expect(tx)
      .to.emit(f.nft, "PublishedSealedKey")
      .withArgs(f.bob.address, f.tokenId, [sealedKey])
      .and.to.emit(f.nft, "Transferred")
      .withArgs(f.tokenId, f.alice.address, f.bob.address);
    expect(await f.nft.ownerOf(f.tokenId)).to.equal(f.bob.address);
    const [stored] = await f.nft.sealedKeysOf(f.tokenId);
    const [data] = await f.nft.intelligentDatasOf(f.tokenId);
    const key = openZk(decodeZkSealedKey(stored), bobZk.secret, BigInt(data.keyCommitment));
    expect(decryptData(key, f.blob)).to.deep.equal(PLAINTEXT);

    // Gas of each mode for the same one-entry token (docs/inft.md); no assertion on timing.
    const zkGas = (await tx.wait())!.gasUsed;
    const back = await teeProof(f, await entryTransfer(f, f.alice.address), f.keys.alice.publicKey, f.alice);
    const teeTx = await f.nft.connect(f.bob).iTransferFrom(f.bob.address, f.alice.address, f.tokenId, [back]);
    const teeGas = (await teeTx.wait())!.gasUsed;
    console.log(`      gas: ZK transfer ${zkGas}, TEE transfer ${teeGas}; proving ${provingMs} ms`);
    expect(zkGas).to.be.lessThan(550_000n);
    expect(teeGas).to.be.lessThan(250_000n);
  });

  it("builds the same kind of proof through zkTransferProof", async function () {
    const entry = await entryTransfer(f, f.carol.address);
    const { proof } = await zkTransferProof(entry, f.key, carolZk.publicKey, f.carol);
    await f.nft.connect(f.alice).iTransferFrom(f.alice.address, f.carol.address, f.tokenId, [proof]);
    const key = openZk(decodeZkSealedKey((await f.nft.sealedKeysOf(f.tokenId))[0]), carolZk.secret);
    expect(decryptData(key, f.blob)).to.deep.equal(PLAINTEXT);
  });

  it("clones in ZK mode", async function () {
    const proof = await zkProof(await entryTransfer(f, f.bob.address, { isClone: true }));
    await expect(f.nft.connect(f.alice).iCloneFrom(f.alice.address, f.bob.address, f.tokenId, [proof]))
      .to.emit(f.nft, "Cloned")
      .withArgs(f.tokenId, 2n, f.alice.address, f.bob.address);
    const key = openZk(decodeZkSealedKey((await f.nft.sealedKeysOf(2n))[0]), bobZk.secret);
    expect(decryptData(key, f.blob)).to.deep.equal(PLAINTEXT);
  });

  it("refuses a tampered proof", async function () {
    const bytes = getBytes(groth16);
    bytes[31] ^= 1;
    const proof = await zkProof(await entryTransfer(f, f.bob.address), f.bob, { proof: hexlify(bytes) });
    await expect(
      f.nft.connect(f.alice).iTransferFrom(f.alice.address, f.bob.address, f.tokenId, [proof]),
    ).to.be.revertedWithCustomError(f.zk, "ZkTransferVerifierInvalidProof");
    await expectUnchanged();
  });

  it("refuses a proof for another receiver key", async function () {
    // Carol consents with her own key, but the sealed key and proof were made for bob's.
    const proof = await zkProof(await entryTransfer(f, f.carol.address), f.carol, {
      receiverKey: encodeBabyJubKey(carolZk.publicKey),
    });
    await expect(
      f.nft.connect(f.alice).iTransferFrom(f.alice.address, f.carol.address, f.tokenId, [proof]),
    ).to.be.revertedWithCustomError(f.zk, "ZkTransferVerifierInvalidProof");
    await expectUnchanged();
  });

  it("refuses a tampered ciphertext", async function () {
    const sealed = decodeZkSealedKey(sealedKey);
    sealed.ciphertext[0] += 1n;
    const proof = await zkProof(await entryTransfer(f, f.bob.address), f.bob, { sealedKey: encodeZkSealedKey(sealed) });
    await expect(
      f.nft.connect(f.alice).iTransferFrom(f.alice.address, f.bob.address, f.tokenId, [proof]),
    ).to.be.revertedWithCustomError(f.zk, "ZkTransferVerifierInvalidProof");
    await expectUnchanged();
  });

  it("refuses a proof of a key that does not match the token's key commitment", async function () {
    // Same data hash, another key commitment: the proof opens f.key's commitment, not this one.
    const other = randomDataKey();
    const entry = { ...intelligentData("memory", f.dataHash, other) };
    await f.nft.connect(f.alice).mint(f.alice.address, [entry], ["0x"]);
    expect(entry.keyCommitment).to.not.equal(f.entry.keyCommitment);
    expect(keyCommitment(other)).to.equal(BigInt(entry.keyCommitment));
    const proof = await zkProof(await entryTransfer(f, f.bob.address, { tokenId: 2n }));
    await expect(
      f.nft.connect(f.alice).iTransferFrom(f.alice.address, f.bob.address, 2n, [proof]),
    ).to.be.revertedWithCustomError(f.zk, "ZkTransferVerifierInvalidProof");
    expect(await f.nft.ownerOf(2n)).to.equal(f.alice.address);
  });

  it("refuses ZK mode for an entry without a key commitment", async function () {
    await f.nft.connect(f.alice).mint(f.alice.address, [{ ...f.entry, keyCommitment: ethers.ZeroHash }], ["0x"]);
    const proof = await zkProof(await entryTransfer(f, f.bob.address, { tokenId: 2n }));
    await expect(f.nft.connect(f.alice).iTransferFrom(f.alice.address, f.bob.address, 2n, [proof]))
      .to.be.revertedWithCustomError(f.nft, "AgentNFTNoKeyCommitment")
      .withArgs(0n);
  });

  it("refuses a replayed ZK transfer", async function () {
    const proof = await zkProof(await entryTransfer(f, f.bob.address));
    await f.nft.connect(f.alice).iTransferFrom(f.alice.address, f.bob.address, f.tokenId, [proof]);
    await expect(
      f.nft.connect(f.bob).iTransferFrom(f.bob.address, f.bob.address, f.tokenId, [proof]),
    ).to.be.revertedWithCustomError(f.nft, "AgentNFTStaleNonce");
  });

  it("refuses malformed receiver keys, sealed keys and proofs with named errors", async function () {
    const entry = await entryTransfer(f, f.bob.address);
    const send = (p: TransferValidityProof) =>
      f.nft.connect(f.alice).iTransferFrom(f.alice.address, f.bob.address, f.tokenId, [p]);
    await expect(send(await zkProof(entry, f.bob, { receiverKey: "0x1234" })))
      .to.be.revertedWithCustomError(f.zk, "ZkTransferVerifierMalformedReceiverKey")
      .withArgs(2n);
    await expect(send(await zkProof(entry, f.bob, { sealedKey: "0x" })))
      .to.be.revertedWithCustomError(f.zk, "ZkTransferVerifierMalformedSealedKey")
      .withArgs(0n);
    await expect(send(await zkProof(entry, f.bob, { proof: AbiCoder.defaultAbiCoder().encode(["uint256"], [1]) })))
      .to.be.revertedWithCustomError(f.zk, "ZkTransferVerifierMalformedProof")
      .withArgs(32n);
  });

  it("refuses an expired ZK consent", async function () {
    const entry = await entryTransfer(f, f.bob.address, { deadline: BigInt(await time.latest()) + 10n });
    const proof = await zkProof(entry);
    await time.increase(60);
    await expect(
      f.nft.connect(f.alice).iTransferFrom(f.alice.address, f.bob.address, f.tokenId, [proof]),
    ).to.be.revertedWithCustomError(f.nft, "AgentNFTProofExpired");
  });

  it("exposes the consent digest the receiver signs", async function () {
    const entry = await entryTransfer(f, f.bob.address);
    const receiverKey = encodeBabyJubKey(bobZk.publicKey);
    const digest = await f.nft.consentDigest(
      entry.tokenId,
      entry.receiver,
      false,
      entry.dataHash,
      receiverKey,
      entry.nonce,
      entry.deadline,
    );
    const sig = await signConsent(f.bob, agentNftDomain(f.chainId, f.nftAddress), { ...entry, receiverKey });
    expect(ethers.recoverAddress(digest, sig)).to.equal(f.bob.address);
  });
});
