/**
 * 0G Storage's data layout (values from 0g-storage-contracts `contracts/utils/ZgsSpec.sol` and the 0G SDKs).
 * A sector (0G calls it a chunk or entry) is the merkle leaf; every other unit is a whole number of sectors.
 */

/** Bytes per sector; a sector's leaf is keccak256 of its 256 bytes (the last sector of a file is zero-padded). */
export const BYTES_PER_SECTOR = 256;
/** Sectors per seal: mining seals data 4 KiB at a time. */
export const SECTORS_PER_SEAL = 16;
/** Sectors per segment: the upload unit (256 KiB). */
export const SECTORS_PER_SEGMENT = 1024;
/** Bytes per segment. */
export const BYTES_PER_SEGMENT = BYTES_PER_SECTOR * SECTORS_PER_SEGMENT;
/** log2(SECTORS_PER_SEGMENT): the height of a full segment's subtree. */
export const SEGMENT_HEIGHT = 10;
/** Sectors a PoRA answer loads (256 KiB). */
export const SECTORS_PER_LOAD = 1024;
/** Bytes of the PoRA scratchpad. */
export const SCRATCHPAD_BYTES = 16 * 1024;
/** Sectors per pricing chunk (8 GiB): fees and mining rewards are accounted per chunk. */
export const SECTORS_PER_PRICE = 2 ** 25;
/** Bytes of a keccak256 digest. */
export const HASH_BYTES = 32;
/** Highest submission node the Flow accepts (2^40 sectors = 256 TiB). */
export const MAX_NODE_HEIGHT = 40;
