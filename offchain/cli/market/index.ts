import { Command } from "commander";
import { agentCommand } from "./agent";
import { saleCommands } from "./sale";
import { servicesCommand } from "./services";

/** `zg market`: find the network's services, buy and sell agents, run an agent through a compute provider. */
export function marketCommand(): Command {
  const market = new Command("market").description(
    "the service and agent marketplace: list services, sell and buy agent iNFTs, run an agent on a provider",
  );
  market.addCommand(servicesCommand());
  for (const command of saleCommands()) market.addCommand(command);
  market.addCommand(agentCommand());
  return market;
}
