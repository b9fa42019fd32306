// Renders a Groth16 batch verifier from a circuit's verification_key.json: k proofs of one circuit checked
// in a single pairing product with Fiat–Shamir coefficients. snarkjs has no batch template, so this file is
// the template; setup writes the contract and check compares it byte for byte.
import fs from "node:fs";
import path from "node:path";
import { CircuitsError, REPO_ROOT, SOLIDITY_VERSION } from "./lib";

/** Circuits that get a batch verifier, and its contract name. */
export const BATCH_VERIFIERS: Readonly<Record<string, string>> = { settlement: "SettlementBatchVerifier" };

export interface BatchVerifierTarget {
  circuit: string;
  contract: string;
  /** contracts/verifiers/generated/<contract>.sol */
  file: string;
  /** circuits/artifacts/<circuit>/verification_key.json */
  vkey: string;
}

export function batchVerifierFor(circuit: string, root = REPO_ROOT): BatchVerifierTarget | undefined {
  const contract = BATCH_VERIFIERS[circuit];
  if (!contract) return undefined;
  return {
    circuit,
    contract,
    file: path.join(root, "contracts", "verifiers", "generated", `${contract}.sol`),
    vkey: path.join(root, "circuits", "artifacts", circuit, "verification_key.json"),
  };
}

interface VerificationKey {
  protocol: string;
  curve: string;
  nPublic: number;
  vk_alpha_1: string[];
  vk_beta_2: string[][];
  vk_gamma_2: string[][];
  vk_delta_2: string[][];
  IC: string[][];
}

function parseKey(text: string): VerificationKey {
  const vkey = JSON.parse(text) as VerificationKey;
  if (vkey.protocol !== "groth16" || vkey.curve !== "bn128") {
    throw new CircuitsError(`a batch verifier needs a groth16 key on bn128, not ${vkey.protocol} on ${vkey.curve}`);
  }
  if (vkey.IC.length !== vkey.nPublic + 1) {
    throw new CircuitsError(`the verification key has ${vkey.IC.length} IC points for ${vkey.nPublic} public signals`);
  }
  return vkey;
}

function g1(name: string, point: string[]): string[] {
  return [
    `    uint256 internal constant ${name}_X = ${point[0]};`,
    `    uint256 internal constant ${name}_Y = ${point[1]};`,
  ];
}

// snarkjs stores Fp2 elements as [c0, c1]; the pairing precompile takes (c1, c0).
function g2(name: string, point: string[][]): string[] {
  return [
    `    uint256 internal constant ${name}_X1 = ${point[0][1]};`,
    `    uint256 internal constant ${name}_X0 = ${point[0][0]};`,
    `    uint256 internal constant ${name}_Y1 = ${point[1][1]};`,
    `    uint256 internal constant ${name}_Y0 = ${point[1][0]};`,
  ];
}

/** The Solidity source of the batch verifier for `vkeyText` (verification_key.json), exactly as setup writes it. */
export function renderBatchVerifier(vkeyText: string, target: Pick<BatchVerifierTarget, "circuit" | "contract">) {
  const vkey = parseKey(vkeyText);
  const n = vkey.nPublic;
  const constants = [
    ...g1("ALPHA", vkey.vk_alpha_1),
    ...g2("BETA", vkey.vk_beta_2),
    ...g2("GAMMA", vkey.vk_gamma_2),
    ...g2("DELTA", vkey.vk_delta_2),
    ...vkey.IC.flatMap((point, i) => g1(`IC${i}`, point)),
  ].join("\n");
  const icTerms = Array.from(
    { length: n },
    (_, j) => `        if (!_addMul(acc, IC${j + 1}_X, IC${j + 1}_Y, sums[${j}])) return false;`,
  ).join("\n");
  const template = fs.readFileSync(path.join(__dirname, "templates", "batch_verifier.sol.tpl"), "utf8");
  const values: Record<string, string> = {
    CIRCUIT: target.circuit,
    CONTRACT: target.contract,
    SOLIDITY_VERSION,
    N_PUBLIC: String(n),
    CONSTANTS: constants,
    IC_TERMS: icTerms,
  };
  return template.replace(/\{\{(\w+)\}\}/g, (_m, key: string) => {
    const value = values[key];
    if (value === undefined) throw new CircuitsError(`batch verifier template names an unknown value {{${key}}}`);
    return value;
  });
}

/** Renders the target's contract from its committed verification key and writes it. */
export function writeBatchVerifier(target: BatchVerifierTarget): void {
  fs.mkdirSync(path.dirname(target.file), { recursive: true });
  fs.writeFileSync(target.file, renderBatchVerifier(fs.readFileSync(target.vkey, "utf8"), target));
}

/** Problems with the committed batch verifier: missing, or not what the committed verification key renders to. */
export function batchVerifierProblems(target: BatchVerifierTarget): string[] {
  if (!fs.existsSync(target.vkey)) return [`${target.circuit}: ${path.relative(REPO_ROOT, target.vkey)} is missing`];
  const expected = renderBatchVerifier(fs.readFileSync(target.vkey, "utf8"), target);
  const name = path.relative(REPO_ROOT, target.file).split(path.sep).join("/");
  if (!fs.existsSync(target.file)) return [`${target.circuit}: ${name} is missing`];
  if (fs.readFileSync(target.file, "utf8") !== expected) {
    return [`${target.circuit}: ${name} is not the batch verifier rendered from its verification key`];
  }
  return [];
}
