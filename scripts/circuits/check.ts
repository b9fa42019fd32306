// Checks the committed circuit artifacts: sha256s against each manifest, verifier and verification key
// against the committed zkey (byte for byte), and the circuit source against the r1cs the key was made for.
// Usage: npm run circuits:check [-- <name>...]
import { CircuitsError, parseArgs, runMain, selectCircuits } from "./lib";
import { checkCircuit } from "./artifacts";

runMain(async () => {
  const { names } = parseArgs(process.argv.slice(2), []);
  const circuits = selectCircuits(names);
  if (circuits.length === 0) throw new CircuitsError("no circuits/*/main_*.circom found");
  const problems: string[] = [];
  for (const circuit of circuits) {
    const found = await checkCircuit(circuit, { recompile: true });
    if (found.length === 0) console.log(`ok ${circuit.name}`);
    problems.push(...found);
  }
  if (problems.length > 0) {
    for (const problem of problems.slice(0, -1)) console.error(`error: ${problem}`);
    throw new CircuitsError(`${problems[problems.length - 1]} (regenerate with npm run circuits:setup)`);
  }
});
