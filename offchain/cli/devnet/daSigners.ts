import path from "node:path";
import { Contract, keccak256, parseEther, toBeHex, toUtf8Bytes, zeroPadValue } from "ethers";
import { loadConfig } from "../../common/config";
import { Lifecycle } from "../../common/lifecycle";
import { createMetricsRegistry } from "../../common/metrics";
import { FR_MODULUS } from "../../da/core/bls";
import { initSignerNode, signerOptionsSchema } from "../../da/node";
import { closeAll, writeKeyFile, writeNodeConfig } from "./nodes";
import type { DevnetWorker, DevnetWorkerContext } from "./workers";

const STAKING_ABI = [
  "function registerValidator(bytes consensusPubKey, string description, uint32 commissionPpm, uint32 maxCommissionPpm, uint32 maxChangePpm) payable returns (uint256)",
  "function optIn(address service)",
];
const REGISTRY_ABI = ["function epochLength() view returns (uint64)"];
/** What each devnet validator bonds. */
const VALIDATOR_STAKE = parseEther("1000");
/** Dev accounts 2.. operate the devnet's validators, one DA signer each. */
const FIRST_OPERATOR = 2;

/**
 * `options.daSigners` validators (dev accounts 2..) staked and opted into DA, each running a signer; the clock is
 * then moved to the next DA epoch, from which registrations count, so blobs can be dispersed at once.
 */
export const daSignersWorker: DevnetWorker = {
  name: "da-signers",
  async start(ctx) {
    const count = ctx.options.daSigners;
    const lifecycles: Lifecycle[] = [];
    const endpoints: string[] = [];
    const urls: string[] = [];
    if (count === 0) return { stop: async () => undefined, endpoints };
    const registryAddress = ctx.chain.contractAddress("DASignerRegistry");
    try {
      for (let i = 0; i < count; i++) {
        const operator = await ctx.accounts.funded(FIRST_OPERATOR + i, VALIDATOR_STAKE);
        const staking = new Contract(ctx.chain.contractAddress("Staking"), STAKING_ABI, operator);
        const consensusKey = zeroPadValue(toBeHex(0xda00 + i), 48);
        await (
          await staking.registerValidator(consensusKey, `devnet ${i}`, 0, 0, 0, { value: VALIDATOR_STAKE })
        ).wait();
        await (await staking.optIn(registryAddress)).wait();

        const dir = path.join(ctx.dataDir, `signer-${i}`);
        const blsSecret = BigInt(keccak256(toUtf8Bytes(`zg devnet da signer ${i}`))) % FR_MODULUS;
        const file = writeNodeConfig(dir, {
          chain: {
            rpcUrl: ctx.rpcUrl,
            deploymentsDir: ctx.deploymentsDir,
            keyFile: writeKeyFile(path.join(dir, "operator.key"), operator.privateKey),
          },
          blsKeyFile: writeKeyFile(path.join(dir, "bls.key"), toBeHex(blsSecret, 32)),
          port: 0,
          dataDir: path.join(dir, "data"),
        });
        const options = loadConfig(signerOptionsSchema, { file, env: {} });
        const logger = ctx.logger.child({ node: `da-signer-${i}` });
        const lifecycle = new Lifecycle(logger);
        lifecycles.push(lifecycle);
        const registry = createMetricsRegistry({ labels: { node: `da-signer-${i}` }, processMetrics: false });
        const node = await initSignerNode(options, { logger, lifecycle, registry });
        endpoints.push(`da-signer-${i}  ${node.url}  ${node.address}  (config ${file})`);
        urls.push(node.url);
      }
      await skipToNextEpoch(ctx, new Contract(registryAddress, REGISTRY_ABI, ctx.chain.provider));
    } catch (err) {
      await closeAll(lifecycles);
      throw err;
    }
    return { stop: () => closeAll(lifecycles), endpoints, services: { daSigners: urls } };
  },
};

/** Moves the clock a DA epoch on; an external chain that refuses `evm_increaseTime` gets there in its own time. */
async function skipToNextEpoch(ctx: DevnetWorkerContext, registry: Contract): Promise<void> {
  const epochLength = Number(await registry.epochLength());
  try {
    await ctx.chain.provider.send("evm_increaseTime", [epochLength]);
    await ctx.chain.provider.send("evm_mine", []);
  } catch (err) {
    if (!ctx.accounts.external) throw err;
    ctx.logger.warn(
      { epochLength, reason: (err as Error).message },
      "the chain cannot move its clock: the signers count from the next DA epoch",
    );
  }
}
