import { Command } from "commander";
import { oracleCommand } from "./oracle";
import { openCommand } from "./open";

/** `zg inft`: agent NFTs (ERC-7857). */
export function inftCommand(): Command {
  return new Command("inft")
    .description("agent NFTs: run the transfer oracle, open an agent's encrypted data")
    .addCommand(oracleCommand())
    .addCommand(openCommand());
}
