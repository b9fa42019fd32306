import { ethers, network, upgrades } from "hardhat";
import { parseEther, type Signer } from "ethers";
import type * as mcl from "mcl-wasm";
import * as bls from "../../offchain/da/core/bls";
import { toContractParams } from "../../deploy/modules/staking";
import { deployedProtocol } from "../fixtures";
import { TEST_PARAMS, pubKey } from "../staking/helpers";

export const DAY = 24 * 3600;
/** The DA epoch length the deploy module uses by default. */
export const EPOCH = DAY;
export const BLOB_PRICE = parseEther("0.001");
export const STAKE = parseEther("100");
/** The deploy module's default service fee. */
export const SERVICE_FEE_PPM = 50_000n;
export const SAMPLER_ROLE = ethers.id("SAMPLER_ROLE");
export const SLASHER_ROLE = ethers.id("SLASHER_ROLE");

/** A test signer: an operator account and its BLS keys. */
export interface TestSigner {
  account: Signer;
  address: string;
  keys: bls.KeyPair;
  pk1: bls.G1Sol;
  pk2: bls.G2Sol;
  hash: string;
}

/** Deterministic BLS keys for signer `i` (secret 1000 + i·7919, never 0 mod r). */
export function testKeys(i: number): bls.KeyPair {
  return bls.keyPair(1000n + BigInt(i) * 7919n);
}

/** Staking with small test parameters, the DA registry and entrance, all deployed through `deploy/`. */
export async function daFixture() {
  await bls.initBls();
  const ctx = await deployedProtocol();
  const [deployer, payer, stranger] = await ethers.getSigners();
  const staking = await ethers.getContractAt("Staking", ctx.record.contracts.Staking.address);
  await staking.setParams(toContractParams({ ...TEST_PARAMS, maxValidators: 200, maxEffectiveStake: "100000" }));
  const registry = await ethers.getContractAt("DASignerRegistry", ctx.record.contracts.DASignerRegistry.address);
  const entrance = await ethers.getContractAt("DAEntrance", ctx.record.contracts.DAEntrance.address);
  const sampler = await ethers.getContractAt("DASampler", ctx.record.contracts.DASampler.address);
  const challenge = await ethers.getContractAt("DAChallenge", ctx.record.contracts.DAChallenge.address);
  return { ctx, staking, registry, entrance, sampler, challenge, deployer, payer, stranger };
}

type Fixture = Awaited<ReturnType<typeof daFixture>>;

/**
 * A second registry with quorums of `quorumSize` signers and one-hour epochs, registered as a Staking service, so
 * quorum filling shows with a handful of signers.
 */
export async function smallQuorumRegistry(f: Fixture, quorumSize = 2) {
  const factory = await ethers.getContractFactory("DASignerRegistry");
  const small = await upgrades.deployProxy(
    factory,
    [f.deployer.address, f.deployer.address, await f.staking.getAddress(), 3600, quorumSize],
    { kind: "uups" },
  );
  await f.staking.registerService(await small.getAddress(), "da-small", 1000);
  return ethers.getContractAt("DASignerRegistry", await small.getAddress());
}

/** A fresh funded account (the default 20 are not enough for 100 signers). */
export async function fundedAccount(): Promise<Signer> {
  const wallet = ethers.Wallet.createRandom().connect(ethers.provider);
  await network.provider.send("hardhat_setBalance", [wallet.address, ethers.toBeHex(parseEther("1000000"))]);
  return wallet;
}

/** Registers `account` as a validator (stake `stake`) opted into the DA service. */
export async function makeValidator(f: Fixture, account: Signer, i: number, stake = STAKE): Promise<void> {
  await f.staking.connect(account).registerValidator(pubKey(1000 + i), `da ${i}`, 0, 0, 0, { value: stake });
  await f.staking.connect(account).optIn(await f.registry.getAddress());
}

/** The proof of possession for `account` with `keys`. */
export async function proofOfPossession(account: string, keys: bls.KeyPair): Promise<bls.G1Sol> {
  const { chainId } = await ethers.provider.getNetwork();
  return bls.g1ToSol(bls.sign(keys.secret, bls.popMessage(account, chainId)));
}

/** A validator that registered its BLS signer (effective next epoch). */
export async function makeSigner(f: Fixture, i: number, stake = STAKE, account?: Signer): Promise<TestSigner> {
  const acc = account ?? (await fundedAccount());
  const address = await acc.getAddress();
  await makeValidator(f, acc, i, stake);
  const keys = testKeys(i);
  const pk1 = bls.g1ToSol(keys.pk1);
  const pk2 = bls.g2ToSol(keys.pk2);
  await f.registry.connect(acc).register(pk1, pk2, await proofOfPossession(address, keys), `http://signer-${i}:8080`);
  return { account: acc, address, keys, pk1, pk2, hash: bls.pubkeyHash(pk1) };
}

