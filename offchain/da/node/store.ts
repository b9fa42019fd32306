/**
 * What a signer keeps on disk: for each blob it signed, the blob's facts and the rows assigned to it. LevelDB
 * (classic-level) with synchronous batches: a blob's facts and rows land in one atomic write that is on disk
 * before the node returns its signature, so a signature is never given for rows a crash could lose.
 */
import fs from "node:fs";
import path from "node:path";
import { ClassicLevel } from "classic-level";
import type { BlobIdJson, G1Json, G2Json, RowJson } from "../protocol";
import type { z } from "zod";
import type { shapeSchema } from "../protocol";

export type ShapeJson = z.output<typeof shapeSchema>;

export interface StoredBlob {
  blob: BlobIdJson;
  shape: ShapeJson;
  rowsRoot: string;
  commitment: G1Json;
  degreeProof: G2Json;
  rows: number[];
  storedAt: number;
}

const blobKey = (b: BlobIdJson) => `b/${b.dataRoot.toLowerCase()}/${b.epoch}/${b.quorumId}`;
const rowKey = (b: BlobIdJson, index: number) => `r/${b.dataRoot.toLowerCase()}/${b.epoch}/${b.quorumId}/${index}`;

/** A blob already held under another commitment: signing both would be equivocation. */
export class BlobConflictError extends Error {
  constructor() {
    super("this blob was already signed with another commitment");
  }
}

export class SignerStore {
  private constructor(
    private readonly db: ClassicLevel<string, string>,
    private blobCount: number,
  ) {}

  // Read-modify-write of a blob's record must not interleave with another request for the same blob.
  private writes: Promise<unknown> = Promise.resolve();

  /** Opens (creating) the store under `dir`; LevelDB's lock refuses a second node on the same directory. */
  static async open(dir: string): Promise<SignerStore> {
    fs.mkdirSync(dir, { recursive: true });
    const db = new ClassicLevel<string, string>(path.join(dir, "rows.db"), { valueEncoding: "utf8" });
    await db.open();
    let count = 0;
    for await (const key of db.keys({ gte: "b/", lt: "b0" })) if (key) count++;
    return new SignerStore(db, count);
  }

  async getBlob(id: BlobIdJson): Promise<StoredBlob | undefined> {
    const text = await this.db.get(blobKey(id));
    return text === undefined ? undefined : (JSON.parse(text) as StoredBlob);
  }

  /** Writes a blob's facts and rows in one synchronous batch; rows already held are kept. Writes run one at a time. */
  putBlob(meta: Omit<StoredBlob, "rows" | "storedAt">, rows: RowJson[]): Promise<StoredBlob> {
    const done = this.writes.then(() => this.writeBlob(meta, rows));
    this.writes = done.catch(() => undefined);
    return done;
  }

  private async writeBlob(meta: Omit<StoredBlob, "rows" | "storedAt">, rows: RowJson[]): Promise<StoredBlob> {
    const prior = await this.getBlob(meta.blob);
    if (prior && (prior.commitment.X !== meta.commitment.X || prior.commitment.Y !== meta.commitment.Y)) {
      throw new BlobConflictError();
    }
    const indices = new Set(prior?.rows ?? []);
    const batch = this.db.batch();
    for (const row of rows) {
      if (indices.has(row.index)) continue;
      indices.add(row.index);
      batch.put(rowKey(meta.blob, row.index), JSON.stringify(row));
    }
    const stored: StoredBlob = {
      ...meta,
      rows: [...indices].sort((a, b) => a - b),
      storedAt: prior?.storedAt ?? Date.now(),
    };
    batch.put(blobKey(meta.blob), JSON.stringify(stored));
    await batch.write({ sync: true });
    if (!prior) this.blobCount++;
    return stored;
  }

  async getRows(id: BlobIdJson, indices: number[]): Promise<RowJson[]> {
    const values = await this.db.getMany(indices.map((i) => rowKey(id, i)));
    return values.filter((v): v is string => v !== undefined).map((v) => JSON.parse(v) as RowJson);
  }

  /** Every blob held, oldest key first (the sampler walks them). */
  async *blobs(): AsyncGenerator<StoredBlob> {
    for await (const value of this.db.values({ gte: "b/", lt: "b0" })) yield JSON.parse(value) as StoredBlob;
  }

  /** Blobs held (counted once at open, then kept up to date). */
  count(): number {
    return this.blobCount;
  }

  async getMeta(key: string): Promise<string | undefined> {
    return this.db.get(`m/${key}`);
  }

  async putMeta(key: string, value: string): Promise<void> {
    await this.db.put(`m/${key}`, value, { sync: true });
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
