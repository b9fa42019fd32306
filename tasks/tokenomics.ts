// Token economics tasks: supply per bucket at any block, releasing vested grants, paying out community rewards,
// and the genesis `alloc` for a real chain.
import fs from "node:fs";
import path from "node:path";
import { task } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { formatEther, getAddress, isAddress, type Log, toBeHex } from "ethers";
import { HolderKind, TOKENOMICS } from "../deploy/modules/tokenomics";
import { accountSigner, printTable, recordedAddress, taskContext, type DeploymentArgs } from "./lib";

interface TokenArgs extends DeploymentArgs {
  account?: string;
}

interface HolderRow {
  account: string;
  kind: bigint;
  amount: bigint;
}

async function tokenContext(hre: HardhatRuntimeEnvironment, args: TokenArgs) {
  const ctx = await taskContext(hre, args);
  const signer = await accountSigner(hre, args.account);
  const allocations = await hre.ethers.getContractAt(
    "Allocations",
    recordedAddress(ctx, TOKENOMICS.allocations),
    signer,
  );
  return { ctx, signer, allocations };
}

function tokenTask(name: string, description: string) {
  return task(name, description)
    .addOptionalParam("account", "account index or address to act as (default: the first)")
    .addOptionalParam("deployments", "folder of <chainId>.json deployment records");
}

/** Every holder of every bucket, with the bucket's name. */
async function holders(
  allocations: Awaited<ReturnType<typeof tokenContext>>["allocations"],
  blockTag?: number,
): Promise<{ bucket: string; holder: HolderRow }[]> {
  const count = Number(await allocations.bucketCount({ blockTag }));
  const rows: { bucket: string; holder: HolderRow }[] = [];
  for (let i = 0; i < count; i++) {
    const [name, , list] = await allocations.bucket(i, { blockTag });
    for (const h of list) rows.push({ bucket: name, holder: { account: h.account, kind: h.kind, amount: h.amount } });
  }
  return rows;
}

function tokens(wei: bigint): string {
  return formatEther(wei);
}

tokenTask("token:supply", "Prints circulating vs locked supply per genesis bucket, now or at a past block")
  .addOptionalParam("block", "block number to read at (default: latest)")
  .setAction(async (args: TokenArgs & { block?: string }, hre) => {
    const { allocations } = await tokenContext(hre, args);
    const latest = await hre.ethers.provider.getBlockNumber();
    let blockTag: number | undefined;
    if (args.block !== undefined) {
      if (!/^\d+$/.test(args.block) || Number(args.block) > latest) {
        throw new Error(`--block ${args.block} is not a block number up to the latest (${latest})`);
      }
      blockTag = Number(args.block);
      const deployed = await hre.ethers.provider.getCode(await allocations.getAddress(), blockTag);
      if (deployed === "0x") throw new Error(`--block ${blockTag}: Allocations was not deployed yet at that block`);
    }
    const block = (await hre.ethers.provider.getBlock(blockTag ?? latest))!;
    const count = Number(await allocations.bucketCount({ blockTag }));
    const rows = [["bucket", "allocated", "locked", "circulating", "held by holders"]];
    let allocatedTotal = 0n;
    let lockedTotal = 0n;
    let heldTotal = 0n;
    for (let i = 0; i < count; i++) {
      const [name, amount, list] = await allocations.bucket(i, { blockTag });
      const locked = await allocations.locked(i, { blockTag });
      let held = 0n;
      for (const h of list) held += await hre.ethers.provider.getBalance(h.account, blockTag ?? latest);
      allocatedTotal += amount;
      lockedTotal += locked;
      heldTotal += held;
      rows.push([name, tokens(amount), tokens(locked), tokens(amount - locked), tokens(held)]);
    }
    const circulating = await allocations.circulating({ blockTag });
    rows.push(["total", tokens(allocatedTotal), tokens(lockedTotal), tokens(circulating), tokens(heldTotal)]);
    console.log(`supply at block ${block.number} (time ${block.timestamp})`);
    printTable(rows);
  });

