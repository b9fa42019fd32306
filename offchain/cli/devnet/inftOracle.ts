import path from "node:path";
import { Contract, ZeroHash } from "ethers";
import { startOracleServer } from "../../inft/oracle";
import { writeKeyFile, writeNodeConfig } from "./nodes";
import type { DevnetWorker, DevnetWorkerContext } from "./workers";

const TEE_VERIFIER_ABI = [
  "function hasRole(bytes32 role, address account) view returns (bool)",
  "function isOracle(address oracle) view returns (bool)",
  "function acknowledgeOracle(address oracle)",
];
/** The oracle's key: derived from the public dev mnemonic like every devnet key, clear of the funded 0..19 and the executors at 30... */
const ORACLE_ACCOUNT = 40;

/**
 * The iNFT transfer oracle (`zg inft oracle`) on a free port, with its key file and a config file an operator could
 * pass to `zg inft oracle --config`. The deployer acknowledges its address on TeeTransferVerifier, standing in for
 * governance checking a TEE attestation, so TEE-mode transfers, market sales and agent grants work out of the box.
 */
export const inftOracleWorker: DevnetWorker = {
  name: "inft-oracle",
  async start(ctx) {
    const dir = path.join(ctx.dataDir, "oracle-0");
    const key = ctx.accounts.wallet(ORACLE_ACCOUNT).privateKey;
    const file = writeNodeConfig(dir, {
      keyFile: writeKeyFile(path.join(dir, "oracle.key"), key),
      host: "127.0.0.1",
      port: 0,
    });
    const server = await startOracleServer(key, { host: "127.0.0.1", port: 0 });
    try {
      await acknowledgeOracle(ctx, server.address);
    } catch (err) {
      await server.close();
      throw err;
    }
    ctx.logger.info({ url: server.url, address: server.address }, "oracle listening");
    return {
      stop: () => server.close(),
      endpoints: [`inft-oracle-0  ${server.url}  ${server.address}  (config ${file})`],
      services: { inftOracles: [server.url] },
    };
  },
};

/** The deployer acknowledges the oracle when it holds the admin role; otherwise says what governance runs. */
async function acknowledgeOracle(ctx: DevnetWorkerContext, oracle: string): Promise<void> {
  const deployer = ctx.accounts.deployer();
  const verifier = new Contract(ctx.chain.contractAddress("TeeTransferVerifier"), TEE_VERIFIER_ABI, deployer);
  if (await verifier.isOracle(oracle)) return;
  if (!(await verifier.hasRole(ZeroHash, deployer.address))) {
    ctx.logger.warn({ oracle }, "TEE transfers need governance to run inft:acknowledge-oracle for this oracle");
    return;
  }
  await (await verifier.acknowledgeOracle(oracle)).wait();
}
