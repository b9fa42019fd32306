/**
 * BLS signatures on BN254 (the EVM's alt_bn128) with mcl-wasm, laid out so the DA contracts can check them with
 * precompiles 0x06-0x08: public keys in G1 and G2, signatures in G1, messages hashed to G1 by the same keccak
 * try-and-increment as `contracts/common/libraries/BN254.sol`.
 *
 * Pure: no I/O. Call `initBls()` once (it loads the WebAssembly module) before anything else.
 */
import * as mcl from "mcl-wasm";
import { concat, getBytes, keccak256, toUtf8Bytes, zeroPadValue, toBeHex, AbiCoder, type BytesLike } from "ethers";

/** Base field modulus p. */
export const FP_MODULUS = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
/** Group order r (scalar field). */
export const FR_MODULUS = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
/** Domain prefix of `hashToG1`, the same bytes as `BN254.HASH_TO_G1_DOMAIN`. */
export const HASH_TO_G1_DOMAIN = "ZG-BN254-G1-KECCAK-TAI-v1";
/** Domain tag of a signer's proof of possession, the same as `DASignerRegistry.POP_DOMAIN`. */
export const POP_DOMAIN = keccak256(toUtf8Bytes("zg.da.DASignerRegistry.pop.v1"));

/** A G1 point as the contracts take it; (0, 0) is infinity. */
export interface G1Sol {
  X: bigint;
  Y: bigint;
}

/** A G2 point as the contracts take it: each coordinate [imaginary, real] (the precompile's order). */
export interface G2Sol {
  X: [bigint, bigint];
  Y: [bigint, bigint];
}

/** A BLS key pair: the secret scalar and the public key in both groups. */
export interface KeyPair {
  secret: mcl.Fr;
  pk1: mcl.G1;
  pk2: mcl.G2;
}

let ready: Promise<void> | undefined;
let g1Gen: mcl.G1;
let g2Gen: mcl.G2;

/** Loads mcl with the BN_SNARK1 curve (the EVM's BN254) once; every other function needs it. */
export function initBls(): Promise<void> {
  ready ??= mcl.init(mcl.BN_SNARK1).then(() => {
    g1Gen = g1FromSol({ X: 1n, Y: 2n });
    g2Gen = g2FromSol({
      X: [
        11559732032986387107991004021392285783925812861821192530917403151452391805634n,
        10857046999023057135944570762232829481370756359578518086990519993285655852781n,
      ],
      Y: [
        4082367875863433681332203403145435568316851327593401208105741076214120093531n,
        8495653923123431417604973247489272438418190587263600148770280649306958101930n,
      ],
    });
  });
  return ready;
}

function assertReady(): void {
  if (!g1Gen) throw new Error("BLS is not initialised: await initBls() first");
}

/** The G1 generator (1, 2). */
export function generatorG1(): mcl.G1 {
  assertReady();
  return g1Gen;
}

/** The G2 generator of the EVM pairing precompile. */
export function generatorG2(): mcl.G2 {
  assertReady();
  return g2Gen;
}

/** base^exp mod `mod` by square-and-multiply (base ≥ 0). */
export function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return result;
}

const SQRT_EXPONENT = (FP_MODULUS + 1n) / 4n;

/**
 * The affine coordinates `BN254.hashToG1(message)` returns: x₀ = keccak256(domain ‖ message) mod p, then x + 1
 * until x³ + 3 is a square, y = (x³ + 3)^((p+1)/4).
 */
export function hashToG1Sol(message: BytesLike): G1Sol {
  const m = getBytes(message);
  if (m.length !== 32) throw new Error(`hashToG1 takes a 32-byte message, got ${m.length} bytes`);
  let x = BigInt(keccak256(concat([toUtf8Bytes(HASH_TO_G1_DOMAIN), m]))) % FP_MODULUS;
  for (;;) {
    const beta = (x * x * x + 3n) % FP_MODULUS;
    const y = modPow(beta, SQRT_EXPONENT, FP_MODULUS);
    if ((y * y) % FP_MODULUS === beta) return { X: x, Y: y };
    x = (x + 1n) % FP_MODULUS;
  }
}

/** `hashToG1Sol` as an mcl point. */
export function hashToG1(message: BytesLike): mcl.G1 {
  return g1FromSol(hashToG1Sol(message));
}

/** An mcl G1 point from contract coordinates; throws when it is not on the curve. */
export function g1FromSol(p: G1Sol): mcl.G1 {
  const q = new mcl.G1();
  if (p.X === 0n && p.Y === 0n) return q;
  try {
    q.setStr(`1 ${p.X} ${p.Y}`, 10);
  } catch {
    throw new Error(`(${p.X}, ${p.Y}) is not a G1 point`);
  }
  return q;
}

