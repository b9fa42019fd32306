/**
 * An alignment node: once per epoch it samples the network's services (compute providers, storage nodes, DA
 * signers), probes each compute service with one paid request (its bill's binding, fee and model), tries again the
 * storage nodes and DA members that failed (down only after `probe.downAfter` failed tries), sends each configured
 * iNFT oracle a valid and a mismatched canary transfer (its proof, its acknowledgement, its re-sealed key), reports
 * the faults found, attests with the hash of its report and claims the rewards of past epochs. Built by
 * `initAlignmentNode`; `close()` (the lifecycle) stops it in reverse.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { Contract, ZeroAddress } from "ethers";
import type { Registry } from "prom-client";
import { connectChain, type ChainClient } from "../../common/chain";
import { ZgError, errorText } from "../../common/errors";
import type { Lifecycle } from "../../common/lifecycle";
import type { Logger } from "../../common/logger";
import { MetricsFactory, startMetricsServer } from "../../common/metrics";
import { discoverServices, type DiscoverOptions, type ServicesReport } from "../../market/discovery";
import { alignmentContracts, kindId, revertName, targetName, TEE_VERIFIER_ABI, TEE_VERIFIER_RECORD } from "../chain";
import { firstTries, retryIntervalMs, type EpochInfra } from "../infra";
import { buildReport, failureCounts, type Fault } from "../report";
import type { EpochOracles } from "../oracle";
import { retryFailed } from "./infra";
import { createAlignmentMetrics, type AlignmentMetrics } from "./metrics";
import type { AlignmentNodeOptions } from "./options";
import { probeOracles } from "./oracle";
import { initComputeProbe, type ComputeProbe } from "./probe";
import { ReportStore } from "./store";

/** One claim pays at most this many epochs (the contract's MAX_CLAIM_EPOCHS), and the node looks no further back. */
export const CLAIM_LOOKBACK = 64n;

export type AlignmentErrorCode = "ALIGNMENT_NO_KEY" | "ALIGNMENT_UNKNOWN_LICENSE" | "ALIGNMENT_NOT_AUTHORIZED";

export interface AlignmentNode {
  licenseId: bigint;
  /** The key the node signs with (the license's owner or operator). */
  address: string;
  owner: string;
  reportsDir: string;
}

export interface AlignmentDeps {
  logger: Logger;
  lifecycle: Lifecycle;
  registry: Registry;
  /** An already connected chain client; otherwise the node connects itself. */
  chain?: ChainClient;
  /** Discovery (tests inject a fake network); `discoverServices` otherwise. */
  discover?: (client: ChainClient, options: DiscoverOptions) => Promise<ServicesReport>;
}

interface Attestation {
  reportRoot: string;
  attester: string;
}

interface EpochContext {
  client: ChainClient;
  rewards: Contract;
  licenseId: bigint;
  options: AlignmentNodeOptions;
  store: ReportStore;
  metrics: AlignmentMetrics;
  logger: Logger;
  discover: NonNullable<AlignmentDeps["discover"]>;
  /** The compute probe, when on. */
  probe?: ComputeProbe;
}

export async function initAlignmentNode(options: AlignmentNodeOptions, deps: AlignmentDeps): Promise<AlignmentNode> {
  const { logger, lifecycle } = deps;
  const { signal } = lifecycle;
  const licenseId = BigInt(options.licenseId);

  const client = deps.chain ?? (await connectChain(options.chain, logger.child({ module: "chain" }), { signal }));
  if (!deps.chain) lifecycle.add("chain", () => client.close());
  if (!client.signer) {
    throw new ZgError<AlignmentErrorCode>(
      "ALIGNMENT_NO_KEY",
      `the alignment node needs the key of license ${licenseId}'s owner or operator to attest`,
      { hint: "pass --key-file <file> (or ZG_CHAIN__KEY_FILE) holding that 0x-prefixed key" },
    );
  }
  const { license, rewards } = alignmentContracts(client);
  const address = client.signer.address;
  const owner = await checkAuthorized(license, licenseId, address);

  const store = new ReportStore(options.dataDir);
  await store.open();
  const metrics = createAlignmentMetrics(new MetricsFactory(deps.registry));
  metrics.lastAttestedEpoch.set(-1);
  const probe = await initComputeProbe({ client, options, metrics, logger: logger.child({ module: "probe" }) });

  const ctx: EpochContext = {
    client,
    rewards,
    licenseId,
    options,
    store,
    metrics,
    logger: logger.child({ module: "epochs" }),
    discover: deps.discover ?? discoverServices,
    probe,
  };
  const loop = runEpochs(ctx, signal);
  lifecycle.add("epochs", () => loop);

  const metricsServer = await startMetricsServer(options.metrics, deps.registry, logger.child({ module: "metrics" }));
  if (metricsServer) lifecycle.add("metrics", () => metricsServer.close());

  logger.info(
    { licenseId: licenseId.toString(), signer: address, owner, reports: store.dir, probe: Boolean(probe) },
    "alignment node started",
  );
  return { licenseId, address, owner, reportsDir: store.dir };
}

