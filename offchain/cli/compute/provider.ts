import { Command } from "commander";
import { isAddress, parseUnits, ZeroAddress } from "ethers";
import pino from "pino";
import { z } from "zod";
import { connectChain } from "../../common/chain";
import { chainOptionsSchema, loadConfig, loggerOptionsSchema } from "../../common/config";
import { ZgError } from "../../common/errors";
import { Lifecycle, onShutdownSignals } from "../../common/lifecycle";
import { createLogger } from "../../common/logger";
import { createMetricsRegistry } from "../../common/metrics";
import { initProviderBroker, providerOptionsSchema } from "../../compute/broker";
import { computeContracts, readService, VERIFIABILITY } from "../../compute/chain";
import { addCommonFlags, commonFlagValues, type CommonFlags } from "../flags";

interface ProviderFlags extends CommonFlags {
  keyFile?: string;
  rpc?: string;
  deployments?: string;
  host?: string;
  port?: string;
  model?: string;
  modelName?: string;
  upstream?: string;
  upstreamApiKey?: string;
  gpu?: string;
  threads?: string;
  contextSize?: string;
  dataDir?: string;
  maxUnsignedFee?: string;
  mode?: string;
  batchSize?: string;
  maxDelay?: string;
  teeSignerKeyFile?: string;
  executorKeyFile?: string;
  settlement?: boolean;
}

