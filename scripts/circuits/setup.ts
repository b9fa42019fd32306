// Groth16 setup for every circuit (or the ones named): zkey from a prepared powers-of-tau file, one
// contribution with fresh random entropy, a beacon, then the verification key, the Solidity verifier
// and a manifest of sha256s. Writes circuits/artifacts/<name>/ and contracts/verifiers/generated/.
// Usage: npm run circuits:setup [-- --ptau <file>] [-- <name>...]
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import * as snarkjs from "snarkjs";
import {
  buildCircuit,
  buildOutputs,
  type Circuit,
  type ConstraintInfo,
  circomVersion,
  circuitSources,
  CircuitsError,
  constraintInfo,
  DEFAULT_PTAU,
  isBuildCurrent,
  MAX_COMMITTED_R1CS_BYTES,
  packageVersion,
  parseArgs,
  type PtauInfo,
  readPtauInfo,
  rel,
  runMain,
  seconds,
  selectCircuits,
  sha256File,
} from "./lib";
import { type Manifest, renderVerificationKey, renderVerifier } from "./artifacts";
import { batchVerifierFor, writeBatchVerifier } from "./batchVerifier";

// 2^10 hash iterations: snarkjs' minimum, enough for a dev key whose beacon is not a public value anyway.
const BEACON_ITERATIONS_EXP = 10;

/** Collects snarkjs' error lines so a failed step can say why in one line. */
function collectingLogger(errors: string[]): snarkjs.Logger {
  return { debug: () => {}, info: () => {}, warn: () => {}, error: (message) => errors.push(message) };
}

function resolvePtau(option: string | undefined): { file: string; info: PtauInfo } {
  const file = option ? path.resolve(option) : DEFAULT_PTAU;
  if (!fs.existsSync(file)) {
    throw new CircuitsError(
      option
        ? `ptau file not found: ${file}`
        : `no --ptau given and the dev file ${path.relative(process.cwd(), file)} is not there; pass --ptau <prepared .ptau file>`,
    );
  }
  const info = readPtauInfo(file);
  if (!info.preparedForPhase2) {
    throw new CircuitsError(`${file} is not prepared for phase 2; run snarkjs powersoftau prepare phase2 on it first`);
  }
  return { file, info };
}

/** Builds the circuit if its build is stale and refuses it when the ptau is too small for it. */
async function prepareCircuit(circuit: Circuit, ptau: { file: string; info: PtauInfo }): Promise<ConstraintInfo> {
  if (!isBuildCurrent(circuit)) {
    const started = Date.now();
    buildCircuit(circuit);
    console.log(`${circuit.name}: compiled in ${seconds(started)}`);
  }
  const constraints = await constraintInfo(buildOutputs(circuit.main, circuit.buildDir).r1cs);
  if (constraints.requiredPower > ptau.info.power) {
    throw new CircuitsError(
      `${circuit.name} has ${constraints.constraints} constraints and needs a ptau of power ${constraints.requiredPower} ` +
        `or more; ${path.basename(ptau.file)} has power ${ptau.info.power}`,
    );
  }
  return constraints;
}

