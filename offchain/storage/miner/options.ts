import { z } from "zod";
import { booleanOption, integerOption } from "../../common/config";

const HASH = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** The `mine` section of a storage node's options: the PoRA miner (off unless enabled; it needs chain.keyFile). */
export const mineOptionsSchema = z.strictObject({
  /** Run the miner (`--mine`); the node's chain.keyFile (or privateKey) signs its transactions. */
  enabled: booleanOption().default(false),
  /** A miner id already registered by the key; unset: keccak256(abi.encode(key address, seed)), registered if new. */
  minerId: z.string().regex(HASH, "must be a 0x-prefixed 32-byte hex id").optional(),
  /** The seed registered with (0x-hex, 32 bytes at most). */
  seed: z
    .string()
    .regex(/^0x[0-9a-fA-F]{1,64}$/, "must be 0x-hex of at most 32 bytes")
    .default("0x01"),
  /** Who receives the rewards when the id is registered here (default: the key's address, which then claims). */
  beneficiary: z.string().regex(ADDRESS, "must be a 0x-prefixed address").optional(),
  /** Nonces the worker tries per pass; a pass ends early on an answer, a new context or the node's close. */
  maxNoncesPerPass: integerOption().min(1).max(10_000_000).default(2000),
  /** Most 256 KiB loads sealed and kept in the worker's memory (the first ones in flow order). */
  maxLoads: integerOption().min(1).default(4096),
  /** How often the held loads are read again while a context is mined (new uploads join the running context). */
  rescanMs: integerOption().min(100).default(30_000),
  /** Pause between passes when there is nothing to mine (no context, answered, nothing held). */
  intervalMs: integerOption().min(10).default(1000),
  /** Fix the current epoch's mining context (Flow.makeContext) when nobody has yet: Mine.submit needs it. */
  makeContext: booleanOption().default(true),
  /** Withdraw what ChunkRewards owes the key's address after each accepted answer (pull payment). */
  claim: booleanOption().default(true),
});

export type MineOptions = z.output<typeof mineOptionsSchema>;