/** The owner, when `address` may act for the license; a ZgError saying what to do otherwise. */
async function checkAuthorized(license: Contract, licenseId: bigint, address: string): Promise<string> {
  const minted = (await license.totalMinted()) as bigint;
  if (licenseId > minted) {
    throw new ZgError<AlignmentErrorCode>(
      "ALIGNMENT_UNKNOWN_LICENSE",
      `license ${licenseId} does not exist (minted: ${minted === 0n ? "none" : `1..${minted}`})`,
      { hint: "pass --license with the id of a minted license (alignment:status shows them)" },
    );
  }
  const [owner, operator, authorized] = await Promise.all([
    license.ownerOf(licenseId) as Promise<string>,
    license.operatorOf(licenseId) as Promise<string>,
    license.isAuthorized(licenseId, address) as Promise<boolean>,
  ]);
  if (!authorized) {
    const op = operator === ZeroAddress ? "no operator" : `operator ${operator}`;
    throw new ZgError<AlignmentErrorCode>(
      "ALIGNMENT_NOT_AUTHORIZED",
      `${address} is neither the owner (${owner}) nor the operator (${op}) of license ${licenseId}`,
      {
        hint:
          `start with the owner's or operator's key, or have the owner delegate the license to this key: ` +
          `npx hardhat --network <network> alignment:operator --license ${licenseId} --operator ${address} --account ${owner}`,
      },
    );
  }
  return owner;
}

/** Polls the current epoch and acts once per epoch; a failed pass is logged and retried at the next poll. */
async function runEpochs(ctx: EpochContext, signal: AbortSignal): Promise<void> {
  let done: bigint | undefined;
  let waitingForStart = false;
  while (!signal.aborted) {
    try {
      const epoch = await currentEpoch(ctx.rewards);
      if (epoch === undefined) {
        if (!waitingForStart) ctx.logger.info("the first alignment epoch has not begun: waiting");
        waitingForStart = true;
      } else if (epoch !== done) {
        await runEpoch(ctx, epoch, signal);
        done = epoch;
      }
    } catch (err) {
      if (signal.aborted) break;
      ctx.metrics.epochErrors.inc();
      ctx.logger.warn(
        { err: errorText(err), revert: revertName(err) },
        `epoch pass failed, retrying: ${errorText(err)}`,
      );
    }
    await sleep(ctx.options.pollIntervalMs, undefined, { signal }).catch(() => undefined);
  }
}

async function currentEpoch(rewards: Contract): Promise<bigint | undefined> {
  try {
    return (await rewards.currentEpoch()) as bigint;
  } catch (err) {
    if (revertName(err) === "AlignmentRewardsNotStarted") return undefined;
    throw err;
  }
}

