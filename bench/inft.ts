// iNFT transfers: proof time (in process and in a worker thread) and gas of a transfer in each mode.
// Run: npm run bench:inft  (BENCH_RUNS=N; writes bench/reports/inft.json)
import fs from "node:fs";
import { ethers } from "hardhat";
import { babyJubKeyPair, inftCircuitInput, proveKeyTransferInWorker, sealZk, zkTransferProof } from "../offchain/inft";
import { releaseSnarkjsWorkers } from "../offchain/zk/workers";
import { encryptionKey, entryTransfer, inftFixture, teeProof } from "../test/inft/helpers";
import { stats, timeRuns, writeReport } from "./report";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);

async function main() {
  const f = await inftFixture();
  const [alice, bob] = [f.alice, f.bob];
  const owners = [alice, bob];
  const keys = [encryptionKey(), encryptionKey()];
  const teeGas: number[] = [];
  const teeTimes = await timeRuns(RUNS, async (i) => {
    const [from, to] = [owners[i % 2], owners[(i + 1) % 2]];
    const entry = await entryTransfer(f, to.address);
    const proof = await teeProof(f, entry, keys[(i + 1) % 2].publicKey, to);
    const receipt = await (
      await f.nft.connect(from).iTransferFrom(from.address, to.address, f.tokenId, [proof])
    ).wait();
    teeGas.push(Number(receipt!.gasUsed));
  });

  // The token now sits with whoever received last; ZK transfers go on from there.
  const zkGas: number[] = [];
  const provingMs: number[] = [];
  const zkKeys = [babyJubKeyPair("bench alice"), babyJubKeyPair("bench bob")];
  const start = RUNS % 2;
  await timeRuns(RUNS, async (i) => {
    const [from, to] = [owners[(start + i) % 2], owners[(start + i + 1) % 2]];
    const entry = await entryTransfer(f, to.address);
    const { proof, provingMs: ms } = await zkTransferProof(entry, f.key, zkKeys[(start + i + 1) % 2].publicKey, to);
    provingMs.push(ms);
    const receipt = await (
      await f.nft.connect(from).iTransferFrom(from.address, to.address, f.tokenId, [proof])
    ).wait();
    zkGas.push(Number(receipt!.gasUsed));
  });

  const input = inftCircuitInput(f.key, zkKeys[0].publicKey, sealZk(f.key, zkKeys[0].publicKey));
  const worker = await timeRuns(Math.min(RUNS, 3), () => proveKeyTransferInWorker(input));
  const mean = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) / xs.length);

  const file = writeReport("inft", {
    teeTransfer: { gas: mean(teeGas), wallIncludingOracle: stats(teeTimes) },
    zkTransfer: { gas: mean(zkGas), proveInProcess: stats(provingMs) },
    zkProveInWorker: stats(worker),
    chainId: Number((await ethers.provider.getNetwork()).chainId),
  });
  console.log(fs.readFileSync(file, "utf8"));
  await releaseSnarkjsWorkers();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
