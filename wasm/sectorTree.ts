// keccak256 merkle roots of 256-byte sectors in one WebAssembly call.
//
// A storage segment is 1024 sectors: hashing its tree through a general-purpose hasher costs 2047 crossings from
// JavaScript, each with its own init, copy and digest. Here the whole promote-odd tree (0G's layout, the same as
// `buildLevels` in offchain/storage/core/merkle.ts) is hashed in one call with the sponge state in locals.
// WebAssembly loads are little-endian, as keccak's lanes are, so 8 input bytes are one lane as they stand.
// Hashes of one level are independent, so they go two at a time through one 128-bit SIMD permutation (lane 0 one
// hash, lane 1 the other); a level's odd one out takes the scalar permutation.
// Built by `npm run wasm:build` (AssemblyScript); checked against hash-wasm by test/storage/sectorTree.test.ts.

const SECTOR_BYTES: usize = 256;
const MAX_SECTORS: usize = 1024;
const RATE_LANES: usize = 17; // keccak256: a 136-byte rate

// Fixed layout above the static data: the sponge state, then the caller's sectors, then the tree's leaves.
const STATE: usize = (__heap_base + 15) & ~(<usize>15);
const STATE2: usize = STATE + 256; // two states, lane by lane: 25 × 16 bytes
const INPUT: usize = STATE2 + 400;
const LEAVES: usize = INPUT + MAX_SECTORS * SECTOR_BYTES;
const END: usize = LEAVES + MAX_SECTORS * 32;

const RC: StaticArray<u64> = [
  0x0000000000000001, 0x0000000000008082, 0x800000000000808a, 0x8000000080008000, 0x000000000000808b,
  0x0000000080000001, 0x8000000080008081, 0x8000000000008009, 0x000000000000008a, 0x0000000000000088,
  0x0000000080008009, 0x000000008000000a, 0x000000008000808b, 0x800000000000008b, 0x8000000000008089,
  0x8000000000008003, 0x8000000000008002, 0x8000000000000080, 0x000000000000800a, 0x800000008000000a,
  0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
];

/** Where the caller writes up to 1024 sectors; grows the memory on the first call. */
export function input(): usize {
  const have = (<usize>memory.size()) << 16;
  if (END > have) memory.grow(<i32>((END - have + 0xffff) >> 16));
  return INPUT;
}

/** The largest sector count `root` takes. */
export function maxSectors(): usize {
  return MAX_SECTORS;
}

