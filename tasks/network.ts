import fs from "node:fs";
import type { HttpNetworkUserConfig } from "hardhat/types";

/**
 * The `remote` network: any EVM chain given by ZG_RPC_URL, signed for by the key in ZG_PRIVATE_KEY
 * or in the file named by ZG_KEY_FILE (a 0x-prefixed hex key on its first line).
 */
export function remoteNetworkFromEnv(env: NodeJS.ProcessEnv = process.env): HttpNetworkUserConfig | undefined {
  const url = env.ZG_RPC_URL;
  if (!url) return undefined;
  const key = env.ZG_PRIVATE_KEY ?? (env.ZG_KEY_FILE ? readKeyFile(env.ZG_KEY_FILE) : undefined);
  return { url, accounts: key ? [key] : [] };
}

function readKeyFile(path: string): string {
  if (!fs.existsSync(path))
    throw new Error(`ZG_KEY_FILE=${path} does not exist: point it at a file holding one hex private key`);
  const key = fs.readFileSync(path, "utf8").split(/\r?\n/)[0].trim();
  if (!/^(0x)?[0-9a-fA-F]{64}$/.test(key)) {
    throw new Error(`ZG_KEY_FILE=${path} does not start with a 32-byte hex private key`);
  }
  return key.startsWith("0x") ? key : `0x${key}`;
}
