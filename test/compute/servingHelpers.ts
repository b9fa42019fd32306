// Shared by the ComputeServing suites: a provider with a registered service, users with ledger accounts keyed by
// Baby Jubjub keys and funds in the provider's sub-account, signed receipts, real settlement proofs and TEE
// signatures.
import { ethers } from "hardhat";
import { parseEther, type Signer } from "ethers";
import { receiptPublicKey, signReceipt } from "../../offchain/zk/receipt";
import { proveSettlement, type SettlementProof, type SettlementReceipt } from "../../offchain/zk/settlement";
import { computeFixture, makeProvider, type ComputeFixture } from "./helpers";

export const Mode = { Zk: 0, Tee: 1 } as const;

/** The user's and the other user's receipt keys (any 32 bytes are an EdDSA-Poseidon private key). */
export const USER_KEY = Buffer.alloc(32, 7);
export const OTHER_KEY = Buffer.alloc(32, 9);
/** Wei the users move into the provider's sub-account. */
export const FUNDED = parseEther("1");

export function zkParams(overrides: Partial<ServiceParamsLike> = {}): ServiceParamsLike {
  return {
    model: "zg-tiny",
    url: "http://127.0.0.1:8080",
    inputPrice: 1_000n,
    outputPrice: 2_000n,
    verifiability: Mode.Zk,
    teeSigner: ethers.ZeroAddress,
    ...overrides,
  };
}

export interface ServiceParamsLike {
  model: string;
  url: string;
  inputPrice: bigint;
  outputPrice: bigint;
  verifiability: number;
  teeSigner: string;
}

/** The key pair's public part as the ledger stores it. */
export function ledgerKey(privateKey: Buffer): [bigint, bigint] {
  const [x, y] = receiptPublicKey(privateKey);
  return [x, y];
}

/** Creates `account`'s ledger account with `privateKey`'s public key and moves `funded` to `provider`. */
export async function fundUser(
  f: ComputeFixture,
  account: Signer,
  privateKey: Buffer,
  provider: string,
  funded = FUNDED,
) {
  await f.ledger.connect(account).createAccount(ledgerKey(privateKey), { value: funded });
  await f.ledger.connect(account).transfer(provider, funded);
}

/** A registered Zk provider, the user and the other user funded in its sub-account, an unfunded stranger. */
export async function servingFixture() {
  const f = await computeFixture();
  await makeProvider(f, f.provider);
  await f.serving.connect(f.provider).registerService(zkParams());
  await fundUser(f, f.user, USER_KEY, f.provider.address);
  await fundUser(f, f.other, OTHER_KEY, f.provider.address);
  return f;
}

export type ServingFixture = Awaited<ReturnType<typeof servingFixture>>;

/** A registered Tee provider whose signer (the stranger's key) governance acknowledged; the user funded there. */
export async function teeFixture() {
  const f = await computeFixture();
  const [, , , , , teeSigner, teeProvider] = await ethers.getSigners();
  await makeProvider(f, teeProvider);
  await f.serving
    .connect(teeProvider)
    .registerService(zkParams({ verifiability: Mode.Tee, teeSigner: teeSigner.address }));
  await f.serving.acknowledgeTeeSigner(teeSigner.address, true);
  await fundUser(f, f.user, USER_KEY, teeProvider.address);
  return { ...f, teeSigner, teeProvider };
}

/** Receipts for (user, provider) with the given nonces and fees, signed with `privateKey`. */
export function signReceipts(
  privateKey: Buffer,
  user: string,
  provider: string,
  entries: { nonce: bigint; fee: bigint }[],
): SettlementReceipt[] {
  return entries.map(({ nonce, fee }, i) => {
    const requestHash = BigInt(ethers.keccak256(ethers.toUtf8Bytes(`request ${nonce} ${i}`))) >> 8n;
    const signature = signReceipt(privateKey, { user, provider, nonce, fee, requestHash });
    return { nonce, fee, requestHash, R8x: signature.R8[0], R8y: signature.R8[1], S: signature.S };
  });
}

/** A real proof that `privateKey`'s owner signed `entries` for (user, provider) after `prevNonce`. */
export async function prove(
  privateKey: Buffer,
  user: string,
  provider: string,
  prevNonce: bigint,
  entries: { nonce: bigint; fee: bigint }[],
): Promise<SettlementProof> {
  return proveSettlement({
    user,
    provider,
    publicKey: receiptPublicKey(privateKey),
    prevNonce,
    receipts: signReceipts(privateKey, user, provider, entries),
  });
}

/** The ZkSettlement a proof stands for. */
export function zkSettlement(user: string, p: SettlementProof) {
  return { user, lastNonce: p.lastNonce, total: p.total, proof: p.proof };
}

export interface TeeSettlementLike {
  user: string;
  firstNonce: bigint;
  lastNonce: bigint;
  total: bigint;
  billsHash: string;
}

export const SETTLEMENT_TYPES = {
  Settlement: [
    { name: "user", type: "address" },
    { name: "provider", type: "address" },
    { name: "firstNonce", type: "uint64" },
    { name: "lastNonce", type: "uint64" },
    { name: "total", type: "uint256" },
    { name: "billsHash", type: "bytes32" },
  ],
};

/** The TEE signer's EIP-712 signature of `s` settled by `provider`, made with ethers' signTypedData. */
export async function signTee(f: ComputeFixture, signer: Signer, s: TeeSettlementLike, provider: string) {
  const domain = {
    name: "zg ComputeServing",
    version: "1",
    chainId: (await ethers.provider.getNetwork()).chainId,
    verifyingContract: await f.serving.getAddress(),
  };
  return signer.signTypedData(domain, SETTLEMENT_TYPES, { ...s, provider });
}

/** Native balance of an address. */
export async function balanceOf(address: string): Promise<bigint> {
  return ethers.provider.getBalance(address);
}
