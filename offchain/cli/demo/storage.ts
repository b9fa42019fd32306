// Step 2, storage: alice stores a dataset erasure-coded 2+2 across the devnet's four storage nodes (the library of
// `zg storage upload --ec 2+2`), then downloads it back through the manifest (`zg storage download`) and compares
// the bytes. The figures: the Flow submissions of the shards and the manifest, and the byte-for-byte match.
import crypto from "node:crypto";
import { formatEther } from "ethers";
import { ZgError } from "../../common/errors";
import { findSubmits } from "../../storage/client/chain";
import { retrieve, uploadFileEc } from "../../storage/client/ec";
import { parseEcSpec } from "../../storage/client/erasure";
import { nodeClients } from "../../storage/client/nodes";
import { loadHashers } from "../../storage/core";
import type { DemoContext, DemoErrorCode } from "./context";

/** Small, so the story stays quick on a laptop; random, so each run pays for new entries. */
export const DATASET_BYTES = 96 * 1024;
export const EC_SPEC = "2+2";

export interface StorageResult {
  manifestRoot: string;
  shardRoots: string[];
}

export async function storageStep(ctx: DemoContext): Promise<StorageResult> {
  await loadHashers();
  const spec = parseEcSpec(EC_SPEC);
  const nodes = nodeClients(ctx.devnet.services.storageNodes);
  const dataset = crypto.randomBytes(DATASET_BYTES);
  const upload = await uploadFileEc(ctx.alice, dataset, nodes, spec, {
    logger: ctx.logger,
    batchSegments: 8,
    concurrency: 2,
    syncTimeoutMs: 60_000,
  });
  const [submit] = await findSubmits(ctx.alice, upload.manifestRoot);
  ctx.say(
    `stored ${dataset.length} bytes as ${spec.k}+${spec.m} shards, manifest ${upload.manifestRoot} ` +
      `(tx ${submit.txHash}, paid ${formatEther(upload.paid)} tokens)`,
  );
  for (const shard of upload.manifest.shards) {
    const [record] = await findSubmits(ctx.alice, shard.root);
    ctx.say(`shard ${shard.index} ${shard.root} on ${shard.node}: Flow submission ${record.index}`);
  }
  const back = await retrieve(upload.manifestRoot, nodes, { logger: ctx.logger, concurrency: 4 });
  if (!back.data.equals(dataset)) {
    throw new ZgError<DemoErrorCode>("DEMO_STEP_FAILED", "the downloaded dataset differs from the one stored", {
      hint: `compare with zg storage download ${upload.manifestRoot}`,
    });
  }
  ctx.say(`downloaded ${back.data.length} bytes back through the manifest: identical`);
  return { manifestRoot: upload.manifestRoot, shardRoots: upload.manifest.shards.map((s) => s.root) };
}
