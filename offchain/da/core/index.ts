/** The DA encoder core: pure functions over blobs, rows, KZG and roots (`docs/da-encoding.md`). */
import { initBls } from "./bls";
import { getCurve } from "./field";
import { loadHashers } from "../../storage/core/hash";

export * from "./field";
export * from "./srs";
export * from "./kzg";
export * from "./rows";
export * from "./encoder";
export type { G1Sol, G2Sol } from "./bls";

/** Loads the WebAssembly modules the core needs (keccak, mcl, ffjavascript) once; every entry point also does. */
export async function initDaCore(): Promise<void> {
  await Promise.all([loadHashers(), initBls(), getCurve()]);
}
