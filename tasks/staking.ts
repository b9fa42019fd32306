import { task, types } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { formatEther, parseEther, isAddress } from "ethers";
import { accountSigner, recordedAddress, taskContext, type DeploymentArgs } from "./lib";

interface StakingArgs extends DeploymentArgs {
  account?: string;
}

async function staking(hre: HardhatRuntimeEnvironment, args: StakingArgs) {
  const ctx = await taskContext(hre, args);
  const signer = await accountSigner(hre, args.account);
  const contract = await hre.ethers.getContractAt("Staking", recordedAddress(ctx, "Staking"), signer);
  return { ctx, signer, contract };
}

function address(value: string, flag: string): string {
  if (!isAddress(value)) throw new Error(`--${flag} ${value} is not an address`);
  return value;
}

function tokens(value: string, flag: string): bigint {
  try {
    return parseEther(value);
  } catch {
    throw new Error(`--${flag} ${value} is not an amount of tokens (e.g. 1000 or 0.5)`);
  }
}

const pct = (ppm: bigint | number) => `${(Number(ppm) / 1e4).toFixed(2)} %`;

/** Every staking task takes these. */
function stakingTask(name: string, description: string) {
  return task(name, description)
    .addOptionalParam("account", "account index or address to act as (default: the first)")
    .addOptionalParam("deployments", "folder of <chainId>.json deployment records");
}

stakingTask("validator:register", "Registers the account as a validator with its self-stake")
  .addParam("pubkey", "consensus public key, 0x-hex")
  .addParam("stake", "self-stake in tokens")
  .addOptionalParam("description", "free text shown to delegators", "")
  .addOptionalParam("commission", "commission in ppm (50000 = 5 %)", 50_000, types.int)
  .addOptionalParam("maxCommission", "the most this validator may ever charge, in ppm", 200_000, types.int)
  .addOptionalParam("maxChange", "most the commission may change per day, in ppm", 10_000, types.int)
  .setAction(async (args, hre) => {
    const { signer, contract } = await staking(hre, args);
    const tx = await contract.registerValidator(
      args.pubkey,
      args.description,
      args.commission,
      args.maxCommission,
      args.maxChange,
      { value: tokens(args.stake, "stake") },
    );
    const receipt = await tx.wait();
    console.log(`validator ${signer.address} registered with ${args.stake} self-stake (tx ${receipt?.hash})`);
  });

stakingTask("validator:commission", "Changes the account's validator commission")
  .addParam("rate", "new commission in ppm", undefined, types.int)
  .setAction(async (args, hre) => {
    const { signer, contract } = await staking(hre, args);
    await (await contract.setCommission(args.rate)).wait();
    console.log(`validator ${signer.address} commission is now ${pct(args.rate)}`);
  });

stakingTask("validator:unjail", "Unjails the account's validator after its jail period").setAction(
  async (args, hre) => {
    const { signer, contract } = await staking(hre, args);
    await (await contract.unjail()).wait();
    console.log(`validator ${signer.address} unjailed`);
  },
);

stakingTask("validator:evict", "Exits a validator left jailed a whole jail period past its term (anyone may)")
  .addParam("validator", "validator address")
  .setAction(async (args, hre) => {
    const { contract } = await staking(hre, args);
    await (await contract.evictValidator(address(args.validator, "validator"))).wait();
    console.log(
      `validator ${args.validator} evicted: its slot is free; its delegators undelegate as from any exited one`,
    );
  });

stakingTask("stake:delegate", "Delegates tokens to a validator")
  .addParam("validator", "validator address")
  .addParam("amount", "tokens to delegate")
  .setAction(async (args, hre) => {
    const { signer, contract } = await staking(hre, args);
    const validator = address(args.validator, "validator");
    const receipt = await (await contract.delegate(validator, { value: tokens(args.amount, "amount") })).wait();
    const event = receipt?.logs.map((l) => contract.interface.parseLog(l)).find((e) => e?.name === "Delegated");
    console.log(`${signer.address} delegated ${args.amount} to ${validator} for ${event?.args.shares} shares`);
  });

stakingTask("stake:undelegate", "Burns shares into a withdrawal entry that completes after the unbonding delay")
  .addParam("validator", "validator address")
  .addOptionalParam("shares", "shares to undelegate (default: all that are not locked)")
  .setAction(async (args, hre) => {
    const { signer, contract } = await staking(hre, args);
    const validator = address(args.validator, "validator");
    const shares =
      args.shares !== undefined
        ? BigInt(args.shares)
        : (await contract.sharesOf(signer.address, validator)) -
          (await contract.lockedShares(signer.address, validator));
    const receipt = await (await contract.undelegate(validator, shares)).wait();
    const event = receipt?.logs.map((l) => contract.interface.parseLog(l)).find((e) => e?.name === "Undelegated");
    if (!event) throw new Error("no Undelegated event in the receipt");
    const ready = new Date(Number(event.args.completionTime) * 1000).toISOString();
    console.log(
      `withdrawal #${event.args.entryId}: ${formatEther(event.args.amount)} from ${validator}, ready at ${ready}`,
    );
  });