/** Contract coordinates of an mcl G1 point (infinity is (0, 0)). */
export function g1ToSol(p: mcl.G1): G1Sol {
  if (p.isZero()) return { X: 0n, Y: 0n };
  const parts = mcl.normalize(p).getStr(10).split(" ");
  return { X: BigInt(parts[1]), Y: BigInt(parts[2]) };
}

/** An mcl G2 point from contract coordinates ([imaginary, real]); throws when it is not a G2 point. */
export function g2FromSol(p: G2Sol): mcl.G2 {
  const q = new mcl.G2();
  if (p.X[0] === 0n && p.X[1] === 0n && p.Y[0] === 0n && p.Y[1] === 0n) return q;
  // mcl writes an Fp2 element real part first.
  try {
    q.setStr(`1 ${p.X[1]} ${p.X[0]} ${p.Y[1]} ${p.Y[0]}`, 10);
  } catch {
    throw new Error("not a G2 point");
  }
  // mcl checks the curve equation on input; the subgroup check is explicit for G2 (cofactor ≠ 1).
  if (!q.isValid()) throw new Error("not a G2 point in the subgroup");
  return q;
}

/** Contract coordinates of an mcl G2 point: [x.c1, x.c0], [y.c1, y.c0]. */
export function g2ToSol(p: mcl.G2): G2Sol {
  if (p.isZero()) return { X: [0n, 0n], Y: [0n, 0n] };
  const parts = mcl.normalize(p).getStr(10).split(" ");
  return { X: [BigInt(parts[2]), BigInt(parts[1])], Y: [BigInt(parts[4]), BigInt(parts[3])] };
}

/** A key pair from a secret scalar (reduced mod r; must not be 0), or a fresh random one. */
export function keyPair(secret?: bigint): KeyPair {
  assertReady();
  const sk = new mcl.Fr();
  if (secret === undefined) {
    sk.setByCSPRNG();
  } else {
    const s = secret % FR_MODULUS;
    if (s === 0n) throw new Error("a secret key must not be 0 mod r");
    sk.setStr(s.toString(10), 10);
  }
  return { secret: sk, pk1: mcl.mul(g1Gen, sk), pk2: mcl.mul(g2Gen, sk) };
}

/** The secret key as a bigint (for storage by a signer node). */
export function secretToBigInt(sk: mcl.Fr): bigint {
  return BigInt(sk.getStr(10));
}

/** σ = sk · H(message), a G1 point. */
export function sign(secret: mcl.Fr, message: BytesLike): mcl.G1 {
  return mcl.mul(hashToG1(message), secret);
}

/** Sum of G1 points (signatures or G1 public keys); infinity for none. */
export function aggregateG1(points: mcl.G1[]): mcl.G1 {
  let acc = new mcl.G1();
  for (const p of points) acc = mcl.add(acc, p);
  return acc;
}

/** Sum of G2 public keys; infinity for none. */
export function aggregateG2(points: mcl.G2[]): mcl.G2 {
  let acc = new mcl.G2();
  for (const p of points) acc = mcl.add(acc, p);
  return acc;
}

/** Whether e(σ, g2) = e(H(message), pk2). */
export function verify(pk2: mcl.G2, message: BytesLike, signature: mcl.G1): boolean {
  return mcl.pairing(signature, g2Gen).isEqual(mcl.pairing(hashToG1(message), pk2));
}

/** Whether pk1 and pk2 hold the same secret: e(pk1, g2) = e(g1, pk2). */
export function keysMatch(pk1: mcl.G1, pk2: mcl.G2): boolean {
  return mcl.pairing(pk1, g2Gen).isEqual(mcl.pairing(g1Gen, pk2));
}

/** The message a signer signs to prove possession of its key: keccak256(abi.encode(signer, chainId, POP_DOMAIN)). */
export function popMessage(signer: string, chainId: bigint): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["address", "uint256", "bytes32"], [signer, chainId, POP_DOMAIN]));
}

/**
 * The message a DA quorum signs for a blob: keccak256(abi.encode(dataRoot, epoch, quorumId, commitment.X,
 * commitment.Y)), as `DAEntrance.commitMessage` computes it.
 */
export function commitMessage(dataRoot: BytesLike, epoch: bigint, quorumId: bigint, commitment: G1Sol): string {
  return keccak256(
    AbiCoder.defaultAbiCoder().encode(
      ["bytes32", "uint256", "uint256", "uint256", "uint256"],
      [zeroPadValue(dataRoot, 32), epoch, quorumId, commitment.X, commitment.Y],
    ),
  );
}

/** keccak256(abi.encode(pk1.X, pk1.Y)): how the registry names a key (and orders non-signers). */
export function pubkeyHash(pk1: G1Sol): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["uint256", "uint256"], [pk1.X, pk1.Y]));
}

/** 32-byte hex of a field element, for logs and JSON. */
export function toHex32(x: bigint): string {
  return toBeHex(x, 32);
}