/** keccak-f[1600] on the state at STATE: lane x + 5y is a<x><y>; theta, rho and pi, chi, iota unrolled per round. */
function permute(): void {
  let a00 = load<u64>(STATE, 0);
  let a10 = load<u64>(STATE, 8);
  let a20 = load<u64>(STATE, 16);
  let a30 = load<u64>(STATE, 24);
  let a40 = load<u64>(STATE, 32);
  let a01 = load<u64>(STATE, 40);
  let a11 = load<u64>(STATE, 48);
  let a21 = load<u64>(STATE, 56);
  let a31 = load<u64>(STATE, 64);
  let a41 = load<u64>(STATE, 72);
  let a02 = load<u64>(STATE, 80);
  let a12 = load<u64>(STATE, 88);
  let a22 = load<u64>(STATE, 96);
  let a32 = load<u64>(STATE, 104);
  let a42 = load<u64>(STATE, 112);
  let a03 = load<u64>(STATE, 120);
  let a13 = load<u64>(STATE, 128);
  let a23 = load<u64>(STATE, 136);
  let a33 = load<u64>(STATE, 144);
  let a43 = load<u64>(STATE, 152);
  let a04 = load<u64>(STATE, 160);
  let a14 = load<u64>(STATE, 168);
  let a24 = load<u64>(STATE, 176);
  let a34 = load<u64>(STATE, 184);
  let a44 = load<u64>(STATE, 192);
  for (let i = 0; i < 24; i++) {
    const c0 = a00 ^ a01 ^ a02 ^ a03 ^ a04;
    const c1 = a10 ^ a11 ^ a12 ^ a13 ^ a14;
    const c2 = a20 ^ a21 ^ a22 ^ a23 ^ a24;
    const c3 = a30 ^ a31 ^ a32 ^ a33 ^ a34;
    const c4 = a40 ^ a41 ^ a42 ^ a43 ^ a44;
    const d0 = c4 ^ rotl<u64>(c1, 1);
    const d1 = c0 ^ rotl<u64>(c2, 1);
    const d2 = c1 ^ rotl<u64>(c3, 1);
    const d3 = c2 ^ rotl<u64>(c4, 1);
    const d4 = c3 ^ rotl<u64>(c0, 1);
    const b00 = a00 ^ d0;
    const b13 = rotl<u64>(a01 ^ d0, 36);
    const b21 = rotl<u64>(a02 ^ d0, 3);
    const b34 = rotl<u64>(a03 ^ d0, 41);
    const b42 = rotl<u64>(a04 ^ d0, 18);
    const b02 = rotl<u64>(a10 ^ d1, 1);
    const b10 = rotl<u64>(a11 ^ d1, 44);
    const b23 = rotl<u64>(a12 ^ d1, 10);
    const b31 = rotl<u64>(a13 ^ d1, 45);
    const b44 = rotl<u64>(a14 ^ d1, 2);
    const b04 = rotl<u64>(a20 ^ d2, 62);
    const b12 = rotl<u64>(a21 ^ d2, 6);
    const b20 = rotl<u64>(a22 ^ d2, 43);
    const b33 = rotl<u64>(a23 ^ d2, 15);
    const b41 = rotl<u64>(a24 ^ d2, 61);
    const b01 = rotl<u64>(a30 ^ d3, 28);
    const b14 = rotl<u64>(a31 ^ d3, 55);
    const b22 = rotl<u64>(a32 ^ d3, 25);
    const b30 = rotl<u64>(a33 ^ d3, 21);
    const b43 = rotl<u64>(a34 ^ d3, 56);
    const b03 = rotl<u64>(a40 ^ d4, 27);
    const b11 = rotl<u64>(a41 ^ d4, 20);
    const b24 = rotl<u64>(a42 ^ d4, 39);
    const b32 = rotl<u64>(a43 ^ d4, 8);
    const b40 = rotl<u64>(a44 ^ d4, 14);
    a00 = b00 ^ (~b10 & b20);
    a10 = b10 ^ (~b20 & b30);
    a20 = b20 ^ (~b30 & b40);
    a30 = b30 ^ (~b40 & b00);
    a40 = b40 ^ (~b00 & b10);
    a01 = b01 ^ (~b11 & b21);
    a11 = b11 ^ (~b21 & b31);
    a21 = b21 ^ (~b31 & b41);
    a31 = b31 ^ (~b41 & b01);
    a41 = b41 ^ (~b01 & b11);
    a02 = b02 ^ (~b12 & b22);
    a12 = b12 ^ (~b22 & b32);
    a22 = b22 ^ (~b32 & b42);
    a32 = b32 ^ (~b42 & b02);
    a42 = b42 ^ (~b02 & b12);
    a03 = b03 ^ (~b13 & b23);
    a13 = b13 ^ (~b23 & b33);
    a23 = b23 ^ (~b33 & b43);
    a33 = b33 ^ (~b43 & b03);
    a43 = b43 ^ (~b03 & b13);
    a04 = b04 ^ (~b14 & b24);
    a14 = b14 ^ (~b24 & b34);
    a24 = b24 ^ (~b34 & b44);
    a34 = b34 ^ (~b44 & b04);
    a44 = b44 ^ (~b04 & b14);

    a00 ^= unchecked(RC[i]);
  }
  store<u64>(STATE, a00, 0);
  store<u64>(STATE, a10, 8);
  store<u64>(STATE, a20, 16);
  store<u64>(STATE, a30, 24);
  store<u64>(STATE, a40, 32);
  store<u64>(STATE, a01, 40);
  store<u64>(STATE, a11, 48);
  store<u64>(STATE, a21, 56);
  store<u64>(STATE, a31, 64);
  store<u64>(STATE, a41, 72);
  store<u64>(STATE, a02, 80);
  store<u64>(STATE, a12, 88);
  store<u64>(STATE, a22, 96);
  store<u64>(STATE, a32, 104);
  store<u64>(STATE, a42, 112);
  store<u64>(STATE, a03, 120);
  store<u64>(STATE, a13, 128);
  store<u64>(STATE, a23, 136);
  store<u64>(STATE, a33, 144);
  store<u64>(STATE, a43, 152);
  store<u64>(STATE, a04, 160);
  store<u64>(STATE, a14, 168);
  store<u64>(STATE, a24, 176);
  store<u64>(STATE, a34, 184);
  store<u64>(STATE, a44, 192);
}