/** `zg compute provider`: the provider broker; `zg compute provider register` puts its service on chain. */
export function providerCommand(): Command {
  const command = addCommonFlags(
    new Command("provider")
      .description(
        "run a compute provider broker: an OpenAI-compatible API that authenticates, meters, bills and settles",
      )
      .option("--key-file <file>", "the provider's Ethereum key (its address is what sessions name)")
      .option("--rpc <url>", "JSON-RPC URL (default http://127.0.0.1:8545)")
      .option("--deployments <dir>", "folder of <chainId>.json deployment records")
      .option("--host <host>", "interface for the API (default 127.0.0.1)")
      .option("--port <port>", "port for the API (default 8800)")
      .option("--model <file>", "GGUF model run in-process (default models/zg-tiny/model.gguf)")
      .option("--model-name <id>", "model id served (embedded) or asked of the upstream")
      .option("--upstream <url>", "forward to an OpenAI-compatible base URL instead (vLLM, llama.cpp server)")
      .option("--upstream-api-key <key>", "bearer key for the upstream")
      .option("--gpu <mode>", "auto | off (default auto)")
      .option("--threads <n>", "CPU threads for the embedded model")
      .option("--context-size <n>", "context size for the embedded model")
      .option("--data-dir <dir>", "where bills are kept (default .zg/compute-provider)")
      .option("--max-unsigned-fee <wei>", "zk mode: unsigned bills a user may hold before receipts are required")
      .option("--mode <mode>", "settlement mode: zk | tee (default zk)")
      .option("--batch-size <n>", "bills per settlement of one user (default 4)")
      .option("--max-delay <seconds>", "settle a user's oldest bill at the latest this late (default 300)")
      .option("--tee-signer-key-file <file>", "tee mode: the attested signer's key")
      .option("--executor-key-file <file>", "agents: the executor's key (acknowledged on ComputeServing)")
      .option("--no-settlement", "do not run the settlement scheduler"),
  ).action(async (flags: ProviderFlags) => {
    const options = loadConfig(providerOptionsSchema, {
      file: flags.config,
      flags: {
        ...commonFlagValues(flags),
        "chain.keyFile": flags.keyFile,
        "chain.rpcUrl": flags.rpc,
        "chain.deploymentsDir": flags.deployments,
        host: flags.host,
        port: flags.port,
        "model.path": flags.model,
        "model.name": flags.modelName,
        "model.upstream": flags.upstream,
        "model.upstreamApiKey": flags.upstreamApiKey,
        "model.gpu": flags.gpu,
        "model.threads": flags.threads,
        "model.contextSize": flags.contextSize,
        dataDir: flags.dataDir,
        maxUnsignedFee: flags.maxUnsignedFee,
        "settlement.mode": flags.mode,
        "settlement.batchSize": flags.batchSize,
        "settlement.maxDelaySeconds": flags.maxDelay,
        "settlement.teeSignerKeyFile": flags.teeSignerKeyFile,
        "agents.executorKeyFile": flags.executorKeyFile,
        "settlement.enabled": flags.settlement === false ? false : undefined,
      },
    });
    // Logs go to stderr (or the log file); stdout carries only the ready line.
    const logger = createLogger(options.logger, {
      bindings: { node: "compute-provider" },
      ...(options.logger.file ? {} : { destination: pino.destination({ fd: 2, sync: true }) }),
    });
    const lifecycle = new Lifecycle(logger);
    onShutdownSignals(lifecycle, logger);
    try {
      const broker = await initProviderBroker(options, { logger, lifecycle, registry: createMetricsRegistry() });
      console.log(`compute provider ready: ${broker.url} (provider ${broker.provider}, model ${broker.model})`);
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
  inputPrice?: string;
  outputPrice?: string;
  teeSigner?: string;
  unit: string;
}

function price(value: string, unit: string, name: string): bigint {
  try {
    const wei = parseUnits(value, unit);
    if (wei < 0n) throw new Error("negative");
    return wei;
  } catch {
    throw new ZgError("COMPUTE_BAD_PRICE", `${name} "${value}" is not a non-negative amount of ${unit}`, {
      hint: "prices are per token; --unit wei|gwei|ether (default wei)",
    });
  }
}

function registerCommand(): Command {
  return (
    new Command("register")
      .description("register (or update) this provider's inference service on ComputeServing")
      // Not requiredOption: `provider` defines --key-file, --model, ... too and, as `zg` parses options anywhere,
      // takes them first; the action reads both levels (optsWithGlobals) and checks what is missing itself.
      .option("--key-file <file>", "the provider's Ethereum key (a validator opted into ComputeServing)")
      .option("--model <id>", "model id users ask for")
      .option("--url <url>", "the broker's public URL")
      .option("--input-price <amount>", "price per input token")
      .option("--output-price <amount>", "price per output token")
      .option("--unit <unit>", "unit of the prices: wei | gwei | ether", "wei")
      .option("--tee-signer <address>", "register in tee mode with this attested signer address")
      .option("--rpc <url>", "JSON-RPC URL (default http://127.0.0.1:8545)")
      .option("--deployments <dir>", "folder of <chainId>.json deployment records")
      .action(async (_opts: unknown, cmd: Command) => {
        const flags = cmd.optsWithGlobals<RegisterFlags>();
        for (const [key, flag] of [
          ["keyFile", "--key-file"],
          ["model", "--model"],
          ["url", "--url"],
          ["inputPrice", "--input-price"],
          ["outputPrice", "--output-price"],
        ] as const) {
          if (!flags[key]) {
            throw new ZgError("COMPUTE_REGISTER_MISSING", `zg compute provider register needs ${flag}`, {
              hint: "zg compute provider register --key-file <file> --model <id> --url <url> --input-price <wei> --output-price <wei>",
            });
          }
        }
        const options = loadConfig(registerOptionsSchema, {
          flags: {
            "chain.rpcUrl": flags.rpc,
            "chain.deploymentsDir": flags.deployments,
            "chain.keyFile": flags.keyFile,
          },
        });
        if (flags.teeSigner !== undefined && !isAddress(flags.teeSigner)) {
          throw new ZgError("COMPUTE_BAD_TEE_SIGNER", `--tee-signer ${flags.teeSigner} is not an address`, {
            hint: "pass the 0x address of the attested TEE signer key",
          });
        }
        const logger = createLogger(options.logger, { destination: pino.destination({ fd: 2, sync: true }) });
        const client = await connectChain(options.chain, logger);
        try {
          const { serving } = computeContracts(client);
          const params = {
            model: flags.model!,
            url: flags.url!,
            inputPrice: price(flags.inputPrice!, flags.unit, "--input-price"),
            outputPrice: price(flags.outputPrice!, flags.unit, "--output-price"),
            verifiability: flags.teeSigner ? VERIFIABILITY.tee : VERIFIABILITY.zk,
            teeSigner: flags.teeSigner ?? ZeroAddress,
          };
          const provider = client.signer!.address;
          const existing = await readService(serving, provider);
          const tx = existing ? await serving.updateService(params) : await serving.registerService(params);
          await tx.wait(client.confirmations);
          console.log(
            `${existing ? "updated" : "registered"} service of ${provider}: ${params.model} at ${params.url}, ` +
              `${params.inputPrice}/${params.outputPrice} wei per input/output token (${flags.teeSigner ? "tee" : "zk"}); tx ${tx.hash}`,
          );
        } catch (err) {
          const name = (err as { revert?: { name?: string; args?: unknown[] } }).revert?.name;
          if (name === "ComputeServingInsufficientStake") {
            throw new ZgError(
              "COMPUTE_PROVIDER_NOT_STAKED",
              "the provider is not a validator opted into ComputeServing with enough stake",
              {
                hint: "register the validator in Staking and opt into ComputeServing (service:optin) first",
                cause: err,
              },
            );
          }
          throw err;
        } finally {
          client.close();
        }
      })
  );
}
