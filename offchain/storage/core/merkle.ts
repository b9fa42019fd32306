import { equalBytes, hashPair } from "./hash";

/**
 * A merkle proof in 0G's format (0g-ts-sdk `Proof`, zerog-rust): `lemma` is the leaf hash, the siblings from bottom
 * to top and the root; a single-leaf tree's lemma is just the root. `path[i]` is true when the proven node is the
 * left child at level i.
 */
export interface MerkleProof {
  lemma: Uint8Array[];
  path: boolean[];
}

/**
 * Every level of the tree 0G's clients build over `leaves` (0g-ts-sdk `MerkleTree.build`): parents are
 * keccak256(left ‖ right) of consecutive pairs, and the last node of a level with an odd count is promoted
 * unchanged to the next level. levels[0] is the leaves, the last level holds the root alone.
 */
export function buildLevels(leaves: Uint8Array[]): Uint8Array[][] {
  if (leaves.length === 0) throw new Error("merkle: a tree needs at least one leaf");
  const levels: Uint8Array[][] = [leaves];
  let level = leaves;
  while (level.length > 1) {
    const next: Uint8Array[] = new Array(Math.ceil(level.length / 2));
    for (let i = 0; i + 1 < level.length; i += 2) next[i >> 1] = hashPair(level[i], level[i + 1]);
    if (level.length % 2 === 1) next[next.length - 1] = level[level.length - 1];
    levels.push(next);
    level = next;
  }
  return levels;
}

/** Root of the promote-odd tree over `leaves`. */
export function merkleRoot(leaves: Uint8Array[]): Uint8Array {
  const levels = buildLevels(leaves);
  return levels[levels.length - 1][0];
}

/** Proof of leaf `index` in a tree built by `buildLevels`. A promoted node contributes no sibling. */
export function proofAt(levels: Uint8Array[][], index: number): MerkleProof {
  const leaves = levels[0];
  if (!Number.isInteger(index) || index < 0 || index >= leaves.length) {
    throw new RangeError(`merkle: leaf ${index} is outside 0..${leaves.length - 1}`);
  }
  const root = levels[levels.length - 1][0];
  if (leaves.length === 1) return { lemma: [root], path: [] };
  const lemma = [leaves[index]];
  const path: boolean[] = [];
  let i = index;
  for (let h = 0; h < levels.length - 1; h++) {
    const level = levels[h];
    if (i % 2 === 1) {
      lemma.push(level[i - 1]);
      path.push(false);
    } else if (i + 1 < level.length) {
      lemma.push(level[i + 1]);
      path.push(true);
    }
    i >>= 1;
  }
  lemma.push(root);
  return { lemma, path };
}

/**
 * The leaf position a proof's path describes in a promote-odd tree of `numLeaves` leaves (0g-ts-sdk
 * `calculateProofPosition`): walking down from the root, the left side of `n` leaves holds 2^ceil(log2 n) / 2.
 */
export function proofPosition(path: boolean[], numLeaves: number): number {
  let position = 0;
  let n = numLeaves;
  for (let i = path.length - 1; i >= 0; i--) {
    const leftLeaves = 2 ** Math.ceil(Math.log2(n)) / 2;
    if (path[i]) {
      n = leftLeaves;
    } else {
      position += leftLeaves;
      n -= leftLeaves;
    }
  }
  return position;
}

/** Folds a proof's siblings onto its leaf and returns the root it implies. */
export function proofRoot(proof: MerkleProof): Uint8Array {
  let hash = proof.lemma[0];
  for (let i = 0; i < proof.path.length; i++) {
    hash = proof.path[i] ? hashPair(hash, proof.lemma[i + 1]) : hashPair(proof.lemma[i + 1], hash);
  }
  return hash;
}

/**
 * Checks `proof` the way 0G's clients do: well-formed lemma, leaf and root match, the path leads to `position` in
 * a tree of `numLeaves` leaves, and the siblings hash up to the root.
 */
export function verifyProof(
  root: Uint8Array,
  leaf: Uint8Array,
  position: number,
  numLeaves: number,
  proof: MerkleProof,
): boolean {
  if (proof.path.length === 0) {
    return (
      proof.lemma.length === 1 &&
      numLeaves === 1 &&
      position === 0 &&
      equalBytes(leaf, root) &&
      equalBytes(proof.lemma[0], root)
    );
  }
  if (proof.lemma.length !== proof.path.length + 2) return false;
  if (!equalBytes(proof.lemma[0], leaf) || !equalBytes(proof.lemma[proof.lemma.length - 1], root)) return false;
  if (proofPosition(proof.path, numLeaves) !== position) return false;
  return equalBytes(proofRoot(proof), root);
}
