import type { Command } from "commander";

// Scaffold: replaced by the real commands.
export function saleCommands(): Command[] {
  return [];
}