function clearState(): void {
  memory.fill(STATE, 0, 200);
}

// XORs `lanes` lanes from `src` into the state from lane `at` on.
function absorb(src: usize, at: usize, lanes: usize): void {
  const to = STATE + 8 * at;
  for (let i: usize = 0; i < lanes; i++) store<u64>(to + 8 * i, load<u64>(to + 8 * i) ^ load<u64>(src + 8 * i));
}

// keccak's pad10*1 on a block that ends `lanes` lanes in: 0x01 after the message, 0x80 in the rate's last byte.
function padAndPermute(lanes: usize): void {
  store<u64>(STATE + 8 * lanes, load<u64>(STATE + 8 * lanes) ^ 0x01);
  store<u64>(STATE + 8 * (RATE_LANES - 1), load<u64>(STATE + 8 * (RATE_LANES - 1)) ^ 0x8000000000000000);
  permute();
}

/** keccak256 of the 256 bytes at `src` into the 32 bytes at `dst`: one full block, then 120 bytes and the pad. */
function hashSector(src: usize, dst: usize): void {
  clearState();
  absorb(src, 0, RATE_LANES);
  permute();
  absorb(src + RATE_LANES * 8, 0, 15);
  padAndPermute(15);
  memory.copy(dst, STATE, 32);
}

/** keccak256(left ‖ right) of two 32-byte hashes into `dst` (which may be `left`). */
function hashPair(left: usize, right: usize, dst: usize): void {
  clearState();
  absorb(left, 0, 4);
  absorb(right, 4, 4);
  padAndPermute(8);
  memory.copy(dst, STATE, 32);
}

/**
 * keccak-f[1600] on the two states at STATE2: the same steps as `permute`, on both lanes of each v128. SIMD has no
 * 64-bit rotate: each is two shifts and an or.
 */
