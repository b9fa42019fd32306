// Governance tasks: propose actions (a recorded contract's function with JSON arguments, or raw calldata), vote,
// queue a passed proposal in the timelock, execute it once the delay is over, show a proposal's state, delegate
// stake votes and sync them after a slash or a reward. The exported helpers never wait on the clock, so tests
// drive blocks and time themselves.
import { task } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { formatEther, type FunctionFragment, id, Interface, isAddress, isHexString, type Log } from "ethers";
import fs from "node:fs";
import type { DeployContext } from "../deploy/context";
import { accountSigner, recordedAddress, taskContext, type DeploymentArgs } from "./lib";

/** One call a proposal makes, as given on the command line or in an actions file. */
export interface ActionSpec {
  /** A contract name in the deployment record (`Market`, `ZgTimelock`) or an address. */
  target: string;
  /** A function signature such as `setPricePerSector(uint256)`; with `args`. */
  function?: string;
  /** The function's arguments as a JSON array (numbers as strings for big values). */
  args?: unknown[];
  /** Raw calldata instead of `function` and `args`. */
  calldata?: string;
  /** Native value sent with the call, in wei. */
  value?: string;
}

/** A proposal's calls, resolved: what `propose`, `queue` and `execute` take. */
export interface Actions {
  targets: string[];
  values: bigint[];
  calldatas: string[];
}

/** Governor proposal states, in the order of OpenZeppelin's `IGovernor.ProposalState`. */
export const PROPOSAL_STATES = [
  "Pending",
  "Active",
  "Canceled",
  "Defeated",
  "Succeeded",
  "Queued",
  "Expired",
  "Executed",
] as const;

const SUPPORT: Record<string, number> = { against: 0, for: 1, abstain: 2 };

/** Resolves action specs to targets, values and calldata; refuses anything ambiguous or malformed. */
export function resolveActions(ctx: DeployContext, specs: ActionSpec[]): Actions {
  if (specs.length === 0) throw new Error("a proposal needs at least one action");
  const out: Actions = { targets: [], values: [], calldatas: [] };
  specs.forEach((spec, i) => {
    const where = `action ${i + 1}`;
    if (typeof spec.target !== "string" || spec.target === "") throw new Error(`${where}: target is missing`);
    const target = isAddress(spec.target) ? spec.target : recordedAddress(ctx, spec.target);
    let calldata: string;
    if (spec.calldata !== undefined) {
      if (spec.function !== undefined || spec.args !== undefined) {
        throw new Error(`${where}: give either calldata or function and args, not both`);
      }
      if (!isHexString(spec.calldata) || spec.calldata.length % 2 !== 0) {
        throw new Error(`${where}: calldata ${spec.calldata} is not 0x-hex bytes`);
      }
      calldata = spec.calldata;
    } else {
      if (!spec.function) throw new Error(`${where}: give a function signature (and args) or calldata`);
      let iface: Interface;
      try {
        iface = new Interface([`function ${spec.function}`]);
      } catch {
        throw new Error(`${where}: ${spec.function} is not a function signature such as setPrice(uint256)`);
      }
      const args = spec.args ?? [];
      if (!Array.isArray(args)) throw new Error(`${where}: args must be a JSON array`);
      try {
        calldata = iface.encodeFunctionData(iface.fragments[0] as FunctionFragment, args);
      } catch (err) {
        throw new Error(
          `${where}: arguments ${JSON.stringify(args)} do not fit ${spec.function}: ${(err as Error).message}`,
        );
      }
    }
    let value = 0n;
    if (spec.value !== undefined) {
      if (!/^\d+$/.test(String(spec.value)))
        throw new Error(`${where}: value ${spec.value} is not a whole number of wei`);
      value = BigInt(spec.value);
    }
    out.targets.push(target);
    out.values.push(value);
    out.calldatas.push(calldata);
  });
  return out;
}

/** The recorded governor, connected as `signer`. */
export async function governorAt(ctx: DeployContext, signer?: Awaited<ReturnType<typeof accountSigner>>) {
  return ctx.hre.ethers.getContractAt("ZgGovernor", recordedAddress(ctx, "ZgGovernor"), signer);
}

/** The actions and description of proposal `proposalId`, read back from its `ProposalCreated` event. */
export async function findProposal(ctx: DeployContext, proposalId: bigint) {
  const governor = await governorAt(ctx);
  const fromBlock = ctx.record.contracts.ZgGovernor.startBlock;
  const logs = await governor.queryFilter(governor.filters.ProposalCreated(), fromBlock);
  const log = logs.find((l) => l.args.proposalId === proposalId);
  if (!log) throw new Error(`no proposal ${proposalId} on ZgGovernor ${await governor.getAddress()}`);
  const actions: Actions = {
    targets: [...log.args.targets],
    values: [...log.args[3]],
    calldatas: [...log.args.calldatas],
  };
  return { actions, description: log.args.description, descriptionHash: id(log.args.description) };
}

