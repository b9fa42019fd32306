import { task } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { formatEther, isHexString } from "ethers";
import { accountSigner, recordedAddress, taskContext, type DeploymentArgs } from "./lib";

interface DaArgs extends DeploymentArgs {
  account?: string;
}

async function contracts(hre: HardhatRuntimeEnvironment, args: DaArgs) {
  const ctx = await taskContext(hre, args);
  const signer = await accountSigner(hre, args.account);
  const at = <N extends "DAEntrance" | "DASampler" | "DAChallenge" | "DASignerRegistry">(name: N) =>
    hre.ethers.getContractAt(name, recordedAddress(ctx, name), signer);
  return {
    signer,
    entrance: await at("DAEntrance"),
    sampler: await at("DASampler"),
    challenge: await at("DAChallenge"),
    registry: await at("DASignerRegistry"),
  };
}

/** Every DA task takes these. */
function daTask(name: string, description: string) {
  return task(name, description)
    .addOptionalParam("account", "account index or address to act as (default: the first)")
    .addOptionalParam("deployments", "folder of <chainId>.json deployment records");
}

function uint(name: string, value: string): bigint {
  if (!/^\d+$/.test(value)) throw new Error(`--${name} ${value} is not a non-negative integer`);
  return BigInt(value);
}

daTask(
  "da:sample-info",
  "Prints the sampling round, target, sample range, pools and what the account is owed",
).setAction(async (args, hre) => {
  const { sampler, challenge, signer } = await contracts(hre, args);
  const round = await sampler.currentRound();
  const info = await sampler.getRound(round);
  const p = await sampler.getParams();
  const [first, last] = await sampler.sampleRange();
  console.log(`round        ${round} (${await sampler.samplePeriod()} blocks each)`);
  console.log(
    info.seed === hre.ethers.ZeroHash
      ? "seed         not fixed yet (the first answer or `startRound` fixes it)"
      : `seed         ${info.seed}, ${info.answers} answers so far`,
  );
  console.log(`target       ${await sampler.qualityTarget()}`);
  console.log(`answers      aim ${p.targetAnswersPerRound} per round, at most ${p.maxAnswersPerRound}`);
  console.log(`epochs       ${first} .. ${last} are sampled (${p.sampleEpochs} finished epochs)`);
  for (let e = first; e <= last; e++) {
    const pool = await sampler.epochPool(e);
    const state = pool.pulled ? `${formatEther(pool.remaining)} of ${formatEther(pool.total)} left` : "not pulled yet";
    console.log(`pool ${e}`.padEnd(13) + state);
  }
  console.log(`base pool    ${formatEther(await sampler.basePool())} (${formatEther(p.baseReward)} per answer)`);
  console.log(`owed         ${formatEther(await sampler.owed(signer.address))} to ${signer.address}`);
  console.log(`bonds        ${formatEther(await challenge.credited(signer.address))} credited in DAChallenge`);
});

daTask("da:challenge", "Challenges the signer of a blob's line to show a subline, posting the bond; prints the id")
  .addParam("dataRoot", "the blob's data root")
  .addParam("epoch", "the blob's epoch")
  .addOptionalParam("quorum", "the blob's quorum", "0")
  .addParam("rowsRoot", "the blob's rows root (the data root's preimage)")
  .addParam("cols", "scalars per row (C)")
  .addParam("dataRows", "data rows (k)")
  .addParam("codedRows", "coded rows (n)")
  .addParam("line", "the line (coded row) to challenge")
  .addOptionalParam("subline", "the subline in the row", "0")
  .setAction(async (args, hre) => {
    for (const name of ["dataRoot", "rowsRoot"] as const) {
      if (!isHexString(args[name], 32)) throw new Error(`--${name} ${args[name]} is not a 32-byte 0x-hex value`);
    }
    const { entrance, challenge } = await contracts(hre, args);
    const epoch = uint("epoch", args.epoch);
    const quorumId = uint("quorum", args.quorum);
    // The certificate's commitment and non-signers are in the call that verified it.
    const logs = await entrance.queryFilter(entrance.filters.CommitRootVerified(args.dataRoot, epoch, quorumId));
    if (logs.length === 0)
      throw new Error(`no verified certificate for ${args.dataRoot} in epoch ${epoch}, quorum ${quorumId}`);
    const tx = await hre.ethers.provider.getTransaction(logs[0].transactionHash);
    const call = tx && entrance.interface.parseTransaction(tx);
    const sub = call?.args[0]?.find(
      (s: { dataRoot: string }) => s.dataRoot.toLowerCase() === args.dataRoot.toLowerCase(),
    );
    if (!sub)
      throw new Error(`the certificate of ${args.dataRoot} was not sent straight to the entrance: pass it by hand`);
    const req = {
      dataRoot: args.dataRoot,
      epoch,
      quorumId,
      rowsRoot: args.rowsRoot,
      cols: uint("cols", args.cols),
      dataRows: uint("dataRows", args.dataRows),
      codedRows: uint("codedRows", args.codedRows),
      lineIndex: uint("line", args.line),
      sublineIndex: uint("subline", args.subline),
      commitment: { X: sub.commitment.X, Y: sub.commitment.Y },
      nonSignerPubkeys: sub.nonSignerPubkeys.map((k: { X: bigint; Y: bigint }) => ({ X: k.X, Y: k.Y })),
    };
    const bond = (await challenge.getParams()).bond;
    const id = await challenge.openChallenge.staticCall(req, { value: bond });
    const receipt = await (await challenge.openChallenge(req, { value: bond })).wait();
    const c = await challenge.getChallenge(id);
    console.log(`challenge ${id} against ${c.signer}: answer by block ${c.deadline} (bond ${formatEther(bond)})`);
    console.log(`tx ${receipt?.hash}`);
  });

daTask("da:finalize", "Finalizes an unanswered challenge after its deadline (slashes the signer); prints the outcome")
  .addPositionalParam("id", "the challenge id")
  .setAction(async (args, hre) => {
    const { challenge } = await contracts(hre, args);
    const id = uint("id", args.id);
    const receipt = await (await challenge.finalizeChallenge(id)).wait();
    const status = (await challenge.getChallenge(id)).status;
    console.log(`challenge ${id}: ${status === 3n ? "signer slashed" : "Staking refused the slash"}; bond returned`);
    console.log(`tx ${receipt?.hash}`);
  });

daTask("da:claim", "Claims the account's sampling rewards and credited challenge bonds").setAction(
  async (args, hre) => {
    const { sampler, challenge, signer } = await contracts(hre, args);
    const owed = await sampler.owed(signer.address);
    const credited = await challenge.credited(signer.address);
    if (owed === 0n && credited === 0n) {
      console.log(`nothing to claim for ${signer.address}`);
      return;
    }
    if (owed > 0n) await (await sampler.claim()).wait();
    if (credited > 0n) await (await challenge.withdraw()).wait();
    console.log(`claimed ${formatEther(owed)} in rewards and ${formatEther(credited)} in bonds to ${signer.address}`);
  },
);