function permute2(): void {
  let a00 = v128.load(STATE2, 0);
  let a10 = v128.load(STATE2, 16);
  let a20 = v128.load(STATE2, 32);
  let a30 = v128.load(STATE2, 48);
  let a40 = v128.load(STATE2, 64);
  let a01 = v128.load(STATE2, 80);
  let a11 = v128.load(STATE2, 96);
  let a21 = v128.load(STATE2, 112);
  let a31 = v128.load(STATE2, 128);
  let a41 = v128.load(STATE2, 144);
  let a02 = v128.load(STATE2, 160);
  let a12 = v128.load(STATE2, 176);
  let a22 = v128.load(STATE2, 192);
  let a32 = v128.load(STATE2, 208);
  let a42 = v128.load(STATE2, 224);
  let a03 = v128.load(STATE2, 240);
  let a13 = v128.load(STATE2, 256);
  let a23 = v128.load(STATE2, 272);
  let a33 = v128.load(STATE2, 288);
  let a43 = v128.load(STATE2, 304);
  let a04 = v128.load(STATE2, 320);
  let a14 = v128.load(STATE2, 336);
  let a24 = v128.load(STATE2, 352);
  let a34 = v128.load(STATE2, 368);
  let a44 = v128.load(STATE2, 384);
  for (let i = 0; i < 24; i++) {
    const c0 = v128.xor(v128.xor(v128.xor(v128.xor(a00, a01), a02), a03), a04);
    const c1 = v128.xor(v128.xor(v128.xor(v128.xor(a10, a11), a12), a13), a14);
    const c2 = v128.xor(v128.xor(v128.xor(v128.xor(a20, a21), a22), a23), a24);
    const c3 = v128.xor(v128.xor(v128.xor(v128.xor(a30, a31), a32), a33), a34);
    const c4 = v128.xor(v128.xor(v128.xor(v128.xor(a40, a41), a42), a43), a44);
    const d0 = v128.xor(c4, v128.or(i64x2.shl(c1, 1), i64x2.shr_u(c1, 63)));
    const d1 = v128.xor(c0, v128.or(i64x2.shl(c2, 1), i64x2.shr_u(c2, 63)));
    const d2 = v128.xor(c1, v128.or(i64x2.shl(c3, 1), i64x2.shr_u(c3, 63)));
    const d3 = v128.xor(c2, v128.or(i64x2.shl(c4, 1), i64x2.shr_u(c4, 63)));
    const d4 = v128.xor(c3, v128.or(i64x2.shl(c0, 1), i64x2.shr_u(c0, 63)));
    const b00 = v128.xor(a00, d0);
    const t13 = v128.xor(a01, d0);
    const b13 = v128.or(i64x2.shl(t13, 36), i64x2.shr_u(t13, 28));
    const t21 = v128.xor(a02, d0);
    const b21 = v128.or(i64x2.shl(t21, 3), i64x2.shr_u(t21, 61));
    const t34 = v128.xor(a03, d0);
    const b34 = v128.or(i64x2.shl(t34, 41), i64x2.shr_u(t34, 23));
    const t42 = v128.xor(a04, d0);
    const b42 = v128.or(i64x2.shl(t42, 18), i64x2.shr_u(t42, 46));
    const t02 = v128.xor(a10, d1);
    const b02 = v128.or(i64x2.shl(t02, 1), i64x2.shr_u(t02, 63));
    const t10 = v128.xor(a11, d1);
    const b10 = v128.or(i64x2.shl(t10, 44), i64x2.shr_u(t10, 20));
    const t23 = v128.xor(a12, d1);
    const b23 = v128.or(i64x2.shl(t23, 10), i64x2.shr_u(t23, 54));
    const t31 = v128.xor(a13, d1);
    const b31 = v128.or(i64x2.shl(t31, 45), i64x2.shr_u(t31, 19));
    const t44 = v128.xor(a14, d1);
    const b44 = v128.or(i64x2.shl(t44, 2), i64x2.shr_u(t44, 62));
    const t04 = v128.xor(a20, d2);
    const b04 = v128.or(i64x2.shl(t04, 62), i64x2.shr_u(t04, 2));
    const t12 = v128.xor(a21, d2);
    const b12 = v128.or(i64x2.shl(t12, 6), i64x2.shr_u(t12, 58));
    const t20 = v128.xor(a22, d2);
    const b20 = v128.or(i64x2.shl(t20, 43), i64x2.shr_u(t20, 21));
    const t33 = v128.xor(a23, d2);
    const b33 = v128.or(i64x2.shl(t33, 15), i64x2.shr_u(t33, 49));
    const t41 = v128.xor(a24, d2);
    const b41 = v128.or(i64x2.shl(t41, 61), i64x2.shr_u(t41, 3));
    const t01 = v128.xor(a30, d3);
    const b01 = v128.or(i64x2.shl(t01, 28), i64x2.shr_u(t01, 36));
    const t14 = v128.xor(a31, d3);
    const b14 = v128.or(i64x2.shl(t14, 55), i64x2.shr_u(t14, 9));
    const t22 = v128.xor(a32, d3);
    const b22 = v128.or(i64x2.shl(t22, 25), i64x2.shr_u(t22, 39));
    const t30 = v128.xor(a33, d3);
    const b30 = v128.or(i64x2.shl(t30, 21), i64x2.shr_u(t30, 43));
    const t43 = v128.xor(a34, d3);
    const b43 = v128.or(i64x2.shl(t43, 56), i64x2.shr_u(t43, 8));
    const t03 = v128.xor(a40, d4);
    const b03 = v128.or(i64x2.shl(t03, 27), i64x2.shr_u(t03, 37));
    const t11 = v128.xor(a41, d4);
    const b11 = v128.or(i64x2.shl(t11, 20), i64x2.shr_u(t11, 44));
    const t24 = v128.xor(a42, d4);
    const b24 = v128.or(i64x2.shl(t24, 39), i64x2.shr_u(t24, 25));
    const t32 = v128.xor(a43, d4);
    const b32 = v128.or(i64x2.shl(t32, 8), i64x2.shr_u(t32, 56));
    const t40 = v128.xor(a44, d4);
    const b40 = v128.or(i64x2.shl(t40, 14), i64x2.shr_u(t40, 50));
    a00 = v128.xor(b00, v128.andnot(b20, b10));
    a10 = v128.xor(b10, v128.andnot(b30, b20));
    a20 = v128.xor(b20, v128.andnot(b40, b30));
    a30 = v128.xor(b30, v128.andnot(b00, b40));
    a40 = v128.xor(b40, v128.andnot(b10, b00));
    a01 = v128.xor(b01, v128.andnot(b21, b11));
    a11 = v128.xor(b11, v128.andnot(b31, b21));
    a21 = v128.xor(b21, v128.andnot(b41, b31));
    a31 = v128.xor(b31, v128.andnot(b01, b41));
    a41 = v128.xor(b41, v128.andnot(b11, b01));
    a02 = v128.xor(b02, v128.andnot(b22, b12));
    a12 = v128.xor(b12, v128.andnot(b32, b22));
    a22 = v128.xor(b22, v128.andnot(b42, b32));
    a32 = v128.xor(b32, v128.andnot(b02, b42));
    a42 = v128.xor(b42, v128.andnot(b12, b02));
    a03 = v128.xor(b03, v128.andnot(b23, b13));
    a13 = v128.xor(b13, v128.andnot(b33, b23));
    a23 = v128.xor(b23, v128.andnot(b43, b33));
    a33 = v128.xor(b33, v128.andnot(b03, b43));
    a43 = v128.xor(b43, v128.andnot(b13, b03));
    a04 = v128.xor(b04, v128.andnot(b24, b14));
    a14 = v128.xor(b14, v128.andnot(b34, b24));
    a24 = v128.xor(b24, v128.andnot(b44, b34));
    a34 = v128.xor(b34, v128.andnot(b04, b44));
    a44 = v128.xor(b44, v128.andnot(b14, b04));
    a00 = v128.xor(a00, i64x2.splat(unchecked(RC[i])));
  }
  v128.store(STATE2, a00, 0);
  v128.store(STATE2, a10, 16);
  v128.store(STATE2, a20, 32);
  v128.store(STATE2, a30, 48);
  v128.store(STATE2, a40, 64);
  v128.store(STATE2, a01, 80);
  v128.store(STATE2, a11, 96);
  v128.store(STATE2, a21, 112);
  v128.store(STATE2, a31, 128);
  v128.store(STATE2, a41, 144);
  v128.store(STATE2, a02, 160);
  v128.store(STATE2, a12, 176);
  v128.store(STATE2, a22, 192);
  v128.store(STATE2, a32, 208);
  v128.store(STATE2, a42, 224);
  v128.store(STATE2, a03, 240);
  v128.store(STATE2, a13, 256);
  v128.store(STATE2, a23, 272);
  v128.store(STATE2, a33, 288);
  v128.store(STATE2, a43, 304);
  v128.store(STATE2, a04, 320);
  v128.store(STATE2, a14, 336);
  v128.store(STATE2, a24, 352);
  v128.store(STATE2, a34, 368);
  v128.store(STATE2, a44, 384);
}

