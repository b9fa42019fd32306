import { task, types } from "hardhat/config";
import { deployAll, MODULES } from "../deploy";
import { printTable, taskContext } from "./lib";

task("deploy", "Deploys every protocol module (or --only some) and records addresses and start blocks")
  .addOptionalParam("only", `comma-separated modules: ${Object.keys(MODULES).join(", ")}`)
  .addOptionalParam("deployments", "folder of <chainId>.json records (default $ZG_DEPLOYMENTS_DIR or deployments/)")
  .addOptionalParam("params", "deploy params file (default deploy/params/<network>.json)")
  .addFlag("fresh", "ignore an existing record for this chain and deploy everything anew")
  .addFlag("json", "print the record as JSON instead of a table")
  .setAction(async (args, hre) => {
    const ctx = await taskContext(hre, args);
    const only = args.only
      ? String(args.only)
          .split(",")
          .map((s: string) => s.trim())
      : undefined;
    await hre.run("compile", { quiet: true });
    await deployAll(ctx, only);
    if (args.json) {
      console.log(JSON.stringify(ctx.record, null, 2));
      return;
    }
    console.log(`\nchain ${ctx.chainId} (${hre.network.name}), admin ${ctx.admin}`);
    printTable([
      ["contract", "address", "kind", "start block"],
      ...Object.entries(ctx.record.contracts).map(([name, c]) => [name, c.address, c.kind, String(c.startBlock)]),
    ]);
  });

task("deployments", "Prints the recorded deployment of the selected network")
  .addOptionalParam("deployments", "folder of <chainId>.json records", undefined, types.string)
  .setAction(async (args, hre) => {
    const ctx = await taskContext(hre, args);
    if (Object.keys(ctx.record.contracts).length === 0) {
      console.log(
        `no deployment recorded for chain ${ctx.chainId}: run \`npx hardhat --network ${hre.network.name} deploy\``,
      );
      return;
    }
    console.log(JSON.stringify(ctx.record, null, 2));
  });
