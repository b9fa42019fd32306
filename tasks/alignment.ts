// AI alignment node tasks: mint a license (governance), delegate it to an operator, attest for the current epoch,
// claim rewards, report a service, enforce a case that reached its threshold, and show an epoch's status and the rules.
import { task } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { decodeBytes32String, formatEther, getAddress, isAddress, isHexString, type Log, ZeroAddress } from "ethers";
import { ALIGNMENT, kindId, targetName } from "../deploy/modules/alignment";
import { accountSigner, printTable, recordedAddress, taskContext, type DeploymentArgs } from "./lib";

interface AlignmentArgs extends DeploymentArgs {
  account?: string;
}

/** How far back `alignment:claim` and `alignment:status` look for unpaid epochs (one claim pays at most 64). */
const LOOKBACK = 64n;

async function alignmentContext(hre: HardhatRuntimeEnvironment, args: AlignmentArgs) {
  const ctx = await taskContext(hre, args);
  const signer = await accountSigner(hre, args.account);
  const license = await hre.ethers.getContractAt("AlignmentLicense", recordedAddress(ctx, ALIGNMENT.license), signer);
  const rewards = await hre.ethers.getContractAt("AlignmentRewards", recordedAddress(ctx, ALIGNMENT.rewards), signer);
  return { ctx, signer, license, rewards };
}

function alignmentTask(name: string, description: string) {
  return task(name, description)
    .addOptionalParam("account", "account index or address to act as (default: the first)")
    .addOptionalParam("deployments", "folder of <chainId>.json deployment records");
}

function whole(value: string, flag: string): bigint {
  if (!/^(0|[1-9][0-9]{0,77})$/.test(value)) throw new Error(`--${flag} ${value} is not a whole number`);
  return BigInt(value);
}

function address(value: string, flag: string): string {
  if (!isAddress(value)) throw new Error(`--${flag} ${value} is not an address`);
  return getAddress(value);
}

function bytes32(value: string, flag: string): string {
  if (!isHexString(value, 32) || BigInt(value) === 0n) {
    throw new Error(`--${flag} ${value} is not a non-zero 32-byte hex value (0x and 64 hex digits)`);
  }
  return value;
}

/** A kind by name (COMPUTE_BAD_SIGNATURE) or as its bytes32 id. */
function kind(value: string): string {
  if (isHexString(value, 32)) return value;
  if (!/^[A-Z][A-Z0-9_]{0,30}$/.test(value)) {
    throw new Error(`--kind ${value} is not a kind name such as COMPUTE_BAD_SIGNATURE (upper case, ≤ 31 characters)`);
  }
  return kindId(value);
}

function kindName(id: string): string {
  try {
    return decodeBytes32String(id);
  } catch {
    return id;
  }
}

type Rewards = Awaited<ReturnType<typeof alignmentContext>>["rewards"];
type License = Awaited<ReturnType<typeof alignmentContext>>["license"];

async function currentEpoch(rewards: Rewards): Promise<bigint> {
  const [start] = await rewards.schedule();
  const now = BigInt((await rewards.runner!.provider!.getBlock("latest"))!.timestamp);
  if (now < start) throw new Error(`the first alignment epoch starts at ${start} (chain time now ${now})`);
  return rewards.currentEpoch();
}

async function requireAuthorized(license: License, licenseId: bigint, who: string): Promise<void> {
  if (licenseId === 0n || licenseId > (await license.totalMinted())) {
    throw new Error(`license ${licenseId} does not exist (minted: 1..${await license.totalMinted()})`);
  }
  if (!(await license.isAuthorized(licenseId, who))) {
    throw new Error(
      `${who} is neither the owner (${await license.ownerOf(licenseId)}) nor the operator of license ${licenseId}: ` +
        `use --account with one of them`,
    );
  }
}

/** The ended epochs among the last LOOKBACK whose reward the license can still claim, with amounts. */
async function claimableEpochs(rewards: Rewards, licenseId: bigint, current: bigint) {
  const found: { epoch: bigint; amount: bigint }[] = [];
  for (let e = current > LOOKBACK ? current - LOOKBACK : 0n; e < current; e++) {
    const a = await rewards.attestation(licenseId, e);
    if (a.attester === ZeroAddress || a.claimed) continue;
    found.push({ epoch: e, amount: await rewards.claimable(licenseId, e) });
  }
  return found;
}

