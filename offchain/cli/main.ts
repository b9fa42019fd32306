import { Command, CommanderError } from "commander";
import { formatError } from "../common/errors";
import { alignmentNodeCommand } from "./alignment-node";
import { chainCommand } from "./chain";
import { computeCommand } from "./compute";
import { daCommand } from "./da";
import { daSignerCommand } from "./da-signer";
import { demoCommand } from "./demo";
import { devnetCommand } from "./devnet";
import { inftCommand } from "./inft";
import { marketCommand } from "./market";
import { storageCommand } from "./storage";
import { storageNodeCommand } from "./storage-node";
import { version } from "../../package.json";

export function buildProgram(): Command {
  return new Command("zg")
    .description(
      "zg: run and operate the nodes of a decentralized AI layer (staking, storage, DA, compute, iNFT, market)",
    )
    .version(version)
    .showHelpAfterError("(run `zg --help` for usage)")
    .addCommand(devnetCommand())
    .addCommand(demoCommand())
    .addCommand(chainCommand())
    .addCommand(inftCommand())
    .addCommand(daSignerCommand())
    .addCommand(daCommand())
    .addCommand(storageNodeCommand())
    .addCommand(storageCommand())
    .addCommand(computeCommand())
    .addCommand(marketCommand())
    .addCommand(alignmentNodeCommand());
}

/** Runs the CLI; any error ends the process with one line on stderr, never a stack trace. */
export function main(argv: string[]): void {
  const program = buildProgram().exitOverride();
  program.parseAsync(argv).catch((err: unknown) => {
    if (err instanceof CommanderError) process.exit(err.exitCode);
    console.error(formatError(err));
    if (process.env.ZG_DEBUG) console.error(err);
    process.exit(1);
  });
}
