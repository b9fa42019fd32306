import path from "node:path";
import { Contract, ZeroHash } from "ethers";
import { loadConfig } from "../../common/config";
import { Lifecycle } from "../../common/lifecycle";
import { createMetricsRegistry } from "../../common/metrics";
import { ALIGNMENT_RECORD } from "../../alignment/chain";
import { alignmentNodeOptionsSchema, initAlignmentNode } from "../../alignment/node";
import { closeAll, writeKeyFile, writeNodeConfig } from "./nodes";
import type { DevnetWorker, DevnetWorkerContext } from "./workers";

const LICENSE_ABI = [
  "function hasRole(bytes32 role, address account) view returns (bool)",
  "function totalMinted() view returns (uint256)",
  "function maxLicenses() view returns (uint256)",
  "function ownerOf(uint256 licenseId) view returns (address)",
  "function mint(address to) returns (uint256 licenseId)",
];
/**
 * Dev account 9 owns the node's license, signs its attestations and claims its rewards. No devnet worker sends from
 * it at the default sizes (DA signers 2-5, compute 10, delegations 17 and 19, the miner 18), and no test spends from
 * it: two wallets on one account race for nonces, and claimed rewards move its balance.
 */
const ALIGNMENT_ACCOUNT = 9;

/**
 * One alignment node (`zg alignment-node`) in the devnet's process, for a license the deployer mints to dev account
 * 9, checking the devnet's storage nodes, DA signers, compute provider and iNFT oracle each epoch, with its config
 * file an operator could pass to `zg alignment-node --config`. It never sends paid compute probes
 * (`probe.compute: false`), so it spends only gas. `--no-alignment` skips it; without the license admin role
 * (governance holds it) it says what to run and starts nothing.
 */
export const alignmentNodeWorker: DevnetWorker = {
  name: "alignment-node",
  async start(ctx) {
    const none = { stop: async () => undefined, endpoints: [] };
    if (!ctx.options.alignment) return none;
    const account = await ctx.accounts.funded(ALIGNMENT_ACCOUNT, 0n);
    const licenseId = await licenseFor(ctx, account.address);
    if (licenseId === undefined) return none;

    const dir = path.join(ctx.dataDir, "alignment-0");
    const file = writeNodeConfig(dir, {
      chain: {
        rpcUrl: ctx.rpcUrl,
        deploymentsDir: ctx.deploymentsDir,
        keyFile: writeKeyFile(path.join(dir, "owner.key"), account.privateKey),
      },
      licenseId: Number(licenseId),
      dataDir: path.join(dir, "data"),
      storageNodes: ctx.services.storageNodes,
      inftOracles: ctx.services.inftOracles,
      probe: { compute: false },
    });
    const options = loadConfig(alignmentNodeOptionsSchema, { file, env: {} });
    const logger = ctx.logger.child({ node: "alignment-0" });
    const lifecycle = new Lifecycle(logger);
    const registry = createMetricsRegistry({ labels: { node: "alignment-0" }, processMetrics: false });
    try {
      const node = await initAlignmentNode(options, { logger, lifecycle, registry });
      return {
        stop: () => closeAll([lifecycle]),
        endpoints: [
          `alignment-node-0  license ${licenseId}  ${node.address}  reports ${node.reportsDir}  (config ${file})`,
        ],
      };
    } catch (err) {
      await closeAll([lifecycle]);
      throw err;
    }
  },
};

/** The license `owner` holds, or one the deployer mints to it; undefined (and a warning) when it cannot mint. */
async function licenseFor(ctx: DevnetWorkerContext, owner: string): Promise<bigint | undefined> {
  const deployer = ctx.accounts.deployer();
  const license = new Contract(ctx.chain.contractAddress(ALIGNMENT_RECORD.license), LICENSE_ABI, deployer);
  const minted = (await license.totalMinted()) as bigint;
  for (let id = 1n; id <= minted; id++) {
    if (((await license.ownerOf(id)) as string).toLowerCase() === owner.toLowerCase()) return id;
  }
  const canMint = (await license.hasRole(ZeroHash, deployer.address)) as boolean;
  if (!canMint || minted >= ((await license.maxLicenses()) as bigint)) {
    ctx.logger.warn(
      { owner, minted: minted.toString() },
      `no alignment node: the deployer cannot mint a license (governance runs ` +
        `alignment:mint --to ${owner}, then zg alignment-node with that license)`,
    );
    return undefined;
  }
  await (await license.mint(owner)).wait();
  return minted + 1n;
}