// XORs `lanes` lanes from `srcA` into the first state and from `srcB` into the second, from lane `at` on.
function absorb2(srcA: usize, srcB: usize, at: usize, lanes: usize): void {
  for (let i: usize = 0; i < lanes; i++) {
    const to = STATE2 + 16 * (at + i);
    const both = i64x2.replace_lane(i64x2.splat(load<u64>(srcA + 8 * i)), 1, load<u64>(srcB + 8 * i));
    v128.store(to, v128.xor(v128.load(to), both));
  }
}

function padAndPermute2(lanes: usize): void {
  const at = STATE2 + 16 * lanes;
  v128.store(at, v128.xor(v128.load(at), i64x2.splat(0x01)));
  const last = STATE2 + 16 * (RATE_LANES - 1);
  v128.store(last, v128.xor(v128.load(last), i64x2.splat(0x8000000000000000)));
  permute2();
}

// The first 32 bytes of each state, to `dstA` and `dstB`.
function squeeze2(dstA: usize, dstB: usize): void {
  for (let i: usize = 0; i < 4; i++) {
    const lane = v128.load(STATE2 + 16 * i);
    store<u64>(dstA + 8 * i, i64x2.extract_lane(lane, 0));
    store<u64>(dstB + 8 * i, i64x2.extract_lane(lane, 1));
  }
}

