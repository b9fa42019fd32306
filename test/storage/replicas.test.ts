import { expect } from "chai";
import fc from "fast-check";
import { ZgError } from "../../offchain/common/errors";
import type { ShardConfig } from "../../offchain/storage/client/nodes";
import { replicaStart, selectReplicas } from "../../offchain/storage/client/replicas";

const full = (n: number): ShardConfig[] => Array.from({ length: n }, () => ({ shardId: 0, numShard: 1 }));

/** Copies each shard position gets from the chosen nodes, over the largest shard count. */
function copies(shards: ShardConfig[], chosen: number[]): number[] {
  const period = Math.max(...shards.map((s) => s.numShard));
  const out = new Array<number>(period).fill(0);
  for (const i of chosen) for (let p = shards[i].shardId; p < period; p += shards[i].numShard) out[p]++;
  return out;
}

describe("storage client: selectReplicas (--replicas)", function () {
  it("takes n whole nodes in turn from the start it is given", function () {
    expect(selectReplicas(full(4), 1)).to.deep.equal([0]);
    expect(selectReplicas(full(4), 2, 3)).to.deep.equal([0, 3]);
    expect(selectReplicas(full(4), 4, 2)).to.deep.equal([0, 1, 2, 3]);
  });

  it("covers every shard position: two shards kept twice need all four nodes, once needs one of each", function () {
    const shards = [0, 0, 1, 1].map((shardId) => ({ shardId, numShard: 2 }));
    expect(selectReplicas(shards, 1)).to.deep.equal([0, 2]);
    expect(selectReplicas(shards, 2)).to.deep.equal([0, 1, 2, 3]);
    // A full node and half nodes: the full one is one copy of everything.
    const mixed = [
      { shardId: 1, numShard: 2 },
      { shardId: 0, numShard: 1 },
      { shardId: 0, numShard: 2 },
    ];
    expect(selectReplicas(mixed, 1, 1)).to.deep.equal([1]);
    expect(selectReplicas(mixed, 2, 1)).to.deep.equal([0, 1, 2]);
  });

  it("refuses more copies than the nodes can keep, naming the short position", function () {
    const shards = [
      { shardId: 0, numShard: 2 },
      { shardId: 0, numShard: 1 },
    ];
    expect(() => selectReplicas(shards, 2))
      .to.throw(ZgError, /shard position 1 of 2 is kept by 1 of the 2 nodes/)
      .with.property("code", "STORAGE_NO_NODES");
    expect(() => selectReplicas(full(3), 4)).to.throw(ZgError, /4 copies of every segment need more nodes/);
    expect(() => selectReplicas([], 1)).to.throw(ZgError, /no storage nodes/);
    expect(() => selectReplicas(full(2), 0)).to.throw(RangeError);
  });

  it("gives every position at least n copies and takes no node that added nothing (property)", function () {
    const shard = fc
      .integer({ min: 0, max: 3 })
      .chain((log) => fc.integer({ min: 0, max: 2 ** log - 1 }).map((shardId) => ({ shardId, numShard: 2 ** log })));
    fc.assert(
      fc.property(
        fc.array(shard, { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 1, max: 3 }),
        fc.nat(),
        (s, n, k) => {
          const first = k % s.length;
          let chosen: number[];
          try {
            chosen = selectReplicas(s, n, first);
          } catch {
            // Refused only when even every node together falls short.
            expect(
              Math.min(
                ...copies(
                  s,
                  s.map((_, i) => i),
                ),
              ),
            ).to.be.below(n);
            return;
          }
          expect(Math.min(...copies(s, chosen))).to.be.at.least(n);
          expect(new Set(chosen).size).to.equal(chosen.length);
          // In the order they were taken (from `first` on), each raised a position that was still short.
          const turn = (i: number) => (i - first + s.length) % s.length;
          const taken: number[] = [];
          for (const i of [...chosen].sort((a, b) => turn(a) - turn(b))) {
            const before = copies(s, taken);
            const raised = before.some((c, p) => c < n && p % s[i].numShard === s[i].shardId);
            expect(raised, `node ${i}`).to.equal(true);
            taken.push(i);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("starts where the root says, the same for every retry", function () {
    const root = `0x0000000a${"11".repeat(28)}`;
    expect(replicaStart(root, 4)).to.equal(2);
    expect(replicaStart(root, 4)).to.equal(replicaStart(root.toUpperCase().replace("0X", "0x"), 4));
  });
});
