// The slice of ffjavascript 0.2.63 the DA encoder uses (the package ships no types). Buffers of field elements are
// 32-byte little-endian standard form; points are ffjavascript's internal Montgomery little-endian (LEM) affine form.
declare module "ffjavascript" {
  export interface WasmField {
    n8: number;
    fft(buff: Uint8Array): Promise<Uint8Array>;
    ifft(buff: Uint8Array): Promise<Uint8Array>;
  }
  export interface WasmCurveGroup {
    F: { n8: number };
    g: Uint8Array;
    zero: Uint8Array;
    multiExpAffine(bases: Uint8Array, scalars: Uint8Array): Promise<Uint8Array>;
    batchUtoLEM(buff: Uint8Array): Promise<Uint8Array>;
    batchLEMtoU(buff: Uint8Array): Promise<Uint8Array>;
    timesScalar(p: Uint8Array, s: bigint | Uint8Array): Uint8Array;
    add(a: Uint8Array, b: Uint8Array): Uint8Array;
    toAffine(p: Uint8Array): Uint8Array;
    isZero(p: Uint8Array): boolean;
    eq(a: Uint8Array, b: Uint8Array): boolean;
    toRprUncompressed(buff: Uint8Array, offset: number, p: Uint8Array): void;
    fromRprUncompressed(buff: Uint8Array, offset: number): Uint8Array;
    toRprLEM(buff: Uint8Array, offset: number, p: Uint8Array): void;
    fromRprLEM(buff: Uint8Array, offset: number): Uint8Array;
  }
  export interface Bn128 {
    Fr: WasmField;
    G1: WasmCurveGroup;
    G2: WasmCurveGroup;
    terminate(): Promise<void>;
  }
  export function buildBn128(singleThread?: boolean): Promise<Bn128>;
}
