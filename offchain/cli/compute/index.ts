import { Command } from "commander";
import { accountCommands } from "./account";
import { chatCommand } from "./chat";
import { finetuneCommand } from "./finetune";
import { providerCommand } from "./provider";

/** `zg compute`: the provider broker and the user's account, services and chat. */
export function computeCommand(): Command {
  const command = new Command("compute").description(
    "compute: run a provider broker; fund an account, list services and chat, paying with signed receipts",
  );
  command.addCommand(providerCommand());
  command.addCommand(finetuneCommand());
  for (const c of accountCommands()) command.addCommand(c);
  return command.addCommand(chatCommand());
}