function logOf(receipt: { logs: readonly Log[] }, contract: Rewards, name: string) {
  return receipt.logs.map((log) => contract.interface.parseLog(log)).find((parsed) => parsed?.name === name)?.args;
}

alignmentTask("alignment:mint", "Mints the next alignment-node license to an address (governance admin only)")
  .addParam("to", "the licensee")
  .setAction(async (args: AlignmentArgs & { to: string }, hre) => {
    const { signer, license } = await alignmentContext(hre, args);
    const to = address(args.to, "to");
    if (!(await license.hasRole(await license.DEFAULT_ADMIN_ROLE(), signer.address))) {
      throw new Error(
        `${signer.address} is not the license admin: minting is governance's (queue mint on the timelock)`,
      );
    }
    const [minted, max] = [await license.totalMinted(), await license.maxLicenses()];
    if (minted >= max) throw new Error(`all ${max} licenses exist: the cap is fixed`);
    const receipt = await (await license.mint(to)).wait();
    console.log(`minted license ${minted + 1n} to ${to} (tx ${receipt!.hash})`);
  });

alignmentTask("alignment:operator", "Delegates a license to the operator key its node signs with (owner only)")
  .addParam("license", "license id")
  .addParam("operator", 'the operator address, or "none" to clear it')
  .setAction(async (args: AlignmentArgs & { license: string; operator: string }, hre) => {
    const { signer, license } = await alignmentContext(hre, args);
    const licenseId = whole(args.license, "license");
    const operator = args.operator === "none" ? ZeroAddress : address(args.operator, "operator");
    await requireAuthorized(license, licenseId, signer.address);
    const owner = await license.ownerOf(licenseId);
    if (owner !== signer.address) throw new Error(`only the owner ${owner} may set license ${licenseId}'s operator`);
    const receipt = await (await license.setOperator(licenseId, operator)).wait();
    const what = operator === ZeroAddress ? "cleared the operator of" : `delegated to ${operator}:`;
    console.log(`${what} license ${licenseId} (tx ${receipt!.hash})`);
  });

alignmentTask("alignment:attest", "Attests for the current epoch with the hash of this node's report")
  .addParam("license", "license id")
  .addParam("root", "the report's hash (0x and 64 hex digits)")
  .addOptionalParam("checked", "checks run this epoch", "0")
  .addOptionalParam("failures", "checks that failed", "0")
  .addOptionalParam("epoch", "the epoch (default: the current one; any other is refused on chain)")
  .setAction(
    async (
      args: AlignmentArgs & { license: string; root: string; checked: string; failures: string; epoch?: string },
      hre,
    ) => {
      const { signer, license, rewards } = await alignmentContext(hre, args);
      const licenseId = whole(args.license, "license");
      const root = bytes32(args.root, "root");
      const checked = whole(args.checked, "checked");
      const failures = whole(args.failures, "failures");
      if (checked > 0xffffffffn || failures > checked) {
        throw new Error(`--checked ${checked} --failures ${failures}: need failures ≤ checked < 2^32`);
      }
      await requireAuthorized(license, licenseId, signer.address);
      const current = await currentEpoch(rewards);
      const epoch = args.epoch === undefined ? current : whole(args.epoch, "epoch");
      if (epoch !== current) throw new Error(`--epoch ${epoch}: only the current epoch (${current}) can be attested`);
      if ((await rewards.attestation(licenseId, epoch)).attester !== ZeroAddress) {
        throw new Error(`license ${licenseId} already attested in epoch ${epoch}`);
      }
      const receipt = await (await rewards.attest(licenseId, epoch, root, checked, failures)).wait();
      console.log(
        `license ${licenseId} attested in epoch ${epoch} (${failures}/${checked} failed; tx ${receipt!.hash})`,
      );
    },
  );

