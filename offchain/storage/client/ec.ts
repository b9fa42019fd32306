/**
 * Erasure-coded upload, download and repair. Upload: k + m shards, each its own Flow entry on a different node,
 * plus the manifest entry on every node, all paid in one batchSubmit (existing Submits reused). Download: the
 * manifest, then any k shards from whichever nodes answer, the missing ones decoded, the original root checked.
 * Repair: the shards no given node holds are rebuilt and uploaded to other nodes; nothing new is paid.
 */
import { ZgError, errorText } from "../../common/errors";
import type { ChainClient } from "../../common/chain";
import {
  BYTES_PER_SEGMENT,
  SECTORS_PER_SEGMENT,
  fileRoot,
  layoutFile,
  numSplits,
  paddedSectors,
  sectorCount,
  segmentRoot,
  toHex,
  type FileLayout,
} from "../core";
import { ensureSubmitted } from "./chain";
import { downloadEntry, type BadNode, type DownloadOptions } from "./download";
import { codingStripe, encodeParity, reconstructShards, decodeFile, splitData, type EcSpec } from "./erasure";
import { MANIFEST_KIND, manifestBytes, parseManifest, type Manifest } from "./manifest";
import type { ClientErrorCode, NodeClient } from "./nodes";
import { entryOf, prepareEntry, uploadEntries, type Entry, type UploadOptions } from "./upload";

export interface EcUploadResult {
  manifestRoot: string;
  manifest: Manifest;
  paid: bigint;
  submitted: string[];
  uploaded: number;
}

/**
 * The file's layout, reusing the data shards' segment roots: with shards a whole number of segments long, every
 * segment of the file that holds only file bytes is byte for byte a full segment of a data shard, so its root is
 * known; only the last, zero-padded one is hashed again. Otherwise the file is laid out from scratch.
 */
export function fileRootFromShards(data: Uint8Array, shardSize: number, dataShards: Entry[]): FileLayout {
  if (shardSize % BYTES_PER_SEGMENT !== 0) return layoutFile(data);
  const perShard = shardSize / BYTES_PER_SEGMENT;
  const padded = paddedSectors(sectorCount(data.length));
  const segments = numSplits(padded, SECTORS_PER_SEGMENT);
  const roots = Array.from({ length: segments }, (_, s) =>
    (s + 1) * BYTES_PER_SEGMENT <= data.length
      ? dataShards[Math.floor(s / perShard)].layout.segmentRoots[s % perShard]
      : segmentRoot(data, padded, s),
  );
  return layoutFile(data, roots);
}

export async function uploadFileEc(
  client: ChainClient,
  data: Uint8Array,
  nodes: NodeClient[],
  spec: EcSpec,
  opts: UploadOptions,
): Promise<EcUploadResult> {
  const n = spec.k + spec.m;
  if (nodes.length < n) {
    throw new ZgError<ClientErrorCode>(
      "STORAGE_NO_NODES",
      `--ec ${spec.k}+${spec.m} puts ${n} shards on ${n} different nodes; ${nodes.length} given`,
      {
        hint: `pass at least ${n} nodes with --nodes, or a smaller --ec`,
      },
    );
  }
  // The data shards are hashed while the coder computes the parity: they run on different threads.
  const dataShards = splitData(data, spec.k);
  const hashData = async () => {
    const out: Entry[] = [];
    for (const shard of dataShards) out.push(await prepareEntry(shard, opts.hasher));
    return out;
  };
  const [parity, dataEntries] = await Promise.all([encodeParity(dataShards, spec), hashData()]);
  const shardSize = dataShards[0].length;
  const entries = [...dataEntries];
  for (const shard of parity) entries.push(await prepareEntry(shard, opts.hasher));
  const manifest: Manifest = {
    kind: MANIFEST_KIND,
    version: 2,
    k: spec.k,
    m: spec.m,
    size: data.length,
    fileRoot: toHex(fileRootFromShards(data, shardSize, entries).root).toLowerCase(),
    shardSize,
    shards: entries.map((e, i) => ({ index: i, root: e.root.toLowerCase(), size: e.data.length, node: nodes[i].url })),
  };
  const manifestEntry = entryOf(manifestBytes(manifest));
  const all = [...entries, manifestEntry];
  const { paid, submitted } = await ensureSubmitted(
    client,
    all.map((e) => ({ root: e.root, submission: e.submission, paddedSectors: e.layout.paddedSectors })),
    opts.logger,
    opts.notify,
  );
  const uploaded = await uploadEntries(all, [...entries.map((_, i) => [nodes[i]]), nodes], opts);
  return { manifestRoot: manifestEntry.root, manifest, paid, submitted, uploaded };
}

export interface RetrieveResult {
  data: Buffer;
  manifest?: Manifest;
  /** For an EC file: where each shard came from (undefined: decoded). */
  shardSources?: (string | undefined)[];
  bad: BadNode[];
  unreachable: string[];
  served: Record<string, number>;
}

