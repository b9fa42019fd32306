// Shared by build.ts, setup.ts, check.ts and the artifact tests: where each circuit's files live, how
// circom2 is run, and how committed artifacts are checked against their key and their source.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import * as snarkjs from "snarkjs";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const CIRCUITS_DIR = path.join(REPO_ROOT, "circuits");
export const ARTIFACTS_DIR = path.join(CIRCUITS_DIR, "artifacts");
export const BUILD_DIR = path.join(REPO_ROOT, "build", "circuits");
export const VERIFIERS_DIR = path.join(REPO_ROOT, "contracts", "verifiers", "generated");
export const LIBRARY_DIR = path.join(REPO_ROOT, "node_modules");
export const DEFAULT_PTAU = path.resolve(REPO_ROOT, "..", "shared", "ptau", "dev_pot17.ptau");
export const SOLIDITY_VERSION = "0.8.28";
// Above this the r1cs stays out of git; its sha256 is still in the manifest so sources can be checked.
export const MAX_COMMITTED_R1CS_BYTES = 8 * 1024 * 1024;

/** An error whose message is meant for the person running the script: printed as one line, no stack. */
export class CircuitsError extends Error {
  override name = "CircuitsError";
}

export interface Circuit {
  name: string;
  /** circuits/<dir>/main_<name>.circom */
  main: string;
  buildDir: string;
  artifactsDir: string;
  wasm: string;
  zkey: string;
  vkey: string;
  r1cs: string;
  manifest: string;
  verifier: string;
  verifierContract: string;
}

export function circuitFor(name: string, main: string, root = REPO_ROOT): Circuit {
  const artifactsDir = path.join(root, "circuits", "artifacts", name);
  const verifierContract = `${pascalCase(name)}Verifier`;
  return {
    name,
    main,
    buildDir: path.join(root, "build", "circuits", name),
    artifactsDir,
    wasm: path.join(artifactsDir, `${name}.wasm`),
    zkey: path.join(artifactsDir, `${name}_final.zkey`),
    vkey: path.join(artifactsDir, "verification_key.json"),
    r1cs: path.join(artifactsDir, `${name}.r1cs`),
    manifest: path.join(artifactsDir, "manifest.json"),
    verifier: path.join(root, "contracts", "verifiers", "generated", `${verifierContract}.sol`),
    verifierContract,
  };
}

