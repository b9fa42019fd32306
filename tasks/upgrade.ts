import { task } from "hardhat/config";
import { ZeroHash, id } from "ethers";
import { prepareUpgrade, upgradeUups } from "../deploy";
import { taskContext } from "./lib";

task("upgrade", "Upgrades a recorded UUPS proxy after checking storage-layout compatibility")
  .addParam("name", "the contract's name in the deployment record")
  .addParam("artifact", "the new implementation's contract name")
  .addOptionalParam("call", "a reinitializer to call during the upgrade, e.g. initializeV2")
  .addOptionalParam("args", "JSON array of arguments for --call", "[]")
  .addOptionalParam("deployments", "folder of <chainId>.json records")
  .setAction(async (args, hre) => {
    const ctx = await taskContext(hre, args);
    const entry = ctx.record.contracts[args.name];
    if (!entry) throw new Error(`"${args.name}" is not in the deployment record for chain ${ctx.chainId}`);
    const callArgs = JSON.parse(args.args) as unknown[];
    const proxy = await hre.ethers.getContractAt("ProtocolUpgradeable", entry.address, ctx.deployer);
    const canUpgrade = await proxy.hasRole(await proxy.UPGRADER_ROLE(), ctx.deployerAddress);
    if (canUpgrade) {
      await upgradeUups(ctx, args.name, args.artifact, args.call ? { fn: args.call, args: callArgs } : undefined);
      return;
    }
    // Under governance the deployer cannot upgrade: deploy and validate the implementation, then print the
    // proposal that carries the upgrade (the governor is the timelock's proposer) and the raw timelock operation.
    const implementation = await prepareUpgrade(ctx, args.name, args.artifact);
    const artifact: string = args.artifact;
    const factory = await hre.ethers.getContractFactory(artifact);
    const initData = args.call ? factory.interface.encodeFunctionData(args.call, callArgs) : "0x";
    const data = proxy.interface.encodeFunctionData("upgradeToAndCall", [implementation, initData]);
    const timelock = ctx.record.contracts.ZgTimelock;
    if (ctx.record.contracts.ZgGovernor) {
      console.log(`implementation ${implementation} deployed and validated; propose the upgrade with:`);
      console.log(
        `  npx hardhat --network ${hre.network.name} gov:propose --target ${args.name} --calldata ${data} ` +
          `--description "Upgrade ${args.name} to ${implementation}"`,
      );
      console.log("or, where a proposer queues on the timelock directly:");
    }
    console.log(
      `implementation ${implementation} deployed and validated; queue this on ZgTimelock ${timelock?.address}:`,
    );
    console.log(
      JSON.stringify(
        {
          target: entry.address,
          value: "0",
          data,
          predecessor: ZeroHash,
          salt: id(`${args.name}:${implementation}`),
          delay: ctx.params.governance.timelockDelay,
        },
        null,
        2,
      ),
    );
  });
