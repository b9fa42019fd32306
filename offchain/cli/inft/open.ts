import fs from "node:fs";
import { Command } from "commander";
import { Contract } from "ethers";
import pino from "pino";
import { z } from "zod";
import { connectChain } from "../../common/chain";
import { chainOptionsSchema, loadConfig, loggerOptionsSchema } from "../../common/config";
import { ZgError } from "../../common/errors";
import { createLogger } from "../../common/logger";
import { dataHashOf, decryptData, type DataKey } from "../../inft/data";
import { openTee } from "../../inft/tee";
import { babyJubKeyPair, decodeZkSealedKey, openZk } from "../../inft/zk";
import { readKeyFile } from "../../common/keys";

// Only what `open` reads, so the command works without the generated typechain types.
const AGENT_NFT_ABI = [
  "function ownerOf(uint256 tokenId) view returns (address)",
  "function sealedKeysOf(uint256 tokenId) view returns (bytes[])",
  "function intelligentDatasOf(uint256 tokenId) view returns (tuple(string dataDescription, bytes32 dataHash, bytes32 keyCommitment)[])",
];

const openOptionsSchema = z.strictObject({
  chain: chainOptionsSchema.prefault({}),
  logger: loggerOptionsSchema.prefault({ level: "warn" }),
});

interface OpenFlags {
  rpc?: string;
  deployments?: string;
  keyFile?: string;
  zk?: boolean;
  blob: string[];
  out?: string;
  entry?: string;
}

/** `zg inft open <tokenId>`: the owner opens its sealed data key, checks the blob against the token and decrypts it. */
export function openCommand(): Command {
  return new Command("open")
    .description("open an agent's sealed data key with your key, verify the encrypted data and decrypt it")
    .argument("<tokenId>", "the agent NFT")
    .requiredOption("--key-file <file>", "your key: secp256k1 (TEE mode) or the Baby Jubjub seed (with --zk)")
    .requiredOption("--blob <file...>", "the encrypted data of each entry, in entry order")
    .option("--zk", "the key was sealed in ZK mode (to your Baby Jubjub key)")
    .option("--out <file>", "write the plaintext of the first entry here (default: stdout)")
    .option("--rpc <url>", "JSON-RPC URL (default http://127.0.0.1:8545)")
    .option("--deployments <dir>", "folder of <chainId>.json deployment records")
    .action(async (tokenId: string, flags: OpenFlags) => {
      const options = loadConfig(openOptionsSchema, {
        flags: { "chain.rpcUrl": flags.rpc, "chain.deploymentsDir": flags.deployments },
      });
      const logger = createLogger(options.logger, { destination: pino.destination({ fd: 2, sync: true }) });
      const key = readKeyFile(flags.keyFile!);
      const client = await connectChain(options.chain, logger);
      try {
        const nft = new Contract(client.contractAddress("AgentNFT"), AGENT_NFT_ABI, client.provider);
        const id = BigInt(tokenId);
        const [sealedKeys, datas] = (await Promise.all([nft.sealedKeysOf(id), nft.intelligentDatasOf(id)])) as [
          string[],
          { dataDescription: string; dataHash: string; keyCommitment: string }[],
        ];
        if (flags.blob.length !== datas.length) {
          throw new ZgError(
            "INFT_BLOB_COUNT",
            `token ${tokenId} has ${datas.length} entries, ${flags.blob.length} blobs given`,
            {
              hint: "pass one --blob file per data entry, in entry order",
            },
          );
        }
        const plaintexts = datas.map((data, i) => {
          const blob = fs.readFileSync(flags.blob[i]);
          if (dataHashOf(blob) !== data.dataHash) {
            throw new ZgError("INFT_DATA_MISMATCH", `${flags.blob[i]} is not entry ${i} of token ${tokenId}`, {
              hint: `its hash differs from the token's data hash ${data.dataHash}`,
            });
          }
          const dataKey: DataKey = flags.zk
            ? openZk(decodeZkSealedKey(sealedKeys[i]), babyJubKeyPair(key).secret, BigInt(data.keyCommitment))
            : openTee(sealedKeys[i], key);
          return { description: data.dataDescription, plaintext: decryptData(dataKey, blob) };
        });
        for (const { description, plaintext } of plaintexts)
          logger.info({ description, bytes: plaintext.length }, "opened");
        if (flags.out) fs.writeFileSync(flags.out, plaintexts[0].plaintext);
        else process.stdout.write(plaintexts[0].plaintext);
      } finally {
        client.close();
      }
    });
}