/** `hashSector` of two sectors at once. */
function hashSectors2(srcA: usize, srcB: usize, dstA: usize, dstB: usize): void {
  memory.fill(STATE2, 0, 400);
  absorb2(srcA, srcB, 0, RATE_LANES);
  permute2();
  absorb2(srcA + RATE_LANES * 8, srcB + RATE_LANES * 8, 0, 15);
  padAndPermute2(15);
  squeeze2(dstA, dstB);
}

/** `hashPair` of the two adjacent pairs at `src` (128 bytes) into the 64 bytes at `dst` (which may be `src`). */
function hashPairs2(src: usize, dst: usize): void {
  memory.fill(STATE2, 0, 400);
  absorb2(src, src + 64, 0, 8);
  padAndPermute2(8);
  squeeze2(dst, dst + 32);
}

/**
 * Root of the promote-odd merkle tree over the keccak256 leaves of the first `sectors` sectors at `input()`, left at
 * the returned address (32 bytes). Parents are keccak256(left ‖ right); a level's odd last node moves up unchanged.
 */
export function root(sectors: usize): usize {
  if (sectors == 0 || sectors > MAX_SECTORS) unreachable();
  let i: usize = 0;
  for (; i + 1 < sectors; i += 2) {
    hashSectors2(INPUT + i * SECTOR_BYTES, INPUT + (i + 1) * SECTOR_BYTES, LEAVES + i * 32, LEAVES + (i + 1) * 32);
  }
  if (i < sectors) hashSector(INPUT + i * SECTOR_BYTES, LEAVES + i * 32);
  let n = sectors;
  while (n > 1) {
    const half = n >> 1;
    let j: usize = 0;
    for (; j + 1 < half; j += 2) hashPairs2(LEAVES + 64 * j, LEAVES + 32 * j);
    if (j < half) hashPair(LEAVES + 64 * j, LEAVES + 64 * j + 32, LEAVES + 32 * j);
    if (n & 1) memory.copy(LEAVES + 32 * half, LEAVES + 32 * (n - 1), 32);
    n = half + (n & 1);
  }
  return LEAVES;
}
