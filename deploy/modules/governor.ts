import { hexlify, id, parseEther, randomBytes, ZeroHash } from "ethers";
import { z } from "zod";
import type { DeployContext } from "../context";
import { deployPlain, deployUups } from "../steps";

/** Native-token amounts are written in whole tokens (18 decimals) as decimal strings: "1000", "0.5". */
const tokens = z.string().regex(/^\d+(\.\d{1,18})?$/, 'a decimal amount of tokens such as "1000" or "0.5"');

/**
 * The `governor` section of `deploy/params/<network>.json`. Voting delay and period count blocks (StakeVotes
 * uses the block-number clock); the defaults assume ~12 s blocks: one day of delay, one week of voting.
 */
export const governorParamsSchema = z
  .object({
    /** Blocks between a proposal and its snapshot (when voting opens): time to sync stakes and to read. */
    votingDelay: z
      .number()
      .int()
      .min(0)
      .max(2 ** 48 - 1)
      .default(7200),
    /** Blocks voting stays open. */
    votingPeriod: z
      .number()
      .int()
      .min(1)
      .max(2 ** 32 - 1)
      .default(50_400),
    /** Votes (tokens of bonded stake) a proposer needs at the block before proposing. */
    proposalThreshold: tokens.default("10000"),
    /** Percent of all counted stake at the snapshot that for + abstain votes must reach. */
    quorumPercent: z.number().int().min(1).max(100).default(10),
  })
  .strict();

export type GovernorDeployParams = z.infer<typeof governorParamsSchema>;