alignmentTask("alignment:claim", "Claims a license's rewards for ended epochs it attested in (paid to its owner)")
  .addParam("license", "license id")
  .addOptionalParam("epochs", "comma-separated epochs (default: every unpaid one among the last 64)")
  .setAction(async (args: AlignmentArgs & { license: string; epochs?: string }, hre) => {
    const { signer, license, rewards } = await alignmentContext(hre, args);
    const licenseId = whole(args.license, "license");
    await requireAuthorized(license, licenseId, signer.address);
    const current = await currentEpoch(rewards);
    let epochs: bigint[];
    if (args.epochs !== undefined) {
      epochs = args.epochs.split(",").map((e) => whole(e.trim(), "epochs"));
      if (new Set(epochs).size !== epochs.length) throw new Error(`--epochs ${args.epochs} names an epoch twice`);
      for (const e of epochs) {
        if (e >= current) throw new Error(`epoch ${e} has not ended (the current epoch is ${current})`);
        const a = await rewards.attestation(licenseId, e);
        if (a.attester === ZeroAddress) throw new Error(`license ${licenseId} did not attest in epoch ${e}`);
        if (a.claimed) throw new Error(`license ${licenseId}'s reward for epoch ${e} was already paid`);
      }
    } else {
      epochs = (await claimableEpochs(rewards, licenseId, current)).map((c) => c.epoch);
      if (epochs.length === 0) {
        throw new Error(`license ${licenseId} has nothing to claim in the last ${LOOKBACK} ended epochs`);
      }
    }
    const receipt = await (await rewards.claim(licenseId, epochs)).wait();
    const event = logOf(receipt!, rewards, "Claimed")!;
    console.log(
      `paid ${formatEther(event.amount)} to ${event.to} for license ${licenseId}, epochs ${epochs.join(",")} ` +
        `(tx ${receipt!.hash})`,
    );
  });

alignmentTask("alignment:report", "Reports a service for a fault in the current epoch, with an evidence hash")
  .addParam("license", "license id")
  .addParam("service", "the service's address (compute provider, DA signer, storage node id)")
  .addParam("kind", "the fault: COMPUTE_BAD_SIGNATURE, COMPUTE_WRONG_MODEL, COMPUTE_OVERBILLING, DA_DOWN, …")
  .addParam("evidence", "the evidence's hash (0x and 64 hex digits)")
  .setAction(
    async (args: AlignmentArgs & { license: string; service: string; kind: string; evidence: string }, hre) => {
      const { signer, license, rewards } = await alignmentContext(hre, args);
      const licenseId = whole(args.license, "license");
      const service = address(args.service, "service");
      const k = kind(args.kind);
      const evidence = bytes32(args.evidence, "evidence");
      await requireAuthorized(license, licenseId, signer.address);
      const rule = await rewards.rule(k);
      if (rule.threshold === 0n) throw new Error(`--kind ${args.kind} has no rule: governance has not enabled it`);
      const epoch = await currentEpoch(rewards);
      if (await rewards.hasReported(licenseId, service, k, epoch)) {
        throw new Error(`license ${licenseId} already reported ${service} for ${args.kind} in epoch ${epoch}`);
      }
      const receipt = await (await rewards.report(licenseId, service, k, evidence)).wait();
      const event = logOf(receipt!, rewards, "Reported")!;
      console.log(
        `reported ${service} for ${kindName(k)} in epoch ${epoch}: ${event.reports}/${rule.threshold} reports ` +
          `(tx ${receipt!.hash})`,
      );
    },
  );

alignmentTask(
  "alignment:enforce",
  "Enforces a case that reached its rule's threshold: slashes through the rule's target, or records it (anyone may)",
)
  .addParam("service", "the service's address")
  .addParam("kind", "the fault's kind")
  .addParam("epoch", "the epoch of the reports")
  .setAction(async (args: AlignmentArgs & { service: string; kind: string; epoch: string }, hre) => {
    const { rewards } = await alignmentContext(hre, args);
    const service = address(args.service, "service");
    const k = kind(args.kind);
    const epoch = whole(args.epoch, "epoch");
    const rule = await rewards.rule(k);
    if (rule.threshold === 0n) throw new Error(`--kind ${args.kind} has no rule: governance has not enabled it`);
    const c = await rewards.caseOf(service, k, epoch);
    if (c.enforced) throw new Error(`the case against ${service} for ${args.kind} in epoch ${epoch} was enforced`);
    if (c.reports < rule.threshold) {
      throw new Error(`only ${c.reports} of the ${rule.threshold} reports needed against ${service} in epoch ${epoch}`);
    }
    const receipt = await (await rewards.enforce(service, k, epoch)).wait();
    const target = targetName(rule.target);
    console.log(
      target === "none"
        ? `recorded the case against ${service} for ${kindName(k)} (target none: nothing slashed; tx ${receipt!.hash})`
        : `slashed ${service} by ${rule.slashPpm} ppm for ${kindName(k)}${rule.jail ? " and jailed it" : ""} ` +
            `through ${target === "da" ? "DASignerRegistry" : "ComputeServing"} (tx ${receipt!.hash})`,
    );
  });

