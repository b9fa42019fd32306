// Shared by the DASampler suites: fixtures with a certified, sampled blob, and a restatement of Difficulty.adjust.
import { ethers } from "hardhat";
import { mine } from "@nomicfoundation/hardhat-network-helpers";
import { parseEther } from "ethers";
import { nextEpoch, payAndCertify, quorumFixture, type TestSigner } from "./helpers";
import { answerOf, makeBlob, quality, type SampledBlob } from "./sampleReference";

export const MAX = 2n ** 256n - 1n;
export const BASE_REWARD = parseEther("0.0001");
/** The hardhat params: 16-block rounds, 2 sample epochs, 2 answers per round aimed at, 4 at most, 2 rounds/epoch. */
export const PARAMS = {
  sampleEpochs: 2,
  targetAnswersPerRound: 2,
  maxAnswersPerRound: 4,
  roundsPerEpoch: 2,
  baseReward: BASE_REWARD,
};

/** Difficulty.adjust, restated. */
export function adjust(old: bigint, wanted: bigint, previous: bigint): bigint {
  const ceiling = old > MAX / 2n ? MAX : old * 2n;
  const floor = old / 2n === 0n ? 1n : old / 2n;
  if (previous === 0n || previous * 2n <= wanted) return ceiling;
  if (wanted * 2n <= previous) return floor;
  let next = (old * wanted) / previous;
  if (next < floor) next = floor;
  if (next > ceiling) next = ceiling;
  return next;
}

/**
 * Four equal signers; a 64-column blob (2 sublines a row) of 2 data rows and 6 coded rows paid and certified in
 * epoch E by all but signer 3; then epoch E + 1 starts, so E's blobs are sampled. The base pool holds 1 token.
 */
export async function blobFixture(basePool: bigint) {
  const f = await quorumFixture(4);
  const blob = makeBlob(64, 2, 6, "sampled");
  const cert = await payAndCertify(f, blob.dataRoot, [3]);
  await nextEpoch(f.registry);
  await f.sampler.fundBasePool({ value: basePool });
  return { ...f, blob, cert };
}

export async function sampledFixture() {
  return blobFixture(parseEther("1"));
}

/** The same with a base pool of 1.5 base rewards. */
export async function thinBaseFixture() {
  return blobFixture((3n * BASE_REWARD) / 2n);
}

export async function fourSigners() {
  return quorumFixture(4);
}

/** Mines one block when the next one starts a round (a submission there could not fix the seed). */
export async function offRoundStart(f: { sampler: F["sampler"] }) {
  const period = await f.sampler.samplePeriod();
  if ((BigInt(await ethers.provider.getBlockNumber()) + 1n) % period === 0n) await mine(1);
}

export type F = Awaited<ReturnType<typeof sampledFixture>>;

/** Mines up to the next round's start block, then starts the round in the block after it; returns its state. */
export async function freshRound(f: F) {
  const period = await f.sampler.samplePeriod();
  const now = BigInt(await ethers.provider.getBlockNumber());
  const start = (now / period + 1n) * period;
  await mine(Number(start - now));
  await f.sampler.startRound();
  const round = start / period;
  const info = await f.sampler.getRound(round);
  return { round, seed: info.seed, target: info.target, start };
}

export interface Candidate {
  line: number;
  sub: number;
  signer: TestSigner;
  q: bigint;
}

/** Every position of the blob with its assigned signer and quality under `seed`. */
export function candidates(f: F, blob: SampledBlob, seed: string, epoch: bigint): Candidate[] {
  const out: Candidate[] = [];
  for (let line = 0; line < blob.codedRows; line++) {
    for (let sub = 0; sub < blob.cols / 32; sub++) {
      const q = quality(seed, epoch, 0n, blob.dataRoot, line, sub, blob.subline(line, sub));
      out.push({ line, sub, signer: f.signers[line % f.signers.length], q });
    }
  }
  return out;
}

/** A fresh round with a position whose quality passes (`pass`) or fails the target; retries rounds until one has it. */
export async function roundWith(f: F, pass: boolean) {
  for (let tries = 0; tries < 20; tries++) {
    const r = await freshRound(f);
    const found = candidates(f, f.blob, r.seed, f.epoch).find((c) => c.q <= r.target === pass);
    if (found) return { ...r, c: found };
  }
  throw new Error("no round with such a position in 20 rounds");
}

export function answer(f: F, c: Candidate) {
  return answerOf(f.blob, f.epoch, 0n, c.line, c.sub);
}
