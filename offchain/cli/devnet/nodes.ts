import fs from "node:fs";
import path from "node:path";
import { HDNodeWallet, Mnemonic } from "ethers";
import { Lifecycle } from "../../common/lifecycle";

// Hardhat node's built-in accounts: public knowledge, funded only on this local chain.
export const DEV_MNEMONIC = "test test test test test test test test test test test junk";

/** The `index`-th funded dev account (0 deploys, 1 is the user's, 2.. run nodes). */
export function devWallet(index: number): HDNodeWallet {
  return HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(DEV_MNEMONIC), `m/44'/60'/0'/0/${index}`);
}

/** Writes a node's config file, the one an operator would copy to run the same node by hand. */
export function writeNodeConfig(dir: string, config: Record<string, unknown>): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "config.json");
  fs.writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}

/** Writes a key file readable by its owner only. */
export function writeKeyFile(file: string, key: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return file;
}

/** One lifecycle per in-process node, closed newest first. */
export async function closeAll(lifecycles: Lifecycle[]): Promise<void> {
  for (const lifecycle of [...lifecycles].reverse()) await lifecycle.close();
}
