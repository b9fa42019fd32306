/** What the chain and the nodes know of a root; for a manifest, of each of its shards. */
import { errorText } from "../../common/errors";
import type { ChainClient } from "../../common/chain";
import { findSubmits, type SubmitRecord } from "./chain";
import { downloadEntry, type DownloadOptions } from "./download";
import { parseManifest, type Manifest } from "./manifest";
import type { NodeClient } from "./nodes";

export interface NodeView {
  url: string;
  /** null: the node has not seen a Submit of the root; undefined with `error`: no answer. */
  finalized?: boolean | null;
  uploadedSegNum?: number;
  shardSegments?: number;
  error?: string;
}

export interface RootInfo {
  root: string;
  submits: SubmitRecord[];
  size?: number;
  nodes: NodeView[];
}

export interface FileReport extends RootInfo {
  manifest?: Manifest;
  shards?: (RootInfo & { index: number })[];
}

async function rootInfo(client: ChainClient | undefined, root: string, nodes: NodeClient[]): Promise<RootInfo> {
  const submits = client ? await findSubmits(client, root) : [];
  let size: number | undefined;
  const views = await Promise.all(
    nodes.map(async (node): Promise<NodeView> => {
      try {
        const info = await node.fileInfo(root);
        if (!info) return { url: node.url, finalized: null };
        size = info.tx.size;
        return {
          url: node.url,
          finalized: info.finalized,
          uploadedSegNum: info.uploadedSegNum,
          shardSegments: info.shardSegments,
        };
      } catch (err) {
        return { url: node.url, error: errorText(err) };
      }
    }),
  );
  return { root: root.toLowerCase(), submits, size, nodes: views };
}

export async function fileReport(
  client: ChainClient | undefined,
  root: string,
  nodes: NodeClient[],
  opts: DownloadOptions,
): Promise<FileReport> {
  const base = await rootInfo(client, root, nodes);
  if (base.size === undefined || base.size > 64 * 1024) return base;
  let manifest: Manifest | undefined;
  try {
    manifest = parseManifest((await downloadEntry(root, nodes, opts)).data);
  } catch {
    return base;
  }
  if (!manifest) return base;
  const shards = await Promise.all(
    manifest.shards.map(async (s) => ({ index: s.index, ...(await rootInfo(client, s.root, nodes)) })),
  );
  return { ...base, manifest, shards };
}