/** Every circuits/<dir>/main_<name>.circom, named by <name>. */
export function listCircuits(root = REPO_ROOT): Circuit[] {
  const circuitsDir = path.join(root, "circuits");
  const found: Circuit[] = [];
  for (const dir of fs.readdirSync(circuitsDir, { withFileTypes: true })) {
    if (!dir.isDirectory() || dir.name === "artifacts") continue;
    for (const file of fs.readdirSync(path.join(circuitsDir, dir.name)).sort()) {
      const match = /^main_(\w+)\.circom$/.exec(file);
      if (!match) continue;
      const main = path.join(circuitsDir, dir.name, file);
      const clash = found.find((c) => c.name === match[1]);
      if (clash) throw new CircuitsError(`two circuits are named "${match[1]}": ${rel(clash.main)} and ${rel(main)}`);
      found.push(circuitFor(match[1], main, root));
    }
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/** The circuits named on the command line, or all of them. */
export function selectCircuits(names: string[]): Circuit[] {
  const all = listCircuits();
  if (names.length === 0) return all;
  return names.map((name) => {
    const circuit = all.find((c) => c.name === name);
    if (!circuit) {
      throw new CircuitsError(`no circuit "${name}"; known: ${all.map((c) => c.name).join(", ") || "none"}`);
    }
    return circuit;
  });
}

export function rel(file: string): string {
  return path.relative(REPO_ROOT, file).split(path.sep).join("/");
}

export function pascalCase(name: string): string {
  return name
    .split(/[^a-zA-Z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join("");
}

export function sha256(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

export function sha256File(file: string): string {
  return sha256(fs.readFileSync(file));
}

export function packageVersion(name: string): string {
  const file = path.join(LIBRARY_DIR, name, "package.json");
  return (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version;
}

// ---------------------------------------------------------------------------------------------
// circom2

export interface BuildOutputs {
  r1cs: string;
  wasm: string;
  sym: string;
}

export function buildOutputs(main: string, outDir: string): BuildOutputs {
  const base = path.basename(main, ".circom");
  return {
    r1cs: path.join(outDir, `${base}.r1cs`),
    wasm: path.join(outDir, `${base}_js`, `${base}.wasm`),
    sym: path.join(outDir, `${base}.sym`),
  };
}

function circomCommand(main: string, outDir: string): string[] {
  return [rel(main), "--r1cs", "--wasm", "--sym", "--O2", "-l", "node_modules", "-o", path.relative(REPO_ROOT, outDir)];
}

/** Compiles one main file with circom2 (circom 2.2.3 in WebAssembly) into outDir. */
export function compileCircom(main: string, outDir: string): BuildOutputs {
  fs.mkdirSync(outDir, { recursive: true });
  const args = circomCommand(main, outDir);
  // The package's cli.js is what `npx circom2` runs; calling it directly skips npx's start-up and its warnings.
  const result = spawnSync(process.execPath, [require.resolve("circom2/cli.js"), ...args], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  });
  if (result.error) throw new CircuitsError(`could not start circom2: ${result.error.message}`);
  if (result.status !== 0) {
    const output = stripAnsi(`${result.stderr}\n${result.stdout}`);
    const lines = output.split("\n").map((l) => l.trim());
    const first = lines.find((l) => /^error/i.test(l)) ?? lines.find((l) => l.length > 0) ?? "no output";
    throw new CircuitsError(`circom2 failed on ${rel(main)}: ${first} (full report: npx circom2 ${args.join(" ")})`);
  }
  const outputs = buildOutputs(main, outDir);
  if (!fs.existsSync(outputs.r1cs) || !fs.existsSync(outputs.wasm)) {
    throw new CircuitsError(`circom2 reported success on ${rel(main)} but wrote no r1cs/wasm in ${rel(outDir)}`);
  }
  return outputs;
}

export function circomVersion(): string {
  const result = spawnSync(process.execPath, [require.resolve("circom2/cli.js"), "--version"], { encoding: "utf8" });
  const match = /circom compiler (\S+)/.exec(result.stdout ?? "");
  return match ? match[1] : "unknown";
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}

/**
 * The main file and every file it includes, transitively, resolved the way circom does (beside the
 * including file first, then the -l library dir), as repo-relative path -> sha256.
 */
export function circuitSources(main: string): Record<string, string> {
  const seen = new Map<string, string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    const text = fs.readFileSync(file, "utf8");
    seen.set(file, sha256(text));
    const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
    for (const match of code.matchAll(/\binclude\s+"([^"]+)"\s*;/g)) {
      const candidates = [path.resolve(path.dirname(file), match[1]), path.resolve(LIBRARY_DIR, match[1])];
      const found = candidates.find((c) => fs.existsSync(c));
      if (!found) throw new CircuitsError(`${rel(file)} includes "${match[1]}", which was not found`);
      visit(found);
    }
  };
  visit(main);
  return Object.fromEntries([...seen].map(([file, hash]) => [rel(file), hash]).sort(([a], [b]) => a.localeCompare(b)));
}

/** Written next to the build outputs so setup can tell whether the build is current. */
export interface BuildStamp {
  main: string;
  sources: Record<string, string>;
}

export function buildStampPath(circuit: Circuit): string {
  return path.join(circuit.buildDir, "build.json");
}

/** Compiles into build/circuits/<name>/ from a clean directory. */
export function buildCircuit(circuit: Circuit): BuildOutputs {
  fs.rmSync(circuit.buildDir, { recursive: true, force: true });
  const outputs = compileCircom(circuit.main, circuit.buildDir);
  const stamp: BuildStamp = { main: rel(circuit.main), sources: circuitSources(circuit.main) };
  fs.writeFileSync(buildStampPath(circuit), `${JSON.stringify(stamp, null, 2)}\n`);
  return outputs;
}

/** True when build/circuits/<name>/ holds outputs compiled from the current sources. */
export function isBuildCurrent(circuit: Circuit): boolean {
  const outputs = buildOutputs(circuit.main, circuit.buildDir);
  if (!fs.existsSync(outputs.r1cs) || !fs.existsSync(outputs.wasm) || !fs.existsSync(buildStampPath(circuit))) {
    return false;
  }
  const stamp = JSON.parse(fs.readFileSync(buildStampPath(circuit), "utf8")) as BuildStamp;
  return JSON.stringify(stamp.sources) === JSON.stringify(circuitSources(circuit.main));
}

// ---------------------------------------------------------------------------------------------
// Powers of tau and constraint counts

export interface PtauInfo {
  power: number;
  ceremonyPower: number;
  /** Has the Lagrange sections `snarkjs powersoftau prepare phase2` adds; Groth16 setup needs them. */
  preparedForPhase2: boolean;
}

/** Reads only the section table and header of a .ptau file (it can be gigabytes). */
export function readPtauInfo(file: string): PtauInfo {
  const fd = fs.openSync(file, "r");
  try {
    const size = fs.fstatSync(fd).size;
    const read = (position: number, length: number): Buffer => {
      const buffer = Buffer.alloc(length);
      if (position + length > size || fs.readSync(fd, buffer, 0, length, position) !== length) {
        throw new CircuitsError(`${file} is truncated or not a powers-of-tau file`);
      }
      return buffer;
    };
    const head = read(0, 12);
    if (head.toString("latin1", 0, 4) !== "ptau")
      throw new CircuitsError(`${file} is not a powers-of-tau (.ptau) file`);
    const sections = new Map<number, number>();
    let position = 12;
    for (let i = 0; i < head.readUInt32LE(8); i++) {
      const entry = read(position, 12);
      const sectionSize = Number(entry.readBigUInt64LE(4));
      sections.set(entry.readUInt32LE(0), position + 12);
      position += 12 + sectionSize;
    }
    const header = sections.get(1);
    if (header === undefined) throw new CircuitsError(`${file} has no header section`);
    const n8 = read(header, 4).readUInt32LE(0);
    const powers = read(header + 4 + n8, 8);
    return {
      power: powers.readUInt32LE(0),
      ceremonyPower: powers.readUInt32LE(4),
      preparedForPhase2: sections.has(12),
    };
  } finally {
    fs.closeSync(fd);
  }
}

export interface ConstraintInfo {
  constraints: number;
  wires: number;
  publicInputs: number;
  privateInputs: number;
  outputs: number;
  /** Smallest ptau power whose domain holds the constraints plus one per public signal and one. */
  requiredPower: number;
}

export async function constraintInfo(r1csFile: string): Promise<ConstraintInfo> {
  const info = await snarkjs.r1cs.info(r1csFile);
  // Same domain size snarkjs' Groth16 setup picks (zkey_new.js).
  const domain = info.nConstraints + info.nPubInputs + info.nOutputs + 1;
  let requiredPower = 0;
  while (2 ** requiredPower < domain) requiredPower++;
  return {
    constraints: info.nConstraints,
    wires: info.nVars,
    publicInputs: info.nPubInputs,
    privateInputs: info.nPrvInputs,
    outputs: info.nOutputs,
    requiredPower,
  };
}

// ---------------------------------------------------------------------------------------------
// Command line

export function parseArgs(argv: string[], flags: string[]): { options: Record<string, string>; names: string[] } {
  const options: Record<string, string> = {};
  const names: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) {
      names.push(arg);
      continue;
    }
    const [flag, inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (!flags.includes(flag))
      throw new CircuitsError(`unknown option --${flag}; known: ${flags.map((f) => `--${f}`).join(", ")}`);
    const value = inline ?? argv[++i];
    if (value === undefined || value.startsWith("--")) throw new CircuitsError(`--${flag} needs a value`);
    options[flag] = value;
  }
  return { options, names };
}

export function seconds(startMs: number): string {
  return `${((Date.now() - startMs) / 1000).toFixed(1)} s`;
}

/** Runs a script body: one line on stderr and exit code 1 on failure, never a stack trace unless DEBUG is set. */
export function runMain(main: () => Promise<void>): void {
  main().then(
    // snarkjs keeps curve worker threads alive; exiting explicitly lets the script end.
    () => process.exit(0),
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      const prefix = error instanceof CircuitsError ? "error" : "unexpected error";
      console.error(`${prefix}: ${message.split("\n")[0]}`);
      if (process.env.DEBUG && error instanceof Error) console.error(error.stack);
      process.exit(1);
    },
  );
}