stakingTask("stake:redelegate", "Moves shares from one validator to another without waiting")
  .addParam("src", "validator to move from")
  .addParam("dst", "validator to move to")
  .addParam("shares", "shares of src to move")
  .setAction(async (args, hre) => {
    const { contract } = await staking(hre, args);
    const receipt = await (
      await contract.redelegate(address(args.src, "src"), address(args.dst, "dst"), BigInt(args.shares))
    ).wait();
    const event = receipt?.logs.map((l) => contract.interface.parseLog(l)).find((e) => e?.name === "Redelegated");
    if (!event) throw new Error("no Redelegated event in the receipt");
    console.log(
      `moved ${formatEther(event.args.amount)} to ${args.dst} for ${event.args.dstShares} shares, locked until ` +
        `${new Date(Number(event.args.completionTime) * 1000).toISOString()}`,
    );
  });

stakingTask("stake:withdraw", "Pays out the account's completed withdrawal entries")
  .addOptionalParam("entries", "comma-separated entry ids (default: every completed one of the account)")
  .setAction(async (args, hre) => {
    const { ctx, signer, contract } = await staking(hre, args);
    let ids: bigint[];
    if (args.entries) {
      ids = String(args.entries)
        .split(",")
        .map((s: string) => BigInt(s.trim()));
    } else {
      const now = BigInt((await hre.ethers.provider.getBlock("latest"))!.timestamp);
      const open = await pendingWithdrawals(contract, ctx.record.contracts.Staking.startBlock, {
        owner: signer.address,
      });
      ids = open.filter((w) => w.completionTime <= now).map((w) => w.id);
      if (ids.length === 0) {
        console.log(
          `nothing to withdraw for ${signer.address} (${open.length} ${open.length === 1 ? "entry" : "entries"} unbonding)`,
        );
        return;
      }
    }
    const before = await hre.ethers.provider.getBalance(signer.address);
    const receipt = await (await contract.withdraw(ids)).wait();
    const paid = receipt!.logs
      .map((l) => contract.interface.parseLog(l))
      .filter((e) => e?.name === "Withdrawn")
      .reduce((sum, e) => sum + (e!.args.amount as bigint), 0n);
    const gas = receipt!.gasUsed * receipt!.gasPrice;
    const after = await hre.ethers.provider.getBalance(signer.address);
    console.log(
      `withdrew ${formatEther(paid)} from entries ${ids.join(", ")} (balance +${formatEther(after - before + gas)})`,
    );
  });

stakingTask("stake:info", "Prints a validator's stake, shares, share price, commission and pending withdrawals")
  .addParam("validator", "validator address")
  .addOptionalParam("delegator", "also show this delegator's position")
  .setAction(async (args, hre) => {
    const { ctx, contract } = await staking(hre, args);
    const validator = address(args.validator, "validator");
    const v = await contract.getValidator(validator);
    const now = BigInt((await hre.ethers.provider.getBlock("latest"))!.timestamp);
    const status = v.jailed
      ? `jailed until ${new Date(Number(v.jailedUntil) * 1000).toISOString()}`
      : (["none", "active", "exited"][Number(v.status)] ?? String(v.status));
    // Shares carry three more decimals than tokens (the virtual offset), so 1000 shares start at 1 token.
    const price = await contract.sharesToStake(validator, 10n ** 21n);
    console.log(`validator ${validator} (${status})`);
    console.log(
      `  commission        ${pct(v.commissionPpm)} (max ${pct(v.maxCommissionPpm)}, change ≤ ${pct(v.maxCommissionChangePerDayPpm)}/day)`,
    );
    console.log(`  bonded stake      ${formatEther(v.bonded.stake)}`);
    console.log(`  effective stake   ${formatEther(await contract.effectiveStake(validator))}`);
    console.log(`  shares            ${v.bonded.shares}`);
    console.log(`  share price       ${formatEther(price)} per 1000 shares`);
    console.log(`  unbonding         ${formatEther(v.unbonding.stake)}`);
    console.log(`  commission owed   ${formatEther(await contract.commissionOwed(validator))}`);
    const pending = await pendingWithdrawals(contract, ctx.record.contracts.Staking.startBlock, { validator });
    console.log(`  pending withdrawals: ${pending.length}`);
    for (const w of pending) {
      const when = w.completionTime <= now ? "ready" : `in ${w.completionTime - now} s`;
      console.log(`    #${w.id}  ${w.owner}  ${formatEther(w.value)}  ${when}`);
    }
    if (args.delegator) {
      const delegator = address(args.delegator, "delegator");
      const shares = await contract.sharesOf(delegator, validator);
      const locked = await contract.lockedShares(delegator, validator);
      console.log(
        `  delegator ${delegator}: ${shares} shares (${locked} locked) = ${formatEther(await contract.sharesToStake(validator, shares))}`,
      );
    }
  });

