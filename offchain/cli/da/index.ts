import fs from "node:fs";
import { Command } from "commander";
import pino from "pino";
import { z } from "zod";
import { connectChain } from "../../common/chain";
import { chainOptionsSchema, integerOption, loadConfig, loggerOptionsSchema } from "../../common/config";
import { ZgError, errorText } from "../../common/errors";
import { createLogger } from "../../common/logger";
import { disperse } from "../../da/client/disperse";
import { retrieve } from "../../da/client/retrieve";
import * as core from "../../da/core";

const clientOptionsSchema = z.strictObject({
  chain: chainOptionsSchema.prefault({}),
  srsFile: z.string().min(1).optional(),
  maxDataRows: integerOption().min(1).max(16).default(8),
  blowup: integerOption().min(2).max(8).default(3),
  signerTimeoutMs: integerOption().positive().default(60_000),
  logger: loggerOptionsSchema.prefault({ level: "warn" }),
});

interface ClientFlags {
  config?: string;
  rpc?: string;
  deployments?: string;
  keyFile?: string;
  srsFile?: string;
  logLevel?: string;
  out?: string;
  json?: boolean;
}

function withClientFlags(command: Command): Command {
  return command
    .option("--config <file>", "JSON file with options")
    .option("--rpc <url>", "JSON-RPC URL (default http://127.0.0.1:8545)")
    .option("--deployments <dir>", "folder of <chainId>.json deployment records")
    .option("--srs-file <file>", "SRS file (default: the committed dev SRS)")
    .option("--log-level <level>", "fatal | error | warn | info | debug | trace")
    .option("--json", "print the result as JSON");
}

async function setUp(flags: ClientFlags) {
  const options = loadConfig(clientOptionsSchema, {
    file: flags.config,
    flags: {
      "chain.rpcUrl": flags.rpc,
      "chain.deploymentsDir": flags.deployments,
      "chain.keyFile": flags.keyFile,
      srsFile: flags.srsFile,
      "logger.level": flags.logLevel,
    },
  });
  const logger = createLogger(options.logger, { destination: pino.destination({ fd: 2, sync: true }) });
  await core.initDaCore();
  const srs = await core.loadSrs(options.srsFile);
  const client = await connectChain(options.chain, logger);
  return { options, logger, srs, client };
}

function readBlob(file: string): Uint8Array {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new ZgError("DA_FILE_UNREADABLE", `cannot read ${file}: ${errorText(err)}`, { hint: "check the path" });
  }
}

function disperseCommand(): Command {
  return withClientFlags(
    new Command("disperse")
      .description("encode a file as a blob, pay for it, have its quorum sign it and submit the certificate")
      .argument("<file>", "the blob")
      .requiredOption("--key-file <file>", "the payer's Ethereum key (0x + 64 hex digits)"),
  ).action(async (file: string, flags: ClientFlags) => {
    const blob = readBlob(file);
    const { options, logger, srs, client } = await setUp(flags);
    try {
      const result = await disperse(client, blob, {
        srs,
        logger,
        maxDataRows: options.maxDataRows,
        blowup: options.blowup,
        signerTimeoutMs: options.signerTimeoutMs,
      });
      const summary = {
        dataRoot: result.dataRoot,
        rowsRoot: result.rowsRoot,
        epoch: String(result.epoch),
        quorumId: String(result.quorumId),
        commitment: { X: String(result.commitment.X), Y: String(result.commitment.Y) },
        shape: result.shape,
        signers: result.signers,
        failures: result.failures,
        signedWeight: String(result.signedWeight),
        totalWeight: String(result.totalWeight),
        submitted: result.submitted,
      };
      if (flags.json) console.log(JSON.stringify(summary, null, 2));
      else
        console.log(
          `certified ${result.dataRoot} (epoch ${result.epoch}, quorum ${result.quorumId}): ` +
            `${result.signers.length} signers, weight ${result.signedWeight}/${result.totalWeight}` +
            (result.submitted ? "" : " (already certified)"),
        );
    } finally {
      client.close();
    }
  });
}

function retrieveCommand(): Command {
  return withClientFlags(
    new Command("retrieve")
      .description("fetch a certified blob's rows from its quorum, check them against the commitment, decode")
      .argument("<dataRoot>", "the blob's data root")
      .option("--out <file>", "write the blob here (default: stdout)"),
  ).action(async (dataRoot: string, flags: ClientFlags) => {
    if (!/^0x[0-9a-fA-F]{64}$/.test(dataRoot)) {
      throw new ZgError("DA_BAD_ROOT", `${dataRoot} is not a data root`, { hint: "pass the 0x + 64 hex digits root" });
    }
    const { options, logger, srs, client } = await setUp(flags);
    try {
      const result = await retrieve(client, dataRoot, { srs, logger, signerTimeoutMs: options.signerTimeoutMs });
      if (flags.out) fs.writeFileSync(flags.out, result.blob);
      else process.stdout.write(result.blob);
      const served = result.served.map((s) => `${s.signer}: ${s.rows}`).join(", ");
      console.error(`retrieved ${result.blob.length} bytes from ${result.served.length} signers (${served})`);
    } finally {
      client.close();
    }
  });
}

/** `zg da`: the data-availability client. */
export function daCommand(): Command {
  return new Command("da")
    .description("data availability: disperse a blob to a signer quorum, retrieve it")
    .addCommand(disperseCommand())
    .addCommand(retrieveCommand());
}
