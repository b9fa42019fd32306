import { Command } from "commander";
import pino from "pino";
import { loadConfig } from "../../common/config";
import { Lifecycle, onShutdownSignals } from "../../common/lifecycle";
import { createLogger } from "../../common/logger";
import { createMetricsRegistry } from "../../common/metrics";
import { alignmentNodeOptionsSchema, initAlignmentNode } from "../../alignment/node";
import { addCommonFlags, commonFlagValues, type CommonFlags } from "../flags";

interface AlignmentNodeFlags extends CommonFlags {
  rpc?: string;
  deployments?: string;
  keyFile?: string;
  license?: string;
  dataDir?: string;
  storageNodes?: string;
  inftOracles?: string;
  pollIntervalMs?: string;
  probeTimeoutMs?: string;
  claim?: boolean;
  report?: boolean;
  probeCompute?: boolean;
  maxProbeFee?: string;
  probeRequestTimeoutMs?: string;
  receiptKeyFile?: string;
  downAfter?: string;
  downIntervalMs?: string;
}

function splitList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** `zg alignment-node`: a licensed alignment node (samples services, reports, attests and claims each epoch). */
export function alignmentNodeCommand(): Command {
  return addCommonFlags(
    new Command("alignment-node")
      .description(
        "run an alignment node: each epoch sample and probe the network's services, report faults, attest, claim",
      )
      .option("--rpc <url>", "JSON-RPC URL of the chain (default http://127.0.0.1:8545)")
      .option("--deployments <dir>", "folder of <chainId>.json deployment records")
      .option("--key-file <file>", "file whose first line is the 0x-hex key of the license's owner or operator")
      .option("--license <id>", "the license this node attests for")
      .option("--data-dir <dir>", "where epoch reports are kept (default .zg/alignment-node)")
      .option("--storage-nodes <urls>", "storage node URLs to check, comma-separated (none are registered on chain)")
      .option("--inft-oracles <urls>", "iNFT transfer oracle URLs to send canary transfers to, comma-separated")
      .option("--poll-interval-ms <ms>", "how often to read the current epoch (default 5000)")
      .option("--probe-timeout-ms <ms>", "per-probe timeout (default 3000)")
      .option("--no-claim", "do not claim past epochs' rewards")
      .option("--no-report", "do not report faults on chain (they stay in the report)")
      .option("--probe-compute", "send one paid request to each compute service per epoch, funding the node's ledger")
      .option("--no-probe-compute", "never probe compute services (default: probe when the node's ledger is funded)")
      .option("--max-probe-fee <wei>", "the most the probes may commit per epoch, in wei (default 10^16)")
      .option("--probe-request-timeout-ms <ms>", "per compute probe request limit (default 30000)")
      .option("--down-after <n>", "report a storage node or DA signer down only after n failed tries (default 3)")
      .option("--down-interval-ms <ms>", "time between those tries (default: spread over half an epoch)")
      .option(
        "--receipt-key-file <file>",
        "the node's receipt key (default <data-dir>/receipt.key, created if absent)",
      ),
  ).action(async (flags: AlignmentNodeFlags) => {
    const options = loadConfig(alignmentNodeOptionsSchema, {
      file: flags.config,
      flags: {
        ...commonFlagValues(flags),
        "chain.rpcUrl": flags.rpc,
        "chain.deploymentsDir": flags.deployments,
        "chain.keyFile": flags.keyFile,
        licenseId: flags.license,
        dataDir: flags.dataDir,
        storageNodes: splitList(flags.storageNodes),
        inftOracles: splitList(flags.inftOracles),
        pollIntervalMs: flags.pollIntervalMs,
        probeTimeoutMs: flags.probeTimeoutMs,
        claim: flags.claim === false ? false : undefined,
        report: flags.report === false ? false : undefined,
        "probe.compute": flags.probeCompute,
        "probe.maxFeePerEpoch": flags.maxProbeFee,
        "probe.timeoutMs": flags.probeRequestTimeoutMs,
        "probe.receiptKeyFile": flags.receiptKeyFile,
        "probe.downAfter": flags.downAfter,
        "probe.downIntervalMs": flags.downIntervalMs,
      },
    });
    // Logs go to stderr (or the log file); stdout carries only the ready line.
    const logger = createLogger(options.logger, {
      bindings: { node: "alignment-node" },
      ...(options.logger.file ? {} : { destination: pino.destination({ fd: 2, sync: true }) }),
    });
    const lifecycle = new Lifecycle(logger);
    onShutdownSignals(lifecycle, logger);
    try {
      const node = await initAlignmentNode(options, { logger, lifecycle, registry: createMetricsRegistry() });
      console.log(`alignment-node ready: license ${node.licenseId} (signer ${node.address})`);
    } catch (err) {
      await lifecycle.close().catch(() => undefined);
      throw err;
    }
  });
}