alignmentTask(
  "alignment:status",
  "Shows an epoch: its time, reward, the licenses that attested and what they can claim; then the rules in force",
)
  .addOptionalParam("epoch", "the epoch (default: the current one)")
  .addOptionalParam("license", "also show this license's owner, operator, payee and unpaid epochs")
  .setAction(async (args: AlignmentArgs & { epoch?: string; license?: string }, hre) => {
    const { ctx, license, rewards } = await alignmentContext(hre, args);
    const [start, length] = await rewards.schedule();
    const current = await currentEpoch(rewards);
    const epoch = args.epoch === undefined ? current : whole(args.epoch, "epoch");
    const from = start + epoch * length;
    const totals = await rewards.epochTotals(epoch);
    const state = epoch < current ? "ended" : epoch === current ? "current" : "future";
    console.log(`epoch ${epoch} (${state}): ${from} .. ${from + length}, current epoch ${current}`);
    const reward = totals.attestations > 0n ? totals.reward : await rewards.epochReward();
    console.log(
      `reward ${formatEther(reward)}, ${totals.attestations} attestation(s), paid ${formatEther(totals.claimed)}; ` +
        `licenses ${await license.totalMinted()}/${await license.maxLicenses()}`,
    );
    const events = await rewards.queryFilter(
      rewards.filters.Attested(undefined, epoch),
      ctx.record.contracts[ALIGNMENT.rewards].startBlock,
    );
    const rows = [["license", "attester", "checked", "failures", "report", "claimable"]];
    for (const e of events) {
      const id = e.args.licenseId;
      const a = await rewards.attestation(id, epoch);
      const claimable = a.claimed ? "paid" : epoch < current ? formatEther(await rewards.claimable(id, epoch)) : "-";
      rows.push([String(id), a.attester, String(a.checked), String(a.failures), a.reportRoot, claimable]);
    }
    if (rows.length > 1) printTable(rows);
    else console.log("no attestations");
    if (args.license !== undefined) {
      const licenseId = whole(args.license, "license");
      if (licenseId === 0n || licenseId > (await license.totalMinted())) {
        throw new Error(`license ${licenseId} does not exist`);
      }
      const owner = await license.ownerOf(licenseId);
      const unpaid = await claimableEpochs(rewards, licenseId, current);
      const total = unpaid.reduce((sum, c) => sum + c.amount, 0n);
      console.log(
        `license ${licenseId}: owner ${owner}, operator ${await license.operatorOf(licenseId)}, ` +
          `payee ${await rewards.payeeOf(owner)}`,
      );
      console.log(
        `claimable ${formatEther(total)} for epochs ${unpaid.map((c) => c.epoch).join(",") || "none"} ` +
          `(last ${LOOKBACK} ended epochs)`,
      );
    }
    await printRules(rewards, ctx.record.contracts[ALIGNMENT.rewards].startBlock);
  });

/** The rules in force: every kind a RuleSet event ever named that still has one, with its target and terms. */
async function printRules(rewards: Rewards, fromBlock: number): Promise<void> {
  const kinds = new Set((await rewards.queryFilter(rewards.filters.RuleSet(), fromBlock)).map((e) => e.args.kind));
  const rows = [["kind", "target", "threshold", "slashPpm", "jail"]];
  for (const k of kinds) {
    const r = await rewards.rule(k);
    if (r.threshold === 0n) continue;
    rows.push([kindName(k), targetName(r.target), String(r.threshold), String(r.slashPpm), r.jail ? "yes" : "no"]);
  }
  console.log(`rules (${rows.length - 1}; DA registry ${await rewards.daRegistry()}):`);
  if (rows.length > 1) printTable(rows);
}
