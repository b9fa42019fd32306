import { Command } from "commander";
import { parseUnits } from "ethers";
import pino from "pino";
import { z } from "zod";
import { connectChain } from "../../common/chain";
import { chainOptionsSchema, loadConfig, loggerOptionsSchema } from "../../common/config";
import { ZgError } from "../../common/errors";
import { Lifecycle, onShutdownSignals } from "../../common/lifecycle";
import { createLogger } from "../../common/logger";
import { createMetricsRegistry } from "../../common/metrics";
import { finetunerOptionsSchema, initFinetuner } from "../../compute/finetune";
import { finetuneContracts } from "../../compute/finetune/chain";
import { addCommonFlags, commonFlagValues, type CommonFlags } from "../flags";

interface FinetunerFlags extends CommonFlags {
  keyFile?: string;
  rpc?: string;
  deployments?: string;
  storageNodes?: string;
  dataDir?: string;
  base?: string;
  steps?: string;
  batch?: string;
  context?: string;
  device?: string;
  threads?: string;
  pollInterval?: string;
}

/** `zg compute finetuner`: the fine-tuning worker; `zg compute finetuner register` puts its service on chain. */
export function finetuneCommand(): Command {
  const command = addCommonFlags(
    new Command("finetuner")
      .description(
        "run a fine-tuning provider: trains FineTuning tasks on their storage datasets, uploads the model, settles",
      )
      .option("--key-file <file>", "the provider's Ethereum key (tasks name its address; it pays storage fees)")
      .option("--rpc <url>", "JSON-RPC URL (default http://127.0.0.1:8545)")
      .option("--deployments <dir>", "folder of <chainId>.json deployment records")
      .option("--storage-nodes <urls>", "comma-separated storage node URLs (datasets and models)")
      .option("--data-dir <dir>", "journal, datasets and models (default .zg/compute-finetuner)")
      .option("--base <dir>", "base model dir with model.gguf + tokenizer.json (default models/zg-tiny)")
      .option("--steps <n>", "training steps; a task's spec may ask for fewer, never more (default 200)")
      .option("--batch <n>", "sequences per step (default 8)")
      .option("--context <n>", "training window in tokens (default 0: the model's context)")
      .option("--device <device>", "auto | cpu | cuda (default auto)")
      .option("--threads <n>", "CPU threads for torch (default 0: torch decides)")
      .option("--poll-interval <ms>", "how often the chain is polled for tasks (default 5000)"),
  ).action(async (flags: FinetunerFlags) => {
    const options = loadConfig(finetunerOptionsSchema, {
      file: flags.config,
      flags: {
        ...commonFlagValues(flags),
        "chain.keyFile": flags.keyFile,
        "chain.rpcUrl": flags.rpc,
        "chain.deploymentsDir": flags.deployments,
        storageNodes: flags.storageNodes,
        dataDir: flags.dataDir,
        base: flags.base,
        steps: flags.steps,
        batch: flags.batch,
        context: flags.context,
        device: flags.device,
        threads: flags.threads,
        pollIntervalMs: flags.pollInterval,
      },
    });
    // Logs go to stderr (or the log file); stdout carries only the ready line.
    const logger = createLogger(options.logger, {
      bindings: { node: "compute-finetuner" },
      ...(options.logger.file ? {} : { destination: pino.destination({ fd: 2, sync: true }) }),
    });
    const lifecycle = new Lifecycle(logger);
    onShutdownSignals(lifecycle, logger);
    try {
      const worker = await initFinetuner(options, { logger, lifecycle, registry: createMetricsRegistry() });
      console.log(`compute finetuner ready: provider ${worker.provider}, python ${worker.python}`);
    } catch (err) {
      await lifecycle.close().catch(() => undefined);
      throw err;
    }
  });
  return command.addCommand(registerCommand());
}

const registerOptionsSchema = z.strictObject({
  chain: chainOptionsSchema.prefault({}),
  logger: loggerOptionsSchema.prefault({ level: "warn" }),
});

interface RegisterFlags {
  keyFile?: string;
  rpc?: string;
  deployments?: string;
  model?: string;
  url?: string;
  price?: string;
  unit: string;
}

function registerCommand(): Command {
  return (
    new Command("register")
      .description("register (or update) this provider's fine-tuning service on FineTuning")
      // Not requiredOption: the parent defines --key-file too and takes it first; both levels are read below.
      .option("--key-file <file>", "the provider's Ethereum key (a validator opted into ComputeServing)")
      .option("--model <name>", "the base model tuned (a name or storage root)")
      .option("--url <url>", "where users reach the provider")
      .option("--price <amount>", "price per training token")
      .option("--unit <unit>", "unit of the price: wei | gwei | ether", "wei")
      .option("--rpc <url>", "JSON-RPC URL (default http://127.0.0.1:8545)")
      .option("--deployments <dir>", "folder of <chainId>.json deployment records")
      .action(async (_opts: unknown, cmd: Command) => {
        const flags = cmd.optsWithGlobals<RegisterFlags>();
        for (const [key, flag] of [
          ["keyFile", "--key-file"],
          ["model", "--model"],
          ["url", "--url"],
          ["price", "--price"],
        ] as const) {
          if (!flags[key]) {
            throw new ZgError("FINETUNE_REGISTER_MISSING", `zg compute finetuner register needs ${flag}`, {
              hint: "zg compute finetuner register --key-file <file> --model <name> --url <url> --price <wei>",
            });
          }
        }
        let pricePerToken: bigint;
        try {
          pricePerToken = parseUnits(flags.price!, flags.unit);
          if (pricePerToken < 0n) throw new Error("negative");
        } catch {
          throw new ZgError(
            "FINETUNE_BAD_PRICE",
            `--price "${flags.price}" is not a non-negative amount of ${flags.unit}`,
            {
              hint: "the price is per training token; --unit wei|gwei|ether (default wei)",
            },
          );
        }
        const options = loadConfig(registerOptionsSchema, {
          flags: {
            "chain.rpcUrl": flags.rpc,
            "chain.deploymentsDir": flags.deployments,
            "chain.keyFile": flags.keyFile,
          },
        });
        const logger = createLogger(options.logger, { destination: pino.destination({ fd: 2, sync: true }) });
        const client = await connectChain(options.chain, logger);
        try {
          const { fineTuning } = finetuneContracts(client);
          const provider = client.signer!.address;
          const params = { model: flags.model!, url: flags.url!, pricePerToken };
          const existing = ((await fineTuning.getService(provider)) as { exists: boolean }).exists;
          const tx = existing ? await fineTuning.updateService(params) : await fineTuning.registerService(params);
          await tx.wait(client.confirmations);
          console.log(
            `${existing ? "updated" : "registered"} fine-tuning service of ${provider}: ${params.model} at ${params.url}, ` +
              `${pricePerToken} wei per training token; tx ${tx.hash}`,
          );
        } catch (err) {
          if ((err as { revert?: { name?: string } }).revert?.name === "FineTuningInsufficientStake") {
            throw new ZgError("FINETUNE_NOT_STAKED", "the provider lacks the service stake FineTuning requires", {
              hint: "register the validator in Staking and opt into ComputeServing (service:optin) first",
              cause: err,
            });
          }
          throw err;
        } finally {
          client.close();
        }
      })
  );
}