stakingTask("service:optin", "Opts the account's validator into securing a registered service")
  .addParam("service", "service address")
  .setAction(async (args, hre) => {
    const { signer, contract } = await staking(hre, args);
    await (await contract.optIn(address(args.service, "service"))).wait();
    console.log(`validator ${signer.address} now secures service ${args.service}`);
  });

stakingTask("service:register", "Registers a protocol service that may slash the validators opted into it (admin)")
  .addParam("service", "service address")
  .addParam("name", "service name")
  .addOptionalParam("cap", "most it may slash one validator per epoch, in ppm", 100_000, types.int)
  .setAction(async (args, hre) => {
    const { contract } = await staking(hre, args);
    await (await contract.registerService(address(args.service, "service"), args.name, args.cap)).wait();
    console.log(`service ${args.name} at ${args.service} registered, slash cap ${pct(args.cap)} per epoch`);
  });

stakingTask("service:slash", "Slashes a validator as a registered service (the account must be the service)")
  .addParam("validator", "validator address")
  .addParam("ppm", "fraction to slash, in ppm", undefined, types.int)
  .addParam("reason", "why, hashed into the reason")
  .addFlag("jail", "also jail the validator")
  .setAction(async (args, hre) => {
    const { contract } = await staking(hre, args);
    const reason = hre.ethers.id(args.reason);
    const receipt = await (
      await contract.slash(address(args.validator, "validator"), args.ppm, reason, args.jail)
    ).wait();
    const event = receipt?.logs.map((l) => contract.interface.parseLog(l)).find((e) => e?.name === "Slashed");
    if (!event) throw new Error("no Slashed event in the receipt");
    const total = event.args.bondedAmount + event.args.unbondingAmount + event.args.redelegatedAmount;
    console.log(
      `slashed ${args.validator} by ${pct(args.ppm)}: ${formatEther(total)} (bonded ${formatEther(event.args.bondedAmount)}, ` +
        `unbonding ${formatEther(event.args.unbondingAmount)}, redelegated ${formatEther(event.args.redelegatedAmount)})`,
    );
  });

stakingTask("rewards:distribute", "Pushes a reward to a validator (tax, then commission, then delegators)")
  .addParam("validator", "validator address")
  .addParam("amount", "tokens")
  .setAction(async (args, hre) => {
    const { contract } = await staking(hre, args);
    const receipt = await (
      await contract.distributeRewards(address(args.validator, "validator"), { value: tokens(args.amount, "amount") })
    ).wait();
    const event = receipt?.logs
      .map((l) => contract.interface.parseLog(l))
      .find((e) => e?.name === "RewardsDistributed");
    if (!event) throw new Error("no RewardsDistributed event in the receipt");
    console.log(
      `reward ${args.amount} to ${args.validator}: tax ${formatEther(event.args.tax)}, commission ` +
        `${formatEther(event.args.commission)}, delegators ${formatEther(event.args.toDelegators)}`,
    );
  });

interface PendingWithdrawal {
  id: bigint;
  owner: string;
  validator: string;
  completionTime: bigint;
  value: bigint;
}

type StakingContract = Awaited<ReturnType<typeof staking>>["contract"];

/** Unclaimed withdrawal entries, found from `Undelegated` events since the contract's start block. */
async function pendingWithdrawals(
  contract: StakingContract,
  fromBlock: number,
  filter: { owner?: string; validator?: string },
): Promise<PendingWithdrawal[]> {
  const events = await contract.queryFilter(contract.filters.Undelegated(filter.owner, filter.validator), fromBlock);
  const open: PendingWithdrawal[] = [];
  for (const event of events) {
    const id = event.args.entryId;
    const entry = await contract.getWithdrawal(id);
    if (entry.claimed) continue;
    open.push({
      id,
      owner: entry.owner,
      validator: entry.validator,
      completionTime: entry.completionTime,
      value: await contract.withdrawalValue(id),
    });
  }
  return open;
}