/** Fetches any k shards of a manifest; the others are left undefined. Every node is tried for every shard. */
async function fetchShards(manifest: Manifest, nodes: NodeClient[], opts: DownloadOptions, want = manifest.k) {
  const got: (Buffer | undefined)[] = new Array(manifest.shards.length).fill(undefined);
  const from: (string | undefined)[] = new Array(manifest.shards.length).fill(undefined);
  const bad: BadNode[] = [];
  const unreachable = new Set<string>();
  const served: Record<string, number> = {};
  let count = 0;
  for (const shard of manifest.shards) {
    if (count >= want) break;
    // The node the upload used first, then the others.
    const order = [...nodes].sort((a, b) => Number(b.url === shard.node) - Number(a.url === shard.node));
    try {
      const d = await downloadEntry(shard.root, order, { ...opts, progress: undefined });
      got[shard.index] = d.data;
      from[shard.index] = Object.keys(d.served).join(",");
      bad.push(...d.bad);
      d.unreachable.forEach((u) => unreachable.add(u));
      for (const [u, c] of Object.entries(d.served)) served[u] = (served[u] ?? 0) + c;
      count++;
    } catch (err) {
      opts.logger.info({ shard: shard.index, root: shard.root, reason: errorText(err) }, "shard unavailable");
    }
  }
  return { got, from, bad, unreachable: [...unreachable], served };
}

/** Downloads a root: a plain file, or, when the root is a manifest, the erasure-coded file it names. */
export async function retrieve(root: string, nodes: NodeClient[], opts: DownloadOptions): Promise<RetrieveResult> {
  const first = await downloadEntry(root, nodes, opts);
  const manifest = parseManifest(first.data);
  if (!manifest) return first;
  const { got, from, bad, unreachable, served } = await fetchShards(manifest, nodes, opts);
  const data = await decodeFile(got, manifest, manifest.shardSize, manifest.size, codingStripe(manifest));
  const root2 = fileRoot(data).toLowerCase();
  if (root2 !== manifest.fileRoot) {
    throw new ZgError<ClientErrorCode>(
      "STORAGE_DOWNLOAD_FAILED",
      `the decoded file has root ${root2}, not the manifest's ${manifest.fileRoot}`,
      {
        hint: "a shard was inconsistent with the manifest; retry with other nodes",
      },
    );
  }
  return {
    data,
    manifest,
    shardSources: from,
    bad: [...first.bad, ...bad],
    unreachable: [...new Set([...first.unreachable, ...unreachable])],
    served,
  };
}

export interface RepairResult {
  manifestRoot: string;
  /** Shards rebuilt and the node each went to. */
  repaired: { index: number; root: string; node: string }[];
  /** Where every shard is now (a node URL that reports it finalized). */
  placement: string[];
}

/**
 * Finds, for each shard of the manifest, a given node that holds it finalized; rebuilds the others from any k and
 * uploads each to a given node that holds no shard of this file yet (their Submits exist, so nothing is paid). The
 * manifest is also uploaded to every given node that lacks it.
 */
export async function repair(
  manifestRoot: string,
  nodes: NodeClient[],
  opts: UploadOptions & DownloadOptions,
): Promise<RepairResult> {
  const first = await downloadEntry(manifestRoot, nodes, opts);
  const manifest = parseManifest(first.data);
  if (!manifest) {
    throw new ZgError<ClientErrorCode>("STORAGE_FILE_UNKNOWN", `${manifestRoot} is not an erasure-coding manifest`, {
      hint: "pass the root `zg storage upload --ec` printed",
    });
  }
  const reachable = (
    await Promise.all(
      nodes.map(async (node) => {
        try {
          await node.shardConfig();
          return node;
        } catch {
          opts.logger.warn({ node: node.url }, "node unreachable: leaving it out");
          return undefined;
        }
      }),
    )
  ).filter((n): n is NodeClient => n !== undefined);
  const holds = await Promise.all(
    manifest.shards.map(async (shard) => {
      for (const node of reachable) if ((await node.finalized(shard.root)) === true) return node;
      return undefined;
    }),
  );
  const missing = manifest.shards.filter((s) => !holds[s.index]);
  const repaired: RepairResult["repaired"] = [];
  if (missing.length > 0) {
    const present = holds.filter((h) => h).length;
    if (present < manifest.k) {
      throw new ZgError<ClientErrorCode>(
        "STORAGE_NOT_ENOUGH_SHARDS",
        `only ${present} of ${manifest.shards.length} shards are held by the given nodes; ${manifest.k} are needed`,
        {
          hint: "pass the nodes that still hold shards with --nodes, or start the nodes that are down",
        },
      );
    }
    const { got } = await fetchShards(manifest, reachable, opts);
    const all = await reconstructShards(got, manifest, manifest.shardSize, codingStripe(manifest));
    const used = new Set(holds.filter((h): h is NodeClient => h !== undefined));
    const spare = reachable.filter((node) => !used.has(node));
    if (spare.length < missing.length) {
      throw new ZgError<ClientErrorCode>(
        "STORAGE_NO_NODES",
        `${missing.length} shards need a new node and only ${spare.length} given nodes hold no shard of this file`,
        {
          hint: "pass more nodes with --nodes",
        },
      );
    }
    const entries: Entry[] = [];
    const targets: NodeClient[][] = [];
    for (const [i, shard] of missing.entries()) {
      const entry = await prepareEntry(all[shard.index], opts.hasher);
      if (entry.root.toLowerCase() !== shard.root)
        throw new Error(`rebuilt shard ${shard.index} has root ${entry.root}, not ${shard.root}`);
      entries.push(entry);
      targets.push([spare[i]]);
      holds[shard.index] = spare[i];
      repaired.push({ index: shard.index, root: shard.root, node: spare[i].url });
    }
    await uploadEntries(entries, targets, opts);
  }
  await uploadEntries([entryOf(first.data)], [reachable], opts);
  return { manifestRoot: manifestRoot.toLowerCase(), repaired, placement: holds.map((h) => h!.url) };
}
