/**
 * Segment bytes on disk: one sparse data file per file root, segment i at byte i × 256 KiB. LevelDB keeps only which
 * segments are held; a 256 KiB value there is written three times or more (log, table, compactions), here once.
 * The store writes and syncs the bytes here before it commits their marker, so a crash in between leaves bytes
 * nobody points at (overwritten by the next upload of that segment), never a marker without its bytes.
 */
import fs from "node:fs";
import path from "node:path";
import { BYTES_PER_SEGMENT } from "../core";

export interface SegmentWrite {
  root: string;
  index: number;
  data: Uint8Array;
}

export class SegmentFiles {
  private constructor(private readonly dir: string) {}

  static open(dir: string): SegmentFiles {
    fs.mkdirSync(dir, { recursive: true });
    return new SegmentFiles(dir);
  }

  private fileOf(root: string): string {
    return path.join(this.dir, `${root.toLowerCase().replace(/^0x/, "")}.seg`);
  }

  /** Writes the segments and syncs every file they touched (and the folder, when a file is new). */
  async write(writes: SegmentWrite[]): Promise<void> {
    const byRoot = new Map<string, SegmentWrite[]>();
    for (const w of writes) {
      const list = byRoot.get(w.root);
      if (list) list.push(w);
      else byRoot.set(w.root, [w]);
    }
    let created = false;
    await Promise.all(
      [...byRoot].map(async ([root, list]) => {
        const file = this.fileOf(root);
        created ||= !fs.existsSync(file);
        const handle = await fs.promises.open(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
        try {
          for (const w of list) {
            let done = 0;
            while (done < w.data.length) {
              const { bytesWritten } = await handle.write(
                w.data,
                done,
                w.data.length - done,
                w.index * BYTES_PER_SEGMENT + done,
              );
              done += bytesWritten;
            }
          }
          await handle.datasync();
        } finally {
          await handle.close();
        }
      }),
    );
    if (created) await syncDir(this.dir);
  }

  /** Segment `index` of `root`, `length` bytes long; undefined when the file does not hold that much. */
  async read(root: string, index: number, length: number): Promise<Uint8Array | undefined> {
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(this.fileOf(root), "r");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
    try {
      const out = Buffer.allocUnsafe(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await handle.read(out, done, length - done, index * BYTES_PER_SEGMENT + done);
        if (bytesRead === 0) return undefined;
        done += bytesRead;
      }
      return new Uint8Array(out.buffer, out.byteOffset, length);
    } finally {
      await handle.close();
    }
  }
}

/** fsync a folder, so a file created in it survives a crash. */
async function syncDir(dir: string): Promise<void> {
  const handle = await fs.promises.open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