async function setupCircuit(
  circuit: Circuit,
  constraints: ConstraintInfo,
  ptau: { file: string; info: PtauInfo },
  ptauSha256: string,
) {
  const started = Date.now();
  const built = buildOutputs(circuit.main, circuit.buildDir);
  const nPublic = constraints.publicInputs + constraints.outputs;

  // Everything is made in a staging dir and moved into place last, so a failed run leaves the
  // committed artifacts as they were.
  const staging = path.join(circuit.buildDir, "setup");
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  const errors: string[] = [];
  const logger = collectingLogger(errors);
  const zkey0 = path.join(staging, `${circuit.name}_0000.zkey`);
  const zkey1 = path.join(staging, `${circuit.name}_0001.zkey`);
  const finalZkey = path.join(staging, path.basename(circuit.zkey));

  const steps: string[] = [];
  const timed = async <T>(label: string, run: () => Promise<T>): Promise<T> => {
    const start = Date.now();
    const result = await run();
    steps.push(`${label} ${seconds(start)}`);
    return result;
  };
  if ((await timed("setup", () => snarkjs.zKey.newZKey(built.r1cs, ptau.file, zkey0, logger))) === -1) {
    throw new CircuitsError(`${circuit.name}: Groth16 setup failed: ${errors.join("; ") || "snarkjs gave no reason"}`);
  }
  // Fresh entropy that is never stored: whoever knows every contribution could forge proofs.
  const entropy = randomBytes(32).toString("hex");
  await timed("contribution", () => snarkjs.zKey.contribute(zkey0, zkey1, "zg dev contribution", entropy, logger));
  const beaconHash = randomBytes(32).toString("hex");
  const beacon = () =>
    snarkjs.zKey.beacon(zkey1, finalZkey, "zg final beacon", beaconHash, BEACON_ITERATIONS_EXP, logger);
  if ((await timed("beacon", beacon)) === false) {
    throw new CircuitsError(`${circuit.name}: beacon failed: ${errors.join("; ")}`);
  }
  if (!(await timed("verify", () => snarkjs.zKey.verifyFromR1cs(built.r1cs, ptau.file, finalZkey, logger)))) {
    throw new CircuitsError(
      `${circuit.name}: the new zkey does not verify against r1cs and ptau: ${errors.join("; ")}`,
    );
  }
  console.log(`${circuit.name}: zkey made: ${steps.join(", ")}`);

  const step = Date.now();
  const verifier = await renderVerifier(finalZkey, circuit);
  const vkey = await renderVerificationKey(finalZkey);
  fs.writeFileSync(path.join(staging, path.basename(circuit.vkey)), vkey);
  fs.copyFileSync(built.wasm, path.join(staging, path.basename(circuit.wasm)));
  const commitR1cs = fs.statSync(built.r1cs).size <= MAX_COMMITTED_R1CS_BYTES;
  if (commitR1cs) fs.copyFileSync(built.r1cs, path.join(staging, path.basename(circuit.r1cs)));
  fs.rmSync(zkey0);
  fs.rmSync(zkey1);

  // Move into place: the artifacts dir is replaced whole so no stale file survives.
  fs.rmSync(circuit.artifactsDir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(circuit.artifactsDir), { recursive: true });
  fs.renameSync(staging, circuit.artifactsDir);
  fs.mkdirSync(path.dirname(circuit.verifier), { recursive: true });
  fs.writeFileSync(circuit.verifier, verifier);
  const batch = batchVerifierFor(circuit.name);
  if (batch) {
    writeBatchVerifier(batch);
    console.log(`${circuit.name}: ${rel(batch.file)} rendered from ${rel(batch.vkey)}`);
  }

  const entry = (file: string) => ({ path: rel(file), sha256: sha256File(file) });
  const manifest: Manifest = {
    circuit: circuit.name,
    main: rel(circuit.main),
    generated: new Date().toISOString(),
    generatedBy: "npm run circuits:setup",
    tools: {
      circom: circomVersion(),
      circom2: packageVersion("circom2"),
      snarkjs: packageVersion("snarkjs"),
      circomlib: packageVersion("circomlib"),
    },
    ptau: { file: path.basename(ptau.file), power: ptau.info.power, sha256: ptauSha256 },
    constraints,
    publicSignals: publicSignalNames(built.sym, nPublic),
    beacon: { hash: beaconHash, iterationsExp: BEACON_ITERATIONS_EXP },
    sources: circuitSources(circuit.main),
    r1csSha256: sha256File(built.r1cs),
    files: {
      wasm: entry(circuit.wasm),
      zkey: entry(circuit.zkey),
      vkey: entry(circuit.vkey),
      ...(commitR1cs ? { r1cs: entry(circuit.r1cs) } : {}),
      verifier: entry(circuit.verifier),
    },
  };
  fs.writeFileSync(circuit.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(
    `${circuit.name}: ${constraints.constraints} constraints, ${rel(circuit.artifactsDir)}/ and ${rel(circuit.verifier)} ` +
      `written in ${seconds(step)} (total ${seconds(started)})`,
  );
}

/** Names of the public signals in the order the verifier takes them (wires 1..nPublic in the .sym file). */
function publicSignalNames(symFile: string, nPublic: number): string[] {
  const names: string[] = [];
  for (const line of fs.readFileSync(symFile, "utf8").split("\n")) {
    // labelId,wireId,componentId,name
    const [, wire, , name] = line.split(",");
    const index = Number(wire);
    if (index >= 1 && index <= nPublic && name) names[index - 1] = name.replace(/^main\./, "");
  }
  return names;
}

runMain(async () => {
  const { options, names } = parseArgs(process.argv.slice(2), ["ptau"]);
  const ptau = resolvePtau(options.ptau);
  const circuits = selectCircuits(names);
  if (circuits.length === 0) throw new CircuitsError("no circuits/*/main_*.circom found");
  // All circuits are built and sized first, so a too-small ptau stops the run before any key is replaced.
  const sized: [Circuit, ConstraintInfo][] = [];
  for (const circuit of circuits) sized.push([circuit, await prepareCircuit(circuit, ptau)]);
  const ptauSha256 = sha256File(ptau.file);
  console.log(`ptau ${path.basename(ptau.file)}: power ${ptau.info.power}`);
  for (const [circuit, constraints] of sized) await setupCircuit(circuit, constraints, ptau, ptauSha256);
});
