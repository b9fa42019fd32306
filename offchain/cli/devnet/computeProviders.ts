import path from "node:path";
import { Contract, parseEther, parseUnits, toBeHex, ZeroAddress, ZeroHash, zeroPadValue } from "ethers";
import { loadConfig } from "../../common/config";
import { Lifecycle } from "../../common/lifecycle";
import { createMetricsRegistry } from "../../common/metrics";
import { initProviderBroker, providerOptionsSchema } from "../../compute/broker";
import { SERVING_ABI, VERIFIABILITY } from "../../compute/chain";
import { closeAll, writeKeyFile, writeNodeConfig } from "./nodes";
import type { DevnetWorker } from "./workers";

const STAKING_ABI = [
  "function registerValidator(bytes consensusPubKey, string description, uint32 commissionPpm, uint32 maxCommissionPpm, uint32 maxChangePpm) payable returns (uint256)",
  "function optIn(address service)",
];
const SERVING_ADMIN_ABI = [
  "function hasRole(bytes32 role, address account) view returns (bool)",
  "function acknowledgeTeeSigner(address signer, bool acknowledged)",
];
/** What each devnet validator bonds. */
const VALIDATOR_STAKE = parseEther("1000");
/** Dev accounts 10.. run the devnet's compute providers (2..5 are DA operators, 18 the storage miner). */
const FIRST_PROVIDER = 10;
/** Agent executor keys: never used as accounts, only for sealing; clear of hardhat's 20 funded ones. */
const FIRST_EXECUTOR = 30;
/** The model this repository trains and commits, found from the code so any working directory will do. */
const MODEL_PATH = path.resolve(__dirname, "..", "..", "..", "models", "zg-tiny", "model.gguf");
/** Devnet prices: 1 gwei per prompt token, 2 gwei per generated token. */
const INPUT_PRICE = parseUnits("1", "gwei");
const OUTPUT_PRICE = parseUnits("2", "gwei");

/**
 * `options.computeProviders` validators (dev accounts 10..) staked and opted into the compute service, each with an
 * inference service for the embedded model registered in ComputeServing and a provider broker serving it (ZK
 * settlement, batches of the circuit's N). Each broker also gets an agent executor key (dev account 30 + i, derived
 * from the public dev mnemonic like every devnet key) which the deployer acknowledges on ComputeServing, standing in
 * for governance checking a TEE attestation, so `zg market agent grant` works out of the box.
 */
export const computeProvidersWorker: DevnetWorker = {
  name: "compute-providers",
  async start(ctx) {
    const count = ctx.options.computeProviders;
    const lifecycles: Lifecycle[] = [];
    const endpoints: string[] = [];
    const urls: string[] = [];
    if (count === 0) return { stop: async () => undefined, endpoints };
    const servingAddress = ctx.chain.contractAddress("ComputeServing");
    try {
      for (let i = 0; i < count; i++) {
        const operator = await ctx.accounts.funded(FIRST_PROVIDER + i, VALIDATOR_STAKE);
        const staking = new Contract(ctx.chain.contractAddress("Staking"), STAKING_ABI, operator);
        const consensusKey = zeroPadValue(toBeHex(0xc0 + i), 48);
        await (
          await staking.registerValidator(consensusKey, `devnet compute ${i}`, 0, 0, 0, { value: VALIDATOR_STAKE })
        ).wait();
        await (await staking.optIn(servingAddress)).wait();

        const dir = path.join(ctx.dataDir, `compute-${i}`);
        const executor = ctx.accounts.wallet(FIRST_EXECUTOR + i);
        const file = writeNodeConfig(dir, {
          chain: {
            rpcUrl: ctx.rpcUrl,
            deploymentsDir: ctx.deploymentsDir,
            keyFile: writeKeyFile(path.join(dir, "provider.key"), operator.privateKey),
          },
          port: 0,
          dataDir: path.join(dir, "data"),
          model: { path: MODEL_PATH, gpu: "auto" },
          agents: { executorKeyFile: writeKeyFile(path.join(dir, "executor.key"), executor.privateKey) },
        });
        const options = loadConfig(providerOptionsSchema, { file, env: {} });
        const logger = ctx.logger.child({ node: `compute-${i}` });
        const lifecycle = new Lifecycle(logger);
        lifecycles.push(lifecycle);
        const registry = createMetricsRegistry({ labels: { node: `compute-${i}` }, processMetrics: false });
        const broker = await initProviderBroker(options, { logger, lifecycle, registry });
        const serving = new Contract(servingAddress, SERVING_ABI, operator);
        await (
          await serving.registerService({
            model: broker.model,
            url: broker.url,
            inputPrice: INPUT_PRICE,
            outputPrice: OUTPUT_PRICE,
            verifiability: VERIFIABILITY.zk,
            teeSigner: ZeroAddress,
          })
        ).wait();
        await acknowledgeExecutor(ctx, servingAddress, executor.address);
        urls.push(broker.url);
        endpoints.push(
          `compute-${i}  ${broker.url}  ${broker.provider}  model ${broker.model}  executor ${executor.address}  (config ${file})`,
        );
      }
    } catch (err) {
      await closeAll(lifecycles);
      throw err;
    }
    return { stop: () => closeAll(lifecycles), endpoints, services: { computeProviders: urls } };
  },
};

/** The deployer acknowledges the executor key when it holds the admin role; otherwise says what governance runs. */
async function acknowledgeExecutor(ctx: Parameters<DevnetWorker["start"]>[0], serving: string, executor: string) {
  const deployer = ctx.accounts.deployer();
  const contract = new Contract(serving, SERVING_ADMIN_ABI, deployer);
  if (!(await contract.hasRole(ZeroHash, deployer.address))) {
    ctx.logger.warn({ executor }, "agents need governance to run compute:ack-signer for this executor key");
    return;
  }
  await (await contract.acknowledgeTeeSigner(executor, true)).wait();
}