tokenTask("token:release", "Releases the vested coin of every genesis vesting wallet a beneficiary owns")
  .addOptionalParam("beneficiary", "whose wallets to release (default: the acting account)")
  .addOptionalParam("wallet", "one vesting wallet: its address or deployment-record name (BackersVesting1, ...)")
  .setAction(async (args: TokenArgs & { beneficiary?: string; wallet?: string }, hre) => {
    const { ctx, signer, allocations } = await tokenContext(hre, args);
    if (args.beneficiary !== undefined && !isAddress(args.beneficiary)) {
      throw new Error(`--beneficiary ${args.beneficiary} is not an address`);
    }
    let wallets: string[];
    if (args.wallet !== undefined) {
      const address = isAddress(args.wallet) ? getAddress(args.wallet) : recordedAddress(ctx, args.wallet);
      const known = (await holders(allocations)).some(
        (r) => r.holder.kind === BigInt(HolderKind.Vesting) && r.holder.account === address,
      );
      if (!known) throw new Error(`--wallet ${args.wallet} is not a genesis vesting wallet in Allocations`);
      wallets = [address];
    } else {
      const beneficiary = getAddress(args.beneficiary ?? signer.address);
      wallets = [];
      for (const r of await holders(allocations)) {
        if (r.holder.kind !== BigInt(HolderKind.Vesting)) continue;
        const wallet = await hre.ethers.getContractAt("GenesisVesting", r.holder.account);
        if ((await wallet.owner()) === beneficiary) wallets.push(r.holder.account);
      }
      if (wallets.length === 0) throw new Error(`${beneficiary} owns no genesis vesting wallet`);
    }
    for (const address of wallets) {
      const wallet = await hre.ethers.getContractAt("GenesisVesting", address, signer);
      const releasable = await wallet["releasable()"]();
      if (releasable === 0n) {
        const cliff = await wallet.cliff();
        const now = (await hre.ethers.provider.getBlock("latest"))!.timestamp;
        const when = BigInt(now) < cliff ? `the cliff at ${cliff}` : "more time has passed";
        console.log(`${address}: nothing releasable yet (wait for ${when})`);
        continue;
      }
      const receipt = await (await wallet["release()"]()).wait();
      const released = (receipt!.logs as Log[])
        .map((log) => wallet.interface.parseLog(log))
        .find((parsed) => parsed?.name === "EtherReleased")?.args.amount as bigint;
      console.log(`${address}: released ${tokens(released)} to ${await wallet.owner()} (tx ${receipt!.hash})`);
    }
  });

tokenTask("token:distribute", "Pays out the community rewards released since the last distribution").setAction(
  async (args: TokenArgs, hre) => {
    const { ctx, signer } = await tokenContext(hre, args);
    const distributor = await hre.ethers.getContractAt(
      "RewardsDistributor",
      recordedAddress(ctx, TOKENOMICS.distributor),
      signer,
    );
    if ((await distributor.due()) === 0n && (await distributor.carried()) === 0n) {
      const [start, end] = await distributor.schedule();
      const now = BigInt((await hre.ethers.provider.getBlock("latest"))!.timestamp);
      const hint =
        now < start
          ? `the schedule starts at ${start}`
          : now >= end && (await distributor.released()) === (await distributor.budget())
            ? "the whole budget was released"
            : "nothing was released since the last distribution, or the distributor is not funded";
      throw new Error(`nothing to distribute: ${hint}`);
    }
    const receipt = await (await distributor.distribute()).wait();
    const event = (receipt!.logs as Log[])
      .map((log) => distributor.interface.parseLog(log))
      .find((parsed) => parsed?.name === "Distributed");
    const a = event!.args;
    console.log(
      `distributed ${tokens(a.released)} newly released: validators ${tokens(a.toValidators)}, storage ` +
        `${tokens(a.toStorage)}, DA ${tokens(a.toDa)}, carried ${tokens(a.carried)} (tx ${receipt!.hash})`,
    );
  },
);

tokenTask("token:genesis", "Writes the genesis `alloc` that credits each holder contract its allocation")
  .addParam("out", "the JSON file to write")
  .setAction(async (args: TokenArgs & { out: string }, hre) => {
    const { allocations } = await tokenContext(hre, args);
    const alloc: Record<string, { balance: string }> = {};
    let total = 0n;
    for (const { holder } of await holders(allocations)) {
      const key = holder.account.toLowerCase();
      const previous = alloc[key] ? BigInt(alloc[key].balance) : 0n;
      alloc[key] = { balance: toBeHex(previous + holder.amount) };
      total += holder.amount;
    }
    const maxSupply = await allocations.MAX_SUPPLY();
    if (total !== maxSupply) throw new Error(`the holders sum to ${total}, not the max supply ${maxSupply}`);
    const file = path.resolve(args.out);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify({ alloc }, null, 2)}\n`);
    console.log(`wrote the genesis alloc for ${Object.keys(alloc).length} holders (${tokens(total)} coins) to ${file}`);
  });
