// What every circuit's prover shares: proving from committed artifacts, and the verifier's calldata layout.
import fs from "node:fs";
import path from "node:path";
import * as snarkjs from "snarkjs";

export interface Groth16Proof {
  proof: snarkjs.Groth16Proof;
  publicSignals: string[];
}

/** Arguments of a generated verifier's `verifyProof(uint[2] a, uint[2][2] b, uint[2] c, uint[N] pub)`. */
export interface Groth16Calldata {
  a: [bigint, bigint];
  b: [[bigint, bigint], [bigint, bigint]];
  c: [bigint, bigint];
  pub: bigint[];
}

/**
 * Proves `input` with `<dir>/<name>.wasm` and `<dir>/<name>_final.zkey`. Failures become `fail(message)`, so each
 * circuit keeps its own error type; the witness generator stops at the first failed constraint, and its first
 * line says which.
 */
export async function proveWithArtifacts(
  name: string,
  input: snarkjs.CircuitInput,
  artifactsDir: string,
  fail: (message: string, cause?: unknown) => Error,
): Promise<Groth16Proof> {
  const wasm = path.join(artifactsDir, `${name}.wasm`);
  const zkey = path.join(artifactsDir, `${name}_final.zkey`);
  for (const file of [wasm, zkey]) {
    if (!fs.existsSync(file)) throw fail(`${file} is missing; run npm run circuits:setup -- ${name}`);
  }
  try {
    return await snarkjs.groth16.fullProve(input, wasm, zkey);
  } catch (error) {
    const reason = (error as Error).message.split("\n")[0];
    throw fail(`the ${name} circuit refused this input (${reason})`, error);
  }
}

/** The verifier's arguments for a proof; G2 coordinates go to the EVM as (c1, c0). */
export function toGroth16Calldata(proof: snarkjs.Groth16Proof, publicSignals: string[]): Groth16Calldata {
  const n = (value: string): bigint => BigInt(value);
  return {
    a: [n(proof.pi_a[0]), n(proof.pi_a[1])],
    b: [
      [n(proof.pi_b[0][1]), n(proof.pi_b[0][0])],
      [n(proof.pi_b[1][1]), n(proof.pi_b[1][0])],
    ],
    c: [n(proof.pi_c[0]), n(proof.pi_c[1])],
    pub: publicSignals.map(n),
  };
}