/** One epoch: sample, report, attest (unless the chain says this license already did), then claim. */
async function runEpoch(ctx: EpochContext, epoch: bigint, signal: AbortSignal): Promise<void> {
  const { rewards, licenseId, logger, metrics } = ctx;
  const log = logger.child({ epoch: epoch.toString() });
  const existing = (await rewards.attestation(licenseId, epoch)) as Attestation;
  if (existing.attester !== ZeroAddress) {
    log.info(
      { reportRoot: existing.reportRoot, attester: existing.attester },
      `license ${licenseId} already attested in epoch ${epoch}: not attesting again`,
    );
    metrics.lastAttestedEpoch.set(Number(epoch));
  } else {
    const sampledAt = new Date().toISOString();
    const sampled = await ctx.discover(ctx.client, {
      storageNodes: ctx.options.storageNodes,
      timeoutMs: ctx.options.probeTimeoutMs,
    });
    // The compute probes, the later tries at failed storage nodes / DA members and the oracle canaries run side by
    // side.
    const [records, infra, oracles] = await Promise.all([
      ctx.probe ? ctx.probe.run(sampled, log, signal) : undefined,
      tryInfra(ctx, sampled, sampledAt, epoch, log, signal),
      tryOracles(ctx, sampled, epoch, log, signal),
    ]);
    const probes = ctx.probe && records ? { user: ctx.probe.user, records } : undefined;
    const built = buildReport(sampled, epoch, licenseId, probes, infra, oracles);
    const { checked, failures, faults, checks } = built.report;
    const file = await ctx.store.write(epoch, built.json);
    metrics.servicesChecked.set(checked);
    metrics.servicesFailed.set(failures);
    log.info(
      { checked, failures, kinds: failureCounts(checks), faults: faults.length, root: built.root, file },
      `sampled ${checked} services, ${failures} failed`,
    );
    if (signal.aborted) return;

    if (ctx.options.report) {
      for (const fault of faults) await reportFault(ctx, fault, epoch, log);
    }
    await attest(ctx, epoch, built.root, checked, failures, log);
  }
  if (ctx.options.claim && !signal.aborted) {
    // A refused claim (vault paused or spent) must not repeat the epoch's pass every poll: it is retried next epoch.
    try {
      await claimPast(ctx, epoch, log);
    } catch (err) {
      ctx.metrics.epochErrors.inc();
      log.warn(
        { err: errorText(err), revert: revertName(err) },
        `claim failed, retrying next epoch: ${errorText(err)}`,
      );
    }
  }
}

/**
 * Discovery's sample as the first try at each storage node and DA member, and the later tries at those that failed,
 * spread so the last comes before half of what is left of the epoch.
 */
async function tryInfra(
  ctx: EpochContext,
  sampled: ServicesReport,
  sampledAt: string,
  epoch: bigint,
  log: Logger,
  signal: AbortSignal,
): Promise<EpochInfra> {
  const { downAfter, downIntervalMs } = ctx.options.probe;
  const records = firstTries(sampled, sampledAt);
  if (records.every((r) => r.tries[0].ok)) return { downAfter, records };
  const [[start, length], block] = await Promise.all([
    ctx.rewards.schedule() as Promise<[bigint, bigint]>,
    ctx.client.provider.getBlock("latest"),
  ]);
  const now = BigInt(block?.timestamp ?? Math.floor(Date.now() / 1000));
  const remaining = start + (epoch + 1n) * length - now;
  const intervalMs = retryIntervalMs(downAfter, Number(length), Number(remaining), downIntervalMs);
  const options = { downAfter, intervalMs, chainId: sampled.chainId, block: sampled.block };
  await retryFailed(records, { ...options, timeoutMs: ctx.options.probeTimeoutMs }, log, signal);
  return { downAfter, records };
}

/**
 * The canary transfers to every configured iNFT oracle (none configured: undefined), an oracle that does not answer
 * tried again like a storage node (`probe.downAfter` tries, spread so the last comes before half of what is left).
 */
async function tryOracles(
  ctx: EpochContext,
  sampled: ServicesReport,
  epoch: bigint,
  log: Logger,
  signal: AbortSignal,
): Promise<EpochOracles | undefined> {
  const urls = ctx.options.inftOracles;
  if (urls.length === 0) return undefined;
  const { downAfter, downIntervalMs } = ctx.options.probe;
  const [[start, length], block] = await Promise.all([
    ctx.rewards.schedule() as Promise<[bigint, bigint]>,
    ctx.client.provider.getBlock("latest"),
  ]);
  const now = BigInt(block?.timestamp ?? Math.floor(Date.now() / 1000));
  const remaining = start + (epoch + 1n) * length - now;
  const verifierAddress = ctx.client.contractAddress(TEE_VERIFIER_RECORD);
  let nft = verifierAddress;
  try {
    nft = ctx.client.contractAddress("AgentNFT");
  } catch {
    // No AgentNFT in the record: the canaries name the verifier (the oracle does not read the chain).
  }
  const options = {
    chainId: sampled.chainId,
    verifier: new Contract(verifierAddress, TEE_VERIFIER_ABI, ctx.client.provider),
    nft,
    downAfter,
    intervalMs: retryIntervalMs(downAfter, Number(length), Number(remaining), downIntervalMs),
    timeoutMs: ctx.options.probeTimeoutMs,
    now,
  };
  const oracles = await probeOracles(urls, options, log, signal);
  for (const r of oracles.records) {
    const result = !r.tries.some((t) => t.ok) ? "down" : r.findings.length > 0 ? "fault" : "ok";
    ctx.metrics.oracleProbes.inc({ result });
    for (const f of r.findings) ctx.metrics.oracleFindings.inc({ check: f.check });
  }
  return oracles;
}

