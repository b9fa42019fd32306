// Minimal types for the parts of snarkjs 0.7 this repo calls; snarkjs ships none.
declare module "snarkjs" {
  /** A file path, or an in-memory file that snarkjs fills (`{ type: "mem" }`). */
  export type FileRef = string | { type: "mem"; data?: Uint8Array };

  export interface Logger {
    debug(message: string): void;
    info(message: string): void;
    warn(message: string): void;
    error(message: string): void;
  }

  export type NumericString = string;

  export interface Groth16Proof {
    pi_a: [NumericString, NumericString, NumericString];
    pi_b: [[NumericString, NumericString], [NumericString, NumericString], [NumericString, NumericString]];
    pi_c: [NumericString, NumericString, NumericString];
    protocol: "groth16";
    curve: string;
  }

  export type PublicSignals = NumericString[];

  /** Verification key as exported by snarkjs; values are bigints until stringified. */
  export interface VerificationKey {
    protocol: string;
    curve: string;
    nPublic: number;
    [key: string]: unknown;
  }

  export type CircuitInput = Record<string, bigint | string | number | (bigint | string | number)[]>;

  export interface R1csInfo {
    nVars: number;
    nOutputs: number;
    nPubInputs: number;
    nPrvInputs: number;
    nLabels: number;
    nConstraints: number;
  }

  export const groth16: {
    fullProve(
      input: CircuitInput,
      wasmFile: FileRef,
      zkeyFile: FileRef,
      logger?: Logger,
    ): Promise<{ proof: Groth16Proof; publicSignals: PublicSignals }>;
    verify(vk: VerificationKey, publicSignals: PublicSignals, proof: Groth16Proof, logger?: Logger): Promise<boolean>;
    exportSolidityCallData(proof: Groth16Proof, publicSignals: PublicSignals): Promise<string>;
  };

  export const wtns: {
    calculate(input: CircuitInput, wasmFile: FileRef, wtnsFile: FileRef): Promise<void>;
    check(r1csFile: FileRef, wtnsFile: FileRef, logger: Logger): Promise<boolean>;
  };

  export const r1cs: {
    info(r1csFile: FileRef, logger?: Logger): Promise<R1csInfo>;
  };

  export const zKey: {
    /** Resolves to -1 (and logs an error) when the circuit does not fit the ptau or it is not prepared. */
    newZKey(r1csFile: FileRef, ptauFile: FileRef, zkeyFile: FileRef, logger?: Logger): Promise<unknown>;
    contribute(oldZkey: FileRef, newZkey: FileRef, name: string, entropy: string, logger?: Logger): Promise<Uint8Array>;
    /** Resolves to false (and logs an error) on a bad beacon. */
    beacon(
      oldZkey: FileRef,
      newZkey: FileRef,
      name: string,
      beaconHashHex: string,
      numIterationsExp: number,
      logger?: Logger,
    ): Promise<Uint8Array | false>;
    verifyFromR1cs(r1csFile: FileRef, ptauFile: FileRef, zkeyFile: FileRef, logger?: Logger): Promise<boolean>;
    exportVerificationKey(zkeyFile: FileRef, logger?: Logger): Promise<VerificationKey>;
    exportSolidityVerifier(zkeyFile: FileRef, templates: Record<string, string>, logger?: Logger): Promise<string>;
  };

  /** A curve object; only passed back to snarkjs. */
  export type Curve = { terminate(): Promise<void> };

  export const curves: {
    getCurveFromName(name: "bn128" | "bls12381"): Promise<Curve>;
  };

  export const powersOfTau: {
    newAccumulator(curve: Curve, power: number, ptauFile: string, logger?: Logger): Promise<unknown>;
    preparePhase2(oldPtauFile: string, newPtauFile: string, logger?: Logger): Promise<unknown>;
  };
}
