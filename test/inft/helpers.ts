import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { Wallet, type Signer } from "ethers";
import { deployedProtocol } from "../fixtures";
import {
  agentNftDomain,
  type DataKey,
  dataHashOf,
  encryptData,
  type EntryTransfer,
  handleTransfer,
  intelligentData,
  randomDataKey,
  sealTee,
  teePublicKey,
  teeTransferProof,
  type TransferValidityProof,
} from "../../offchain/inft";
import type { AgentNFT, TeeTransferVerifier, ZkTransferVerifier } from "../../typechain-types";

export const PLAINTEXT = Buffer.from("agent: system prompt + memory + weights (test)");
export const HOUR = 3600n;

/** A party's off-chain encryption key (TEE mode): any secp256k1 key, not necessarily its account. */
export function encryptionKey(): { privateKey: string; publicKey: string } {
  const w = Wallet.createRandom();
  return { privateKey: w.privateKey, publicKey: teePublicKey(w.privateKey) };
}

/**
 * The protocol deployed through the deploy code (which includes the inft module), an acknowledged oracle, and
 * one agent minted to alice with one encrypted entry.
 */
export async function inftFixture() {
  const ctx = await deployedProtocol();
  const [deployer, alice, bob, carol, dave, stranger] = await ethers.getSigners();
  const nft = (await ethers.getContractAt("AgentNFT", ctx.record.contracts.AgentNFT.address)) as unknown as AgentNFT;
  const tee = (await ethers.getContractAt(
    "TeeTransferVerifier",
    ctx.record.contracts.TeeTransferVerifier.address,
  )) as unknown as TeeTransferVerifier;
  const zk = (await ethers.getContractAt(
    "ZkTransferVerifier",
    ctx.record.contracts.ZkTransferVerifier.address,
  )) as unknown as ZkTransferVerifier;
  const oracle = Wallet.createRandom();
  await tee.acknowledgeOracle(oracle.address);
  const chainId = (await ethers.provider.getNetwork()).chainId;
  const nftAddress = await nft.getAddress();
  const teeAddress = await tee.getAddress();

  const keys = { alice: encryptionKey(), bob: encryptionKey(), carol: encryptionKey(), oracle: oracle.privateKey };
  const key: DataKey = randomDataKey();
  const blob = encryptData(key, PLAINTEXT);
  const dataHash = dataHashOf(blob);
  const entry = intelligentData("memory", dataHash, key);
  await nft.connect(alice).mint(alice.address, [entry], [sealTee(key, keys.alice.publicKey)]);
  const tokenId = 1n;
  return {
    ctx,
    nft,
    tee,
    zk,
    oracle,
    keys,
    key,
    blob,
    dataHash,
    entry,
    tokenId,
    chainId,
    nftAddress,
    teeAddress,
    deployer,
    alice,
    bob,
    carol,
    dave,
    stranger,
  };
}

export type InftFixture = Awaited<ReturnType<typeof inftFixture>>;

/** The facts of a transfer of `tokenId`'s first entry to `receiver`, at the token's current nonce. */
export async function entryTransfer(
  f: InftFixture,
  receiver: string,
  options: { isClone?: boolean; tokenId?: bigint; deadline?: bigint } = {},
): Promise<EntryTransfer> {
  const tokenId = options.tokenId ?? f.tokenId;
  const [data] = await f.nft.intelligentDatasOf(tokenId);
  return {
    domain: agentNftDomain(f.chainId, f.nftAddress),
    tokenId,
    receiver,
    isClone: options.isClone ?? false,
    dataHash: data.dataHash,
    nonce: await f.nft.transferNonce(tokenId),
    deadline: options.deadline ?? BigInt(await time.latest()) + HOUR,
  };
}

/**
 * A complete TEE-mode proof: the owner seals the key to the oracle, the oracle re-seals it to `receiverKey` and
 * signs, `consentSigner` consents. `oracleKey` defaults to the acknowledged oracle.
 */
export async function teeProof(
  f: InftFixture,
  entry: EntryTransfer,
  receiverKey: string,
  consentSigner: Signer,
  options: { oracleKey?: string; verifier?: string; key?: DataKey } = {},
): Promise<TransferValidityProof> {
  const [data] = await f.nft.intelligentDatasOf(entry.tokenId);
  const oracleKey = options.oracleKey ?? f.keys.oracle;
  const answer = await handleTransfer(oracleKey, {
    chainId: f.chainId.toString(),
    nft: f.nftAddress,
    verifier: options.verifier ?? f.teeAddress,
    tokenId: entry.tokenId.toString(),
    receiver: entry.receiver,
    receiverKey,
    nonce: entry.nonce.toString(),
    dataHash: data.dataHash,
    keyCommitment: data.keyCommitment,
    deadline: entry.deadline.toString(),
    sealedKeyForOracle: sealTee(options.key ?? f.key, teePublicKey(oracleKey)),
  });
  return teeTransferProof(entry, receiverKey, answer, consentSigner);
}