async function attest(
  ctx: EpochContext,
  epoch: bigint,
  root: string,
  checked: number,
  failures: number,
  log: Logger,
): Promise<void> {
  try {
    const receipt = await (await ctx.rewards.attest(ctx.licenseId, epoch, root, checked, failures)).wait();
    ctx.metrics.attestations.inc();
    ctx.metrics.lastAttestedEpoch.set(Number(epoch));
    log.info({ root, checked, failures, tx: receipt?.hash }, `attested epoch ${epoch}`);
  } catch (err) {
    // Another process with the same key got there first: the chain already counts this license.
    if (revertName(err) !== "AlignmentRewardsAlreadyAttested") throw err;
    log.info(`license ${ctx.licenseId} already attested in epoch ${epoch}: not attesting again`);
  }
}

/** Reports a fault once per (service, kind, epoch), then enforces the case when it reached its rule's threshold. */
async function reportFault(ctx: EpochContext, fault: Fault, epoch: bigint, log: Logger): Promise<void> {
  const { rewards, licenseId } = ctx;
  const kind = kindId(fault.kind);
  const where = { service: fault.service, kind: fault.kind, evidenceHash: fault.evidenceHash };
  const rule = (await rewards.rule(kind)) as { threshold: bigint; target: bigint };
  if (rule.threshold === 0n) {
    log.warn(where, `no on-chain rule for ${fault.kind}: the fault stays in the report only`);
    return;
  }
  if (await rewards.hasReported(licenseId, fault.service, kind, epoch)) {
    log.info(where, `already reported ${fault.service} for ${fault.kind} in epoch ${epoch}`);
  } else {
    try {
      const receipt = await (await rewards.report(licenseId, fault.service, kind, fault.evidenceHash)).wait();
      ctx.metrics.reports.inc({ kind: fault.kind });
      log.info({ ...where, tx: receipt?.hash }, `reported ${fault.service} for ${fault.kind}`);
    } catch (err) {
      if (revertName(err) !== "AlignmentRewardsAlreadyReported") throw err;
      log.info(where, `already reported ${fault.service} for ${fault.kind} in epoch ${epoch}`);
    }
  }
  const found = (await rewards.caseOf(fault.service, kind, epoch)) as { reports: bigint; enforced: boolean };
  if (found.enforced || found.reports < rule.threshold) return;
  try {
    const receipt = await (await rewards.enforce(fault.service, kind, epoch)).wait();
    const target = targetName(rule.target);
    log.info(
      { ...where, reports: Number(found.reports), target, tx: receipt?.hash },
      `enforced the case against ${fault.service} (target ${target})`,
    );
  } catch (err) {
    log.warn(
      { ...where, revert: revertName(err), err: errorText(err) },
      `enforce refused, the case stays open: ${errorText(err)}`,
    );
  }
}

/** Claims every epoch among the last CLAIM_LOOKBACK this license can claim now, in one transaction. */
async function claimPast(ctx: EpochContext, current: bigint, log: Logger): Promise<void> {
  const from = current > CLAIM_LOOKBACK ? current - CLAIM_LOOKBACK : 0n;
  const candidates = Array.from({ length: Number(current - from) }, (_, i) => from + BigInt(i));
  const amounts = await Promise.all(candidates.map((e) => ctx.rewards.claimable(ctx.licenseId, e) as Promise<bigint>));
  const epochs = candidates.filter((_, i) => amounts[i] > 0n);
  if (epochs.length === 0) return;
  const receipt = await (await ctx.rewards.claim(ctx.licenseId, epochs)).wait();
  let amount = 0n;
  for (const entry of receipt?.logs ?? []) {
    const parsed = ctx.rewards.interface.parseLog(entry);
    if (parsed?.name === "Claimed") amount += parsed.args.amount as bigint;
  }
  ctx.metrics.claimedWei.inc(Number(amount));
  log.info(
    { epochs: epochs.map(String), amount: amount.toString(), tx: receipt?.hash },
    `claimed ${amount} wei for epochs ${epochs.join(", ")}`,
  );
}

export { alignmentNodeOptionsSchema, type AlignmentNodeOptions } from "./options";
