import { Command } from "commander";

// Scaffold: replaced by the real command.
export function agentCommand(): Command {
  return new Command("agent");
}
