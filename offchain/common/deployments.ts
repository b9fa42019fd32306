import fs from "node:fs/promises";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { getAddress, isAddress } from "ethers";
import { z } from "zod";
import { ZgError, errorText } from "./errors";

/**
 * The deployment record: one JSON file per chain, `<dir>/<chainId>.json`, written by the Hardhat
 * deploy code and read by every node through the chain client. This file is the only definition of
 * its format; both sides import it from here.
 */

const address = z
  .string()
  .refine((value) => isAddress(value), "must be a 0x-prefixed 20-byte address")
  .transform((value) => getAddress(value));

const txHash = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be a 0x-prefixed 32-byte hash");

export const contractDeploymentSchema = z.strictObject({
  address,
  /** The contract (artifact) name, e.g. "Flow"; the record key may differ ("FlowV2", "TokenA"). */
  artifact: z.string().min(1),
  /** "uups": `address` is the ERC-1967 proxy and `implementation` the logic contract behind it. */
  kind: z.enum(["plain", "uups"]),
  implementation: address.optional(),
  /** Block of the deploy transaction: where event scans start. */
  startBlock: z.number().int().min(0),
  txHash,
  /** Constructor or initializer arguments; bigints are stored as decimal strings. */
  args: z.array(z.unknown()).optional(),
});

export const deploymentRecordSchema = z.strictObject({
  chainId: z.number().int().positive(),
  /** The Hardhat network name it was deployed with, for hints ("localhost", "remote"). */
  network: z.string().min(1),
  updatedAt: z.iso.datetime(),
  contracts: z.record(z.string().min(1), contractDeploymentSchema),
});

export type ContractDeployment = z.output<typeof contractDeploymentSchema>;
export type DeploymentRecord = z.output<typeof deploymentRecordSchema>;

export function deploymentPath(dir: string, chainId: number): string {
  return path.join(dir, `${chainId}.json`);
}

/** The command that creates a record, for hints. */
export function deployCommand(chainId: number, network?: string): string {
  const net = network ?? (chainId === 31337 ? "localhost" : "<network>");
  const devnet = chainId === 31337 ? " (or `zg devnet`, which starts a local chain and deploys)" : "";
  return `\`npx hardhat --network ${net} deploy\`${devnet}`;
}

/** Reads and validates the record; ZgError DEPLOYMENT_MISSING when there is none, DEPLOYMENT_MALFORMED when broken. */
export async function readDeployment(dir: string, chainId: number): Promise<DeploymentRecord> {
  const record = await tryReadDeployment(dir, chainId);
  if (record) return record;
  throw new ZgError(
    "DEPLOYMENT_MISSING",
    `no deployment for chain ${chainId}: ${deploymentPath(dir, chainId)} does not exist`,
    {
      hint: `deploy the contracts first with ${deployCommand(chainId)}, or point --chain.deploymentsDir at the right folder`,
      details: { dir, chainId },
    },
  );
}

/** Like readDeployment, but undefined when the file does not exist (a malformed file still throws). */
export async function tryReadDeployment(dir: string, chainId: number): Promise<DeploymentRecord | undefined> {
  const file = deploymentPath(dir, chainId);
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw malformed(file, chainId, `cannot read it: ${errorText(err)}`, err);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw malformed(file, chainId, `not valid JSON: ${errorText(err)}`, err);
  }
  const result = deploymentRecordSchema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw malformed(file, chainId, issues, result.error);
  }
  if (result.data.chainId !== chainId) {
    throw malformed(file, chainId, `it says chainId ${result.data.chainId}`);
  }
  return result.data;
}

function malformed(file: string, chainId: number, what: string, cause?: unknown) {
  return new ZgError("DEPLOYMENT_MALFORMED", `deployment record ${file} is malformed: ${what}`, {
    hint: `restore it from version control or delete it and redeploy with ${deployCommand(chainId)}`,
    cause,
    details: { file },
  });
}

/**
 * Validates and writes the record so that a crash or kill at any moment leaves either the old file or
 * the new one, never half of one: temp file in the same folder, fsync, rename over, fsync the folder.
 */
export async function writeDeployment(dir: string, record: DeploymentRecord): Promise<string> {
  const valid = validForWrite(deploymentRecordSchema, record, `the record for chain ${record.chainId}`);
  const file = deploymentPath(dir, valid.chainId);
  const temp = path.join(dir, `.${valid.chainId}.json.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    await fs.mkdir(dir, { recursive: true });
    const handle = await fs.open(temp, "w");
    try {
      await handle.writeFile(toJson(valid) + "\n", "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
    await syncDir(dir);
  } catch (err) {
    await fs.rm(temp, { force: true });
    throw new ZgError("DEPLOYMENT_WRITE_FAILED", `cannot write deployment record ${file}: ${errorText(err)}`, {
      hint: "check that the deployments folder is writable and the disk is not full, then rerun the deploy",
      cause: err,
    });
  }
  return file;
}

/** A copy of the record with `name` added or replaced and `updatedAt` set to now. */
export function recordContract(record: DeploymentRecord, name: string, entry: ContractDeployment): DeploymentRecord {
  return {
    ...record,
    updatedAt: new Date().toISOString(),
    contracts: { ...record.contracts, [name]: validForWrite(contractDeploymentSchema, entry, `contract ${name}`) },
  };
}

/** An empty record to start a deployment on a fresh chain. */
export function newDeployment(chainId: number, network: string): DeploymentRecord {
  return { chainId, network, updatedAt: new Date().toISOString(), contracts: {} };
}

// Checked before anything touches the disk, so a bad entry never replaces a good record.
function validForWrite<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(JSON.parse(toJson(value)));
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
  throw new ZgError("DEPLOYMENT_MALFORMED", `refusing to record ${what}: ${issues}`, {
    hint: "fix the deploy code that built this entry; the record on disk was left as it was",
    details: { issues: result.error.issues },
  });
}

// Deploy arguments are often bigints, which JSON.stringify refuses.
function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);
}

// Makes the rename itself durable; some platforms (Windows) cannot open a folder, which is fine to skip.
async function syncDir(dir: string) {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, "r");
    await handle.sync();
  } catch {
    // best effort
  } finally {
    await handle?.close();
  }
}
