// Compiles every circuits/*/main_*.circom (or the ones named) into build/circuits/<name>/.
// Usage: npm run circuits:build [-- <name>...]
import { buildCircuit, constraintInfo, parseArgs, rel, runMain, seconds, selectCircuits } from "./lib";

runMain(async () => {
  const { names } = parseArgs(process.argv.slice(2), []);
  for (const circuit of selectCircuits(names)) {
    const start = Date.now();
    const outputs = buildCircuit(circuit);
    const info = await constraintInfo(outputs.r1cs);
    console.log(
      `built ${circuit.name}: ${info.constraints} constraints, needs ptau power ${info.requiredPower}, ` +
        `${seconds(start)} -> ${rel(circuit.buildDir)}`,
    );
  }
});
