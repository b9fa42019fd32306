// DA signers on a running `zg devnet`, as operators set them up: validators 2.. of the dev mnemonic register in
// Staking, opt into the DA registry and start `zg da-signer`. Used by the DA e2e test and the dispersal bench.
import fs from "node:fs";
import path from "node:path";
import { Contract, HDNodeWallet, JsonRpcProvider, Mnemonic, parseEther, toBeHex, zeroPadValue } from "ethers";
import { FR_MODULUS } from "../../offchain/da/core/bls";
import { freePort, startZg, waitFor, type Devnet, type Running } from "./process";

const DEV_MNEMONIC = "test test test test test test test test test test test junk";
const STAKING_ABI = [
  "function registerValidator(bytes consensusPubKey, string description, uint32 commissionPpm, uint32 maxCommissionPpm, uint32 maxChangePpm) payable returns (uint256)",
  "function optIn(address service)",
];
/** Seconds per DA epoch on the devnet (the deploy default). */
export const DA_EPOCH = 24 * 3600;

export interface SignerProcess {
  index: number;
  run: Running;
  url: string;
  address: string;
  port: number;
  operatorKey: string;
}

export interface SignerSetOptions {
  /** Extra `zg da-signer` flags (an SRS file, say). */
  extraArgs?: string[];
  env?: NodeJS.ProcessEnv;
}

export function devWallet(index: number, provider: JsonRpcProvider): HDNodeWallet {
  return HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(DEV_MNEMONIC), `m/44'/60'/0'/0/${index}`).connect(provider);
}

/** Writes a key file (mode 600) in the devnet's data dir. */
export function writeKey(devnet: Devnet, name: string, key: string): string {
  const file = path.join(devnet.dataDir, name);
  fs.writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return file;
}

export function chainFlags(devnet: Devnet): string[] {
  return ["--rpc", devnet.url, "--deployments", devnet.deployments];
}

/** Starts (or restarts, on the same data dir and port) signer `index`. */
export async function startSigner(
  devnet: Devnet,
  index: number,
  port: number,
  operatorKey: string,
  options: SignerSetOptions = {},
): Promise<SignerProcess> {
  const run = startZg(
    [
      "da-signer",
      "--bls-key-file",
      writeKey(devnet, `bls-${index}.key`, toBeHex(FR_MODULUS - 1000n - BigInt(index), 32)),
      "--key-file",
      writeKey(devnet, `operator-${index}.key`, operatorKey),
      "--port",
      String(port),
      "--data-dir",
      path.join(devnet.dataDir, `signer-${index}`),
      ...chainFlags(devnet),
      ...(options.extraArgs ?? []),
    ],
    options.env,
  );
  await waitFor(() => run.stdout().includes("da-signer ready") || run.child.exitCode !== null, 120_000, "signer");
  if (!run.stdout().includes("da-signer ready"))
    throw new Error(`zg da-signer ${index} did not start:\n${run.stderr()}`);
  const address = devWallet(2 + index, new JsonRpcProvider(devnet.url)).address;
  return { index, run, url: `http://127.0.0.1:${port}`, address, port, operatorKey };
}

/**
 * `count` validators opted into DA with a running signer each, active from the next epoch, which this moves the
 * devnet's clock into.
 */
export async function startSignerSet(
  devnet: Devnet,
  provider: JsonRpcProvider,
  count: number,
  options: SignerSetOptions = {},
): Promise<SignerProcess[]> {
  const record = JSON.parse(fs.readFileSync(path.join(devnet.deployments, "31337.json"), "utf8"));
  const signers: SignerProcess[] = [];
  for (let i = 0; i < count; i++) {
    const operator = devWallet(2 + i, provider);
    const staking = new Contract(record.contracts.Staking.address, STAKING_ABI, operator);
    const consensusKey = zeroPadValue(toBeHex(9000 + i), 48);
    await (await staking.registerValidator(consensusKey, `da ${i}`, 0, 0, 0, { value: parseEther("1000") })).wait();
    await (await staking.optIn(record.contracts.DASignerRegistry.address)).wait();
    signers.push(await startSigner(devnet, i, await freePort(), operator.privateKey, options));
  }
  await provider.send("evm_increaseTime", [DA_EPOCH]);
  await provider.send("evm_mine", []);
  return signers;
}

/** Stops every signer still running (Ctrl-C, as an operator would). */
export async function stopSigners(signers: SignerProcess[]): Promise<void> {
  for (const s of signers) if (s.run.child.exitCode === null) s.run.child.kill("SIGINT");
  await Promise.all(signers.map((s) => s.run.exited));
}
