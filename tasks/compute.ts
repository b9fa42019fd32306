import { task } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { formatEther, isAddress } from "ethers";
import { accountSigner, printTable, recordedAddress, taskContext, type DeploymentArgs } from "./lib";

interface ComputeArgs extends DeploymentArgs {
  account?: string;
}

const MODES = ["zk", "tee"];

async function contracts(hre: HardhatRuntimeEnvironment, args: ComputeArgs) {
  const ctx = await taskContext(hre, args);
  const signer = await accountSigner(hre, args.account);
  return {
    signer,
    serving: await hre.ethers.getContractAt("ComputeServing", recordedAddress(ctx, "ComputeServing"), signer),
    ledger: await hre.ethers.getContractAt("ComputeLedger", recordedAddress(ctx, "ComputeLedger"), signer),
  };
}

/** Every compute task takes these. */
function computeTask(name: string, description: string) {
  return task(name, description)
    .addOptionalParam("account", "account index or address to act as (default: the first)")
    .addOptionalParam("deployments", "folder of <chainId>.json deployment records");
}

function address(value: string, flag: string): string {
  if (!isAddress(value)) throw new Error(`--${flag} ${value} is not an address`);
  return value;
}

computeTask("compute:services", "Lists the providers and their inference services").setAction(async (args, hre) => {
  const { serving } = await contracts(hre, args);
  const count = await serving.providerCount();
  console.log(`${count} provider(s); minimum service stake ${formatEther(await serving.minProviderStake())}`);
  if (count === 0n) return;
  const rows = [["provider", "model", "url", "input wei/token", "output wei/token", "mode", "tee signer", "updated"]];
  for (let i = 0n; i < count; i++) {
    const provider = await serving.providerAt(i);
    const s = await serving.getService(provider);
    const mode = MODES[Number(s.verifiability)];
    const tee = mode === "tee" ? s.teeSigner : "-";
    const acknowledged = mode === "tee" && !(await serving.isTeeSignerAcknowledged(s.teeSigner)) ? " (not ack.)" : "";
    rows.push([
      provider,
      s.model,
      s.url,
      s.inputPrice.toString(),
      s.outputPrice.toString(),
      mode,
      tee + acknowledged,
      new Date(Number(s.updatedAt) * 1000).toISOString(),
    ]);
  }
  printTable(rows);
});

computeTask("compute:ack-signer", "Governance: acknowledges (or revokes) a TEE settlement signer key")
  .addParam("signer", "the TEE key's address")
  .addFlag("revoke", "revoke instead of acknowledge")
  .setAction(async (args, hre) => {
    const { serving } = await contracts(hre, args);
    const signer = address(args.signer, "signer");
    const receipt = await (await serving.acknowledgeTeeSigner(signer, !args.revoke)).wait();
    console.log(`${args.revoke ? "revoked" : "acknowledged"} TEE signer ${signer} (tx ${receipt?.hash})`);
  });

computeTask("compute:nonce", "Prints the last settled nonce of a user with a provider")
  .addParam("user", "the user's address")
  .addParam("provider", "the provider's address")
  .setAction(async (args, hre) => {
    const { serving } = await contracts(hre, args);
    const user = address(args.user, "user");
    const provider = address(args.provider, "provider");
    console.log(`nonce ${await serving.nonceOf(user, provider)} (user ${user}, provider ${provider})`);
  });

computeTask("compute:account", "Prints a user's ledger account and its sub-accounts with the listed providers")
  .addParam("user", "the user's address")
  .setAction(async (args, hre) => {
    const { serving, ledger } = await contracts(hre, args);
    const user = address(args.user, "user");
    const account = await ledger.getAccount(user);
    if (!account.exists) {
      console.log(`${user} has no compute account`);
      return;
    }
    console.log(`account      ${user}`);
    console.log(`balance      ${formatEther(account.balance)}`);
    console.log(`signer key   (${account.signerKey[0]}, ${account.signerKey[1]})`);
    const rows = [["provider", "balance", "pending refund", "refunds", "nonce"]];
    const count = await serving.providerCount();
    for (let i = 0n; i < count; i++) {
      const provider = await serving.providerAt(i);
      const sub = await ledger.getSubAccount(user, provider);
      const nonce = await serving.nonceOf(user, provider);
      if (sub.balance === 0n && nonce === 0n) continue;
      rows.push([
        provider,
        formatEther(sub.balance),
        formatEther(sub.pendingRefund),
        String(sub.refunds.length),
        nonce.toString(),
      ]);
    }
    if (rows.length === 1) console.log("no sub-accounts with the listed providers");
    else printTable(rows);
  });
