/**
 * The HTTP API between a disperser and a DA signer node: request and response shapes with their zod schemas.
 * Both sides import this file, so a field renamed on one side cannot silently break the other.
 *
 * Numbers that may exceed 2^53 (epochs, quorum ids, field elements) travel as decimal strings; row bytes as
 * base64; hashes as 0x-hex.
 */
import { z } from "zod";
import type { G1Sol, G2Sol } from "./core/bls";

const HEX32 = /^0x[0-9a-fA-F]{64}$/;
const DECIMAL = /^\d{1,78}$/;

export const hash32 = z.string().regex(HEX32, "must be a 0x-prefixed 32-byte hex string");
export const decimal = z.string().regex(DECIMAL, "must be a decimal integer string");
const index = z
  .number()
  .int()
  .min(0)
  .max(1 << 20);

export const g1Schema = z.strictObject({ X: decimal, Y: decimal });
export type G1Json = z.output<typeof g1Schema>;
/** A G2 point, each coordinate [imaginary, real] as the precompiles take it. */
export const g2Schema = z.strictObject({ X: z.tuple([decimal, decimal]), Y: z.tuple([decimal, decimal]) });
export type G2Json = z.output<typeof g2Schema>;

export const shapeSchema = z.strictObject({
  cols: index,
  dataRows: index,
  codedRows: index,
  rowDomain: index,
  blobLength: z.number().int().min(0),
});

/** Which blob a request is about: a data root paid for in one epoch and quorum. */
export const blobIdSchema = z.strictObject({
  dataRoot: hash32,
  epoch: decimal,
  quorumId: decimal,
});
export type BlobIdJson = z.output<typeof blobIdSchema>;

export const rowSchema = z.strictObject({
  index,
  /** The row's C scalars, 32 bytes big-endian each, base64. */
  data: z.string().min(1),
  /** KZG opening of the row against the commitment. */
  proof: g1Schema,
  /** Siblings from the row root up to the rows root, bottom first. */
  inclusion: z.array(hash32).max(32),
});
export type RowJson = z.output<typeof rowSchema>;

/** POST /v1/rows: the rows of one blob assigned to the signer. */
export const storeRowsRequestSchema = z.strictObject({
  blob: blobIdSchema,
  shape: shapeSchema,
  rowsRoot: hash32,
  commitment: g1Schema,
  degreeProof: g2Schema,
  rows: z.array(rowSchema).min(1).max(4096),
});
export type StoreRowsRequest = z.output<typeof storeRowsRequestSchema>;

export const storeRowsResponseSchema = z.strictObject({
  signer: z.string(),
  /** keccak256(abi.encode(pk1.X, pk1.Y)) of the signer's key. */
  pubkeyHash: hash32,
  /** σ = sk · H(commitMessage(dataRoot, epoch, quorumId, commitment)). */
  signature: g1Schema,
  stored: z.array(index),
});
export type StoreRowsResponse = z.output<typeof storeRowsResponseSchema>;

/** GET /v1/rows/:dataRoot/:epoch/:quorumId: what the signer holds of a blob. */
export const rowsResponseSchema = z.strictObject({
  blob: blobIdSchema,
  shape: shapeSchema,
  rowsRoot: hash32,
  commitment: g1Schema,
  degreeProof: g2Schema,
  rows: z.array(rowSchema),
});
export type RowsResponse = z.output<typeof rowsResponseSchema>;

/** Every error answer: a stable code (tests and clients match on it) and a message saying what to do. */
export const errorResponseSchema = z.strictObject({
  error: z.strictObject({ code: z.string(), message: z.string() }),
});

export type DaApiErrorCode =
  | "BAD_REQUEST"
  | "TOO_LARGE"
  | "NOT_PAID"
  | "NOT_MEMBER"
  | "NOT_ASSIGNED"
  | "BAD_SHAPE"
  | "BAD_ROOT"
  | "BAD_INCLUSION"
  | "BAD_DEGREE"
  | "BAD_COMMITMENT"
  | "CONFLICT"
  | "NOT_FOUND"
  | "UNAVAILABLE"
  | "INTERNAL";

export function g1ToJson(p: G1Sol): G1Json {
  return { X: p.X.toString(10), Y: p.Y.toString(10) };
}

export function g1FromJson(p: G1Json): G1Sol {
  return { X: BigInt(p.X), Y: BigInt(p.Y) };
}

export function g2ToJson(p: G2Sol): G2Json {
  return { X: [p.X[0].toString(10), p.X[1].toString(10)], Y: [p.Y[0].toString(10), p.Y[1].toString(10)] };
}

export function g2FromJson(p: G2Json): G2Sol {
  return { X: [BigInt(p.X[0]), BigInt(p.X[1])], Y: [BigInt(p.Y[0]), BigInt(p.Y[1])] };
}

export function bytesToBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

export function base64ToBytes(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, "base64"));
}
