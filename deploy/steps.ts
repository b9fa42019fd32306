import { id, ZeroHash } from "ethers";
import type { BaseContract, ContractTransactionResponse } from "ethers";
import type { DeployContext } from "./context";

type Deployed = BaseContract & { deploymentTransaction(): ContractTransactionResponse | null };

/**
 * Deploys `artifact` as `name` unless the record already has it with code on chain: running a deployment
 * twice changes nothing, and a deployment cut short resumes where it stopped.
 */
export async function deployPlain(
  ctx: DeployContext,
  name: string,
  artifact: string,
  args: unknown[] = [],
): Promise<string> {
  const reused = await reuse(ctx, name, artifact);
  if (reused) return reused;
  const factory = await ctx.hre.ethers.getContractFactory(artifact, ctx.deployer);
  const contract = (await factory.deploy(...args)) as Deployed;
  await contract.waitForDeployment();
  await record(ctx, name, artifact, contract, "plain", args);
  return contract.getAddress();
}

/**
 * Deploys `artifact` behind an ERC-1967 proxy (UUPS) and calls its initializer with `initArgs`. The upgrades
 * plugin checks the implementation for upgrade safety (constructors, selfdestruct, storage) first.
 */
export async function deployUups(
  ctx: DeployContext,
  name: string,
  artifact: string,
  initArgs: unknown[],
  initializer = "initialize",
): Promise<string> {
  const reused = await reuse(ctx, name, artifact);
  if (reused) return reused;
  const factory = await ctx.hre.ethers.getContractFactory(artifact, ctx.deployer);
  const proxy = (await ctx.hre.upgrades.deployProxy(factory, initArgs, { kind: "uups", initializer })) as Deployed;
  await proxy.waitForDeployment();
  await record(ctx, name, artifact, proxy, "uups", initArgs);
  return proxy.getAddress();
}

/**
 * Upgrades the recorded proxy `name` to `artifact` after the plugin has compared the storage layouts of the
 * old and new implementations (it refuses a layout that moves existing fields). The caller must hold
 * UPGRADER_ROLE; under a timelock, use `prepareUpgrade` and queue the call instead.
 */
export async function upgradeUups(
  ctx: DeployContext,
  name: string,
  artifact: string,
  call?: { fn: string; args?: unknown[] },
): Promise<string> {
  const entry = ctx.record.contracts[name];
  if (!entry || entry.kind !== "uups") throw new Error(`no upgradeable contract "${name}" in the deployment record`);
  const factory = await ctx.hre.ethers.getContractFactory(artifact, ctx.deployer);
  const proxy = await ctx.hre.upgrades.upgradeProxy(entry.address, factory, {
    kind: "uups",
    ...(call ? { call } : {}),
  });
  await proxy.waitForDeployment();
  entry.artifact = artifact;
  entry.implementation = await ctx.hre.upgrades.erc1967.getImplementationAddress(entry.address);
  await ctx.save();
  ctx.log(`upgraded ${name} at ${entry.address} to ${artifact} (implementation ${entry.implementation})`);
  return entry.implementation;
}

/**
 * Validates `artifact` as an upgrade of proxy `name` and deploys its implementation without switching to it:
 * the step before a governance proposal queues `upgradeToAndCall` in the timelock.
 */
export async function prepareUpgrade(ctx: DeployContext, name: string, artifact: string): Promise<string> {
  const entry = ctx.record.contracts[name];
  if (!entry || entry.kind !== "uups") throw new Error(`no upgradeable contract "${name}" in the deployment record`);
  const factory = await ctx.hre.ethers.getContractFactory(artifact, ctx.deployer);
  const implementation = await ctx.hre.upgrades.prepareUpgrade(entry.address, factory, { kind: "uups" });
  if (typeof implementation !== "string") throw new Error("prepareUpgrade returned a transaction, not an address");
  return implementation;
}

async function reuse(ctx: DeployContext, name: string, artifact: string): Promise<string | undefined> {
  const entry = ctx.record.contracts[name];
  if (!entry) return undefined;
  const code = await ctx.hre.ethers.provider.getCode(entry.address);
  if (code === "0x") {
    throw new Error(
      `the deployment record for chain ${ctx.chainId} names ${name} at ${entry.address} but there is no code ` +
        `there: the chain was reset; deploy again with --fresh`,
    );
  }
  if (entry.artifact !== artifact) {
    throw new Error(`${name} is recorded as ${entry.artifact}, not ${artifact}: upgrade it instead of redeploying`);
  }
  ctx.log(`reusing ${name} at ${entry.address}`);
  return entry.address;
}

async function record(
  ctx: DeployContext,
  name: string,
  artifact: string,
  contract: Deployed,
  kind: "plain" | "uups",
  args: unknown[],
): Promise<void> {
  const address = await contract.getAddress();
  const tx = contract.deploymentTransaction();
  const receipt = tx ? await tx.wait() : null;
  // Workers scan events from the start block, so a record without one would be wrong, not incomplete.
  if (!tx || !receipt) throw new Error(`${name}: the deployment transaction is unknown; cannot record a start block`);
  const startBlock = receipt.blockNumber;
  ctx.record.contracts[name] = {
    address,
    artifact,
    kind,
    ...(kind === "uups" ? { implementation: await ctx.hre.upgrades.erc1967.getImplementationAddress(address) } : {}),
    startBlock,
    txHash: tx.hash,
    // As the record file stores them, so the in-memory record equals what a reader gets back.
    args: JSON.parse(JSON.stringify(args, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v))),
  };
  await ctx.save();
  ctx.log(`deployed ${name} (${artifact}) at ${address} in block ${startBlock}`);
}

/** Grants `role` on `contract` to `account` when the deployer may; otherwise logs the call governance must queue. */
export async function grantOrLog(ctx: DeployContext, contract: string, name: string, role: string, account: string) {
  const c = await ctx.hre.ethers.getContractAt("AccessControlUpgradeable", contract, ctx.deployer);
  if (await c.hasRole(role, account)) return;
  if (await c.hasRole(ZeroHash, ctx.deployerAddress)) {
    await (await c.grantRole(role, account)).wait();
  } else {
    ctx.log(`governance must grant ${name}: ${contract}.grantRole(${role}, ${account})`);
  }
}

/**
 * Gives `ctx.admin` the admin and upgrade roles on each contract, then renounces the deployer's own when the two
 * differ, so only governance can change or upgrade them afterwards.
 */
export async function handOverAdmin(ctx: DeployContext, contracts: string[]): Promise<void> {
  if (!ctx.admin) throw new Error("handOverAdmin needs ctx.admin: run the governance module first");
  const roles = [id("UPGRADER_ROLE"), ZeroHash];
  for (const address of contracts) {
    for (const role of roles) await grantOrLog(ctx, address, "the admin role", role, ctx.admin);
  }
  if (ctx.admin.toLowerCase() === ctx.deployerAddress.toLowerCase()) return;
  for (const address of contracts) {
    const c = await ctx.hre.ethers.getContractAt("AccessControlUpgradeable", address, ctx.deployer);
    for (const role of roles) {
      if (await c.hasRole(role, ctx.deployerAddress)) await (await c.renounceRole(role, ctx.deployerAddress)).wait();
    }
  }
}
