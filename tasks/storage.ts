import fs from "node:fs";
import { task } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { formatEther, hexlify, isHexString, toUtf8Bytes, zeroPadValue } from "ethers";
import { accountSigner, recordedAddress, taskContext, type DeploymentArgs } from "./lib";

interface StorageArgs extends DeploymentArgs {
  account?: string;
}

async function contracts(hre: HardhatRuntimeEnvironment, args: StorageArgs) {
  const ctx = await taskContext(hre, args);
  const signer = await accountSigner(hre, args.account);
  const flow = await hre.ethers.getContractAt("Flow", recordedAddress(ctx, "Flow"), signer);
  const market = await hre.ethers.getContractAt("Market", recordedAddress(ctx, "Market"), signer);
  const mine = await hre.ethers.getContractAt("Mine", recordedAddress(ctx, "Mine"), signer);
  return { ctx, signer, flow, market, mine };
}

/** Every storage task takes these. */
function storageTask(name: string, description: string) {
  return task(name, description)
    .addOptionalParam("account", "account index or address to act as (default: the first)")
    .addOptionalParam("deployments", "folder of <chainId>.json deployment records");
}

storageTask("storage:submit", "Submits a file's root to the Flow, paying the market price; prints root, fee and tx")
  .addPositionalParam("file", "path of the file")
  .addOptionalParam("tags", "0x-hex tags stored with the submission", "0x")
  .setAction(async (args, hre) => {
    if (!fs.existsSync(args.file)) throw new Error(`${args.file} does not exist: pass the path of a file`);
    if (!isHexString(args.tags)) throw new Error(`--tags ${args.tags} is not 0x-hex`);
    const data = new Uint8Array(fs.readFileSync(args.file));
    if (data.length === 0) throw new Error(`${args.file} is empty: the Flow stores files of at least one byte`);
    const { loadHashers, layoutFile, createSubmission, toHex } = await import("../offchain/storage/core");
    await loadHashers();
    const layout = layoutFile(data);
    const submission = createSubmission(data, args.tags, layout);
    const { flow } = await contracts(hre, args);
    const fee = await flow.fee(layout.paddedSectors);
    const tx = await flow.submit(submission, { value: fee });
    const receipt = await tx.wait();
    console.log(`root ${toHex(layout.root)}`);
    console.log(`size ${data.length} bytes, ${layout.paddedSectors} sectors (padded)`);
    console.log(`fee  ${formatEther(fee)} (${fee} wei)`);
    console.log(`tx   ${receipt?.hash}`);
  });

storageTask("storage:price", "Prints the price per sector, the service fee and what 1 GiB costs").setAction(
  async (args, hre) => {
    const { market } = await contracts(hre, args);
    const price = await market.pricePerSector();
    const ppm = await market.serviceFeePpm();
    console.log(`price per sector ${price} wei (${formatEther(price)})`);
    console.log(`per GiB          ${formatEther(price * 4_194_304n)}`);
    console.log(`service fee      ${(Number(ppm) / 1e4).toFixed(2)} %`);
  },
);

storageTask("storage:epoch", "Prints the current epoch, its mining context and the flow's length and root")
  .addFlag("make", "fix the current epoch's context first when it is missing")
  .setAction(async (args, hre) => {
    const { flow } = await contracts(hre, args);
    if (args.make) await (await flow.makeContext()).wait();
    const epoch = await flow.epoch();
    console.log(`epoch        ${epoch} (${await flow.blocksPerEpoch()} blocks each)`);
    console.log(`flow length  ${await flow.flowLength()} sectors, ${await flow.submissionCount()} submissions`);
    console.log(`flow root    ${await flow.root()}`);
    try {
      const c = await flow.getContext(epoch);
      console.log(`context      digest ${c.digest}`);
      console.log(`             root ${c.flowRoot}, length ${c.flowLength}, block hash ${c.blockHash}`);
    } catch {
      console.log("context      not fixed yet for this epoch (run with --make, or any submission fixes it)");
    }
  });

storageTask("miner:register", "Registers a PoRA miner id for the account; prints the id")
  .addOptionalParam("seed", "any text or 0x-hex value that makes the id (default: 0x00…01)", "0x01")
  .addOptionalParam("beneficiary", "who receives the rewards (default: the account)")
  .setAction(async (args, hre) => {
    const { mine, signer } = await contracts(hre, args);
    const seed = isHexString(args.seed) ? zeroPadValue(args.seed, 32) : hre.ethers.keccak256(toUtf8Bytes(args.seed));
    const beneficiary = args.beneficiary ?? signer.address;
    const id = await mine.registerMiner.staticCall(seed, beneficiary);
    const receipt = await (await mine.registerMiner(seed, beneficiary)).wait();
    console.log(`miner id ${hexlify(id)} (beneficiary ${beneficiary}, tx ${receipt?.hash})`);
  });
