import path from "node:path";
import * as snarkjs from "snarkjs";

const silent: snarkjs.Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** circom's witness generator prints failed asserts itself before throwing; a test only needs the throw. */
async function quietly<T>(run: () => Promise<T>): Promise<T> {
  const { error, log } = console;
  console.error = () => {};
  console.log = () => {};
  try {
    return await run();
  } finally {
    console.error = error;
    console.log = log;
  }
}

/**
 * A witness checker for the committed artifacts of circuit `name` in `artifactsDir`: it computes the witness and
 * checks it against every r1cs constraint, and answers null when both succeed, otherwise why not (the witness
 * generator names each template whose assert failed, innermost first).
 */
export function witnessChecker(artifactsDir: string, name: string) {
  const wasm = path.join(artifactsDir, `${name}.wasm`);
  const r1cs = path.join(artifactsDir, `${name}.r1cs`);
  return async (input: snarkjs.CircuitInput): Promise<string | null> => {
    const wtns: snarkjs.FileRef = { type: "mem" };
    try {
      await quietly(() => snarkjs.wtns.calculate(input, wasm, wtns));
    } catch (error) {
      return (error as Error).message;
    }
    return (await snarkjs.wtns.check(r1cs, wtns, silent)) ? null : "the witness does not satisfy the r1cs";
  };
}
