/** The manifest of an erasure-coded file: a small JSON Flow entry naming its shards. */
import { z } from "zod";
import { MAX_DATA_SHARDS, MAX_PARITY_SHARDS } from "./erasure";

const HASH = /^0x[0-9a-f]{64}$/;

export const MANIFEST_KIND = "zg-storage-ec";

export const manifestSchema = z.strictObject({
  kind: z.literal(MANIFEST_KIND),
  /** 1: shards coded whole; 2: coded in STRIPE_BYTES stripes (erasure.ts `codingStripe`). */
  version: z.union([z.literal(1), z.literal(2)]),
  k: z.number().int().min(1).max(MAX_DATA_SHARDS),
  m: z.number().int().min(1).max(MAX_PARITY_SHARDS),
  /** Bytes of the original file. */
  size: z.number().int().min(1),
  /** Core file root of the original bytes. */
  fileRoot: z.string().regex(HASH),
  /** Bytes of every shard (a multiple of 8). */
  shardSize: z.number().int().min(8).multipleOf(8),
  /** Data shards first, then parity; `node` is where the upload put it. */
  shards: z.array(
    z.strictObject({
      index: z.number().int().min(0),
      root: z.string().regex(HASH),
      size: z.number().int(),
      node: z.string(),
    }),
  ),
});
export type Manifest = z.output<typeof manifestSchema>;

export function manifestBytes(manifest: Manifest): Buffer {
  return Buffer.from(JSON.stringify(manifest));
}

/** The manifest in `bytes`, or undefined when they are not one (a plain file). */
export function parseManifest(bytes: Uint8Array): Manifest | undefined {
  if (bytes.length > 64 * 1024 || bytes[0] !== 0x7b) return undefined;
  try {
    const parsed = manifestSchema.safeParse(JSON.parse(Buffer.from(bytes).toString("utf8")));
    if (!parsed.success || parsed.data.shards.length !== parsed.data.k + parsed.data.m) return undefined;
    return parsed.data;
  } catch {
    return undefined;
  }
}