/** Reads and checks the `governor` section of the deploy params (defaults when the section is absent). */
export function governorParams(ctx: DeployContext): GovernorDeployParams {
  const raw: unknown = (ctx.params as { governor?: unknown }).governor ?? {};
  const parsed = governorParamsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`deploy params: governor.${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}

const PROPOSER_ROLE = id("PROPOSER_ROLE");
const CANCELLER_ROLE = id("CANCELLER_ROLE");
const EXECUTOR_ROLE = id("EXECUTOR_ROLE");
const UPGRADER_ROLE = id("UPGRADER_ROLE");

/**
 * Governance by stake, run last: `StakeVotes` (UUPS; voting units = value of bonded stake), `Staking`'s stake
 * observer set to it, `ZgGovernor` (plain) with PROPOSER_ROLE and CANCELLER_ROLE on the timelock. While the
 * deployer still administers the timelock (the `governance` module created it so), it also gives the configured
 * proposers their roles, on a devnet gives the timelock admin and upgrade rights on every upgradeable contract
 * next to the deployer's (so proposals work there too), sets the timelock's real delay through an operation of
 * the timelock itself, and drops every right of the deployer on the timelock. Re-running it changes nothing.
 */
export async function deployGovernor(ctx: DeployContext): Promise<void> {
  if (!ctx.admin) throw new Error("deployGovernor needs ctx.admin: run the governance module first");
  const timelockAddress = ctx.record.contracts.ZgTimelock?.address;
  const stakingAddress = ctx.record.contracts.Staking?.address;
  if (!timelockAddress || !stakingAddress) {
    ctx.log(
      "governor: skipped until ZgTimelock and Staking are deployed; the timelock stays in its set-up state " +
        "(zero delay, the deployer its admin) until a deployment runs this module",
    );
    return;
  }
  const p = governorParams(ctx);
  const { adminIsDeployer, timelockDelay, proposers } = ctx.params.governance;
  const stakeVotes = await deployUups(ctx, "StakeVotes", "StakeVotes", [ctx.admin, stakingAddress]);
  const governor = await deployPlain(ctx, "ZgGovernor", "ZgGovernor", [
    stakeVotes,
    timelockAddress,
    p.votingDelay,
    p.votingPeriod,
    parseEther(p.proposalThreshold),
    p.quorumPercent,
  ]);

  const timelock = await ctx.hre.ethers.getContractAt("ZgTimelock", timelockAddress, ctx.deployer);
  const staking = await ctx.hre.ethers.getContractAt("Staking", stakingAddress, ctx.deployer);
  const me = ctx.deployerAddress;
  const settingUp = await timelock.hasRole(ZeroHash, me);
  /** Runs calls as the timelock (zero delay while it is set up), or logs what governance must queue. */
  const asTimelock = async (what: string, calls: { target: string; data: string }[]) => {
    if (!settingUp || (await timelock.getMinDelay()) !== 0n) {
      ctx.log(`governance must ${what}: queue ${JSON.stringify(calls)} on ZgTimelock ${timelockAddress}`);
      return;
    }
    const targets = calls.map((c) => c.target);
    const values = calls.map(() => 0n);
    const datas = calls.map((c) => c.data);
    const salt = hexlify(randomBytes(32));
    await (await timelock.scheduleBatch(targets, values, datas, ZeroHash, salt, 0)).wait();
    await (await timelock.executeBatch(targets, values, datas, ZeroHash, salt)).wait();
    ctx.log(`${what} through ZgTimelock`);
  };

  // Stake counts for votes only once Staking reports share changes to StakeVotes.
  if ((await staking.stakeObserver()).toLowerCase() !== stakeVotes.toLowerCase()) {
    const data = staking.interface.encodeFunctionData("setStakeObserver", [stakeVotes]);
    if (await staking.hasRole(ZeroHash, me)) {
      await (await staking.setStakeObserver(stakeVotes)).wait();
    } else {
      await asTimelock("set Staking's stake observer to StakeVotes", [{ target: stakingAddress, data }]);
    }
  }

  if (!settingUp) {
    if (!(await timelock.hasRole(PROPOSER_ROLE, governor))) {
      ctx.log(`governance must grant ZgGovernor ${governor} PROPOSER_ROLE and CANCELLER_ROLE on ${timelockAddress}`);
    }
    return;
  }

  // The governor and the configured proposers (the deployer on a devnet when none are given) queue and cancel.
  const finalProposers = [governor, ...(proposers.length > 0 ? proposers : adminIsDeployer ? [me] : [])];
  for (const account of finalProposers) {
    for (const role of [PROPOSER_ROLE, CANCELLER_ROLE]) {
      if (!(await timelock.hasRole(role, account))) await (await timelock.grantRole(role, account)).wait();
    }
  }

  if (adminIsDeployer) {
    // The deployer keeps its shortcut rights; the timelock gets the same ones so that passed proposals execute.
    for (const [name, entry] of Object.entries(ctx.record.contracts)) {
      if (entry.kind !== "uups") continue;
      const c = await ctx.hre.ethers.getContractAt("AccessControlUpgradeable", entry.address, ctx.deployer);
      if (!(await c.hasRole(ZeroHash, me))) continue;
      for (const role of [ZeroHash, UPGRADER_ROLE]) {
        if (!(await c.hasRole(role, timelockAddress))) await (await c.grantRole(role, timelockAddress)).wait();
      }
      ctx.log(`ZgTimelock shares admin and upgrade rights on ${name}`);
    }
  }

  if ((await timelock.getMinDelay()) !== BigInt(timelockDelay)) {
    const data = timelock.interface.encodeFunctionData("updateDelay", [timelockDelay]);
    await asTimelock(`set the timelock's delay to ${timelockDelay} s`, [{ target: timelockAddress, data }]);
  }

  // The deployer's set-up rights end here; it keeps only what the params give it.
  const keep = new Set(finalProposers.map((a) => a.toLowerCase()));
  if (!keep.has(me.toLowerCase())) {
    for (const role of [PROPOSER_ROLE, CANCELLER_ROLE]) {
      if (await timelock.hasRole(role, me)) await (await timelock.revokeRole(role, me)).wait();
    }
  }
  const executors = ctx.params.governance.executors.map((a) => a.toLowerCase());
  if (!executors.includes(me.toLowerCase()) && (await timelock.hasRole(EXECUTOR_ROLE, me))) {
    await (await timelock.revokeRole(EXECUTOR_ROLE, me)).wait();
  }
  await (await timelock.renounceRole(ZeroHash, me)).wait();
  ctx.log(`ZgTimelock handed over to ZgGovernor ${governor} (delay ${timelockDelay} s)`);
}