/** Moves to the start of the next DA epoch. */
export async function nextEpoch(registry: Fixture["registry"]): Promise<bigint> {
  const length = await registry.epochLength();
  const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
  const next = (now / length + 1n) * length;
  await network.provider.send("evm_setNextBlockTimestamp", [Number(next)]);
  await network.provider.send("evm_mine");
  return next / length;
}

/** `n` signers with `stakes[i]` (default STAKE), registered, active in the current epoch, weights snapshotted. */
export async function quorumFixture(n: number, stakes: bigint[] = []) {
  const f = await daFixture();
  const signers: TestSigner[] = [];
  for (let i = 0; i < n; i++) signers.push(await makeSigner(f, i, stakes[i] ?? STAKE));
  const epoch = await nextEpoch(f.registry);
  await f.registry.snapshotWeights(epoch, 0);
  return { ...f, signers, epoch };
}

/** A G1 point standing in for a blob's erasure commitment. */
export function commitmentOf(seed: number): bls.G1Sol {
  return bls.g1ToSol(bls.keyPair(BigInt(seed) + 77n).pk1);
}

/** Non-signer keys sorted by strictly increasing pubkey hash, as the registry wants them. */
export function sortedKeys(list: TestSigner[]): bls.G1Sol[] {
  return [...list].sort((a, b) => (BigInt(a.hash) < BigInt(b.hash) ? -1 : 1)).map((s) => s.pk1);
}

/** A certificate for `dataRoot` signed by every signer not listed in `absent`. */
export function certificate(
  signers: TestSigner[],
  absent: number[],
  dataRoot: string,
  epoch: bigint,
  quorumId: bigint,
  commitment: bls.G1Sol,
) {
  const message = bls.commitMessage(dataRoot, epoch, quorumId, commitment);
  const present = signers.filter((_, i) => !absent.includes(i));
  const sigs: mcl.G1[] = present.map((s) => bls.sign(s.keys.secret, message));
  return {
    dataRoot,
    epoch,
    quorumId,
    commitment,
    nonSignerPubkeys: sortedKeys(signers.filter((_, i) => absent.includes(i))),
    apkG2: bls.g2ToSol(bls.aggregateG2(present.map((s) => s.keys.pk2))),
    sigma: bls.g1ToSol(bls.aggregateG1(sigs)),
  };
}

/** The entrance's certificate hash: keccak256(abi.encode(X, Y, keccak256(abi.encode(nonSignerPubkeys)))). */
export function certificateHash(commitment: bls.G1Sol, nonSigners: bls.G1Sol[]): string {
  const coder = ethers.AbiCoder.defaultAbiCoder();
  const keys = ethers.keccak256(coder.encode(["tuple(uint256 X, uint256 Y)[]"], [nonSigners.map((k) => [k.X, k.Y])]));
  return ethers.keccak256(coder.encode(["uint256", "uint256", "bytes32"], [commitment.X, commitment.Y, keys]));
}

/** A random-looking 32-byte data root. */
export function root(n: number): string {
  return ethers.keccak256(ethers.toUtf8Bytes(`blob ${n}`));
}

/** Pays for `dataRoot` in the current epoch and has the quorum certify it (signers listed in `absent` do not sign). */
export async function payAndCertify(
  f: Awaited<ReturnType<typeof quorumFixture>>,
  dataRoot: string,
  absent: number[] = [],
  seed = 1,
) {
  await f.entrance.connect(f.payer).submitOriginalData([dataRoot], { value: BLOB_PRICE });
  const epoch = await f.registry.currentEpoch();
  const cert = certificate(f.signers, absent, dataRoot, epoch, 0n, commitmentOf(seed));
  await f.entrance.submitVerifiedCommitRoots([cert]);
  return cert;
}

/** Six equal signers (each 1/6 of the weight) in quorum 0, with one blob paid for in the current epoch. */
export async function paidFixture() {
  const f = await quorumFixture(6);
  await f.entrance.connect(f.payer).submitOriginalData([root(1)], { value: BLOB_PRICE });
  return f;
}

/** paidFixture after its epoch's fees were released to the deployer (as sampler): service fees to withdraw. */
export async function releasedFixture() {
  const f = await paidFixture();
  await f.entrance.grantRole(SAMPLER_ROLE, f.deployer.address);
  await nextEpoch(f.registry);
  await f.entrance.releaseEpochFees(f.epoch);
  return f;
}

export const SERVICE_FEE = (BLOB_PRICE * SERVICE_FEE_PPM) / 1_000_000n;