function proposalId(value: string): bigint {
  if (!/^(0|[1-9][0-9]{0,77})$/.test(value)) throw new Error(`--proposal ${value} is not a proposal id (a number)`);
  return BigInt(value);
}

/** Reads `--actions` as inline JSON or, with a leading `@`, from a file. */
function readActions(value: string): ActionSpec[] {
  const text = value.startsWith("@") ? fs.readFileSync(value.slice(1), "utf8") : value;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`--actions is not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(parsed)) throw new Error("--actions must be a JSON array of {target, function, args} objects");
  return parsed as ActionSpec[];
}

interface GovArgs extends DeploymentArgs {
  account?: string;
}

async function govContext(hre: HardhatRuntimeEnvironment, args: GovArgs) {
  const ctx = await taskContext(hre, args);
  const signer = await accountSigner(hre, args.account);
  const governor = await governorAt(ctx, signer);
  return { ctx, signer, governor };
}

function govTask(name: string, description: string) {
  return task(name, description)
    .addOptionalParam("account", "account index or address to act as (default: the first)")
    .addOptionalParam("deployments", "folder of <chainId>.json deployment records");
}

govTask("gov:propose", "Proposes one action (--target with --function/--args or --calldata) or several (--actions)")
  .addParam("description", "what the proposal does and why (its text identifies it)")
  .addOptionalParam("target", "a recorded contract name (Market) or an address")
  .addOptionalParam("function", 'function signature, such as "setPricePerSector(uint256)"')
  .addOptionalParam("args", "the function's arguments as a JSON array, such as '[\"1000\"]'")
  .addOptionalParam("calldata", "raw 0x-calldata instead of --function and --args")
  .addOptionalParam("value", "wei sent with the call", "0")
  .addOptionalParam("actions", "several actions: a JSON array of {target, function, args, calldata, value}, or @file")
  .setAction(async (args, hre) => {
    const { ctx, signer, governor } = await govContext(hre, args);
    let specs: ActionSpec[];
    if (args.actions) {
      if (args.target || args.function || args.calldata || args.args) {
        throw new Error("give either --actions or a single --target action, not both");
      }
      specs = readActions(args.actions);
    } else {
      if (!args.target) throw new Error("give --target (with --function and --args, or --calldata) or --actions");
      let fnArgs: unknown[] | undefined;
      if (args.args !== undefined) {
        try {
          fnArgs = JSON.parse(args.args);
        } catch {
          throw new Error(`--args ${args.args} is not a JSON array`);
        }
      }
      specs = [
        { target: args.target, function: args.function, args: fnArgs, calldata: args.calldata, value: args.value },
      ];
    }
    const actions = resolveActions(ctx, specs);
    const threshold = await governor.proposalThreshold();
    const votes = await governor.getVotes(signer.address, (await hre.ethers.provider.getBlockNumber()) - 1);
    if (votes < threshold) {
      throw new Error(
        `${signer.address} has ${formatEther(votes)} votes, below the proposal threshold of ${formatEther(threshold)}: ` +
          "stake more, or have others delegate to you (gov:delegate), and wait one block",
      );
    }
    const receipt = await (
      await governor.propose(actions.targets, actions.values, actions.calldatas, args.description)
    ).wait();
    const created = (receipt!.logs as Log[])
      .map((log) => governor.interface.parseLog(log))
      .find((parsed) => parsed?.name === "ProposalCreated");
    const pid = created!.args.proposalId as bigint;
    console.log(
      `proposed ${pid} with ${actions.targets.length} action(s); voting from block ${created!.args.voteStart} ` +
        `to ${created!.args.voteEnd} (tx ${receipt!.hash})`,
    );
  });

govTask("gov:vote", "Casts the account's votes on an active proposal")
  .addParam("proposal", "proposal id")
  .addParam("support", "for, against or abstain")
  .addOptionalParam("reason", "a reason, recorded in the VoteCast event", "")
  .setAction(async (args, hre) => {
    const { signer, governor } = await govContext(hre, args);
    const pid = proposalId(args.proposal);
    const support = SUPPORT[String(args.support).toLowerCase()];
    if (support === undefined) throw new Error(`--support ${args.support}: choose for, against or abstain`);
    const state = PROPOSAL_STATES[Number(await governor.state(pid))];
    if (state !== "Active") throw new Error(`proposal ${pid} is ${state}, not Active: votes are cast while Active`);
    if (await governor.hasVoted(pid, signer.address)) throw new Error(`${signer.address} already voted on ${pid}`);
    const weight = await governor.getVotes(signer.address, await governor.proposalSnapshot(pid));
    const receipt = await (await governor.castVoteWithReason(pid, support, args.reason)).wait();
    console.log(
      `voted ${String(args.support).toLowerCase()} on ${pid} with ${formatEther(weight)} votes (tx ${receipt!.hash})`,
    );
  });

govTask("gov:queue", "Queues a succeeded proposal in the timelock")
  .addParam("proposal", "proposal id")
  .setAction(async (args, hre) => {
    const { ctx, governor } = await govContext(hre, args);
    const pid = proposalId(args.proposal);
    const state = PROPOSAL_STATES[Number(await governor.state(pid))];
    if (state !== "Succeeded") throw new Error(`proposal ${pid} is ${state}: only a Succeeded proposal is queued`);
    const { actions, descriptionHash } = await findProposal(ctx, pid);
    const receipt = await (
      await governor.queue(actions.targets, actions.values, actions.calldatas, descriptionHash)
    ).wait();
    const eta = await governor.proposalEta(pid);
    console.log(
      `queued ${pid}; executable from ${eta} (${new Date(Number(eta) * 1000).toISOString()}) (tx ${receipt!.hash})`,
    );
  });

govTask("gov:execute", "Executes a queued proposal whose timelock delay is over")
  .addParam("proposal", "proposal id")
  .setAction(async (args, hre) => {
    const { ctx, governor } = await govContext(hre, args);
    const pid = proposalId(args.proposal);
    const state = PROPOSAL_STATES[Number(await governor.state(pid))];
    if (state !== "Queued") throw new Error(`proposal ${pid} is ${state}: only a Queued proposal is executed`);
    const eta = await governor.proposalEta(pid);
    const now = BigInt((await hre.ethers.provider.getBlock("latest"))!.timestamp);
    if (now < eta) throw new Error(`proposal ${pid} is executable from ${eta}, in ${eta - now} s: wait and run again`);
    const { actions, descriptionHash } = await findProposal(ctx, pid);
    const total = actions.values.reduce((a, b) => a + b, 0n);
    const receipt = await (
      await governor.execute(actions.targets, actions.values, actions.calldatas, descriptionHash, { value: total })
    ).wait();
    console.log(`executed ${pid} (tx ${receipt!.hash})`);
  });

govTask("gov:state", "Shows a proposal's state, votes, quorum, voting window and timelock eta")
  .addParam("proposal", "proposal id")
  .setAction(async (args, hre) => {
    const { ctx, governor } = await govContext(hre, args);
    const pid = proposalId(args.proposal);
    const { description } = await findProposal(ctx, pid);
    const state = PROPOSAL_STATES[Number(await governor.state(pid))];
    const [against, forVotes, abstain] = await governor.proposalVotes(pid);
    const snapshot = await governor.proposalSnapshot(pid);
    const deadline = await governor.proposalDeadline(pid);
    const block = BigInt(await hre.ethers.provider.getBlockNumber());
    const quorum = snapshot < block ? formatEther(await governor.quorum(snapshot)) : "(after the snapshot)";
    const eta = await governor.proposalEta(pid);
    console.log(
      `proposal ${pid}: ${state}; for ${formatEther(forVotes)}, against ${formatEther(against)}, ` +
        `abstain ${formatEther(abstain)}; quorum ${quorum}; votes from block ${snapshot + 1n} to ${deadline} ` +
        `(now ${block}); eta ${eta === 0n ? "-" : eta.toString()}; "${description.split("\n")[0]}"`,
    );
  });

govTask("gov:delegate", "Delegates the account's stake votes to another account (or to itself)")
  .addOptionalParam("to", "the delegate's address (default: the account itself)")
  .setAction(async (args, hre) => {
    const { ctx, signer } = await govContext(hre, args);
    const to = args.to ?? signer.address;
    if (!isAddress(to)) throw new Error(`--to ${to} is not an address`);
    const votes = await hre.ethers.getContractAt("StakeVotes", recordedAddress(ctx, "StakeVotes"), signer);
    const receipt = await (await votes.delegate(to)).wait();
    console.log(
      `${signer.address} delegates ${formatEther(await votes.votingUnits(signer.address))} votes to ${to} ` +
        `(tx ${receipt!.hash}); ${to} has ${formatEther(await votes.getVotes(to))} votes`,
    );
  });

govTask("gov:sync", "Recomputes an account's stake votes from Staking (after a slash or rewards)")
  .addOptionalParam("who", "the account to sync (default: the acting account)")
  .setAction(async (args, hre) => {
    const { ctx, signer } = await govContext(hre, args);
    const who = args.who ?? signer.address;
    if (!isAddress(who)) throw new Error(`--who ${who} is not an address`);
    const votes = await hre.ethers.getContractAt("StakeVotes", recordedAddress(ctx, "StakeVotes"), signer);
    const before = await votes.votingUnits(who);
    const receipt = await (await votes.sync(who)).wait();
    console.log(
      `${who}: ${formatEther(before)} -> ${formatEther(await votes.votingUnits(who))} voting units (tx ${receipt!.hash})`,
    );
  });
