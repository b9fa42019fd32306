import { Command } from "commander";

// Scaffold: replaced by the real command.
export function servicesCommand(): Command {
  return new Command("services");
}
