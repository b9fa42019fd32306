/**
 * Segment bytes on disk: one sparse data file per file root, segment i at byte i × 256 KiB. LevelDB keeps only which
 * segments are held; a 256 KiB value there is written three times or more (log, table, compactions), here once.
 * The store writes and syncs the bytes here before it commits their marker, so a crash in between leaves bytes
 * nobody points at (overwritten by the next upload of that segment), never a marker without its bytes.
 *
 * Where the filesystem takes O_DIRECT, the bytes go from an aligned copy straight to the disk, past the page cache.
 * In the 4-node benchmark each node spent 0.65-0.8 s of kernel time on a 256 MiB upload through the page cache,
 * most of it filling fresh cache pages; 0.1-0.2 s direct. Reads stay buffered.
 */
import fs from "node:fs";
import path from "node:path";
import { BYTES_PER_SEGMENT } from "../core";

/** O_DIRECT wants the memory, the file offset and the length aligned to the device's block; a page covers them all. */
const ALIGN = 4096;
/** Aligned scratch for one write: a batch of 8 segments goes down in one call. */
const SCRATCH = 8 * BYTES_PER_SEGMENT;

// The project's lib (ES2022, no DOM) declares no WebAssembly: the one constructor used here.
declare const WebAssembly: { Memory: new (limits: { initial: number; maximum: number }) => { buffer: ArrayBuffer } };

export interface SegmentWrite {
  root: string;
  index: number;
  data: Uint8Array;
}

export class SegmentFiles {
  private readonly scratch: Buffer[] = [];

  private constructor(
    private readonly dir: string,
    private direct: boolean,
  ) {}

  /**
   * `direct`: write with O_DIRECT when a probe write in `dir` shows the filesystem takes it (tmpfs, for one, does
   * not); false always goes through the page cache.
   */
  static open(dir: string, direct = true): SegmentFiles {
    fs.mkdirSync(dir, { recursive: true });
    const files = new SegmentFiles(dir, false);
    files.direct = direct && fs.constants.O_DIRECT !== undefined && files.probeDirect();
    return files;
  }

  /** Whether segment bytes are written with O_DIRECT. */
  get writesDirect(): boolean {
    return this.direct;
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
          if (!this.direct || !(await this.writeDirect(file, handle, list))) {
            for (const w of list) await writeAll(handle, w.data, 0, w.data.length, w.index * BYTES_PER_SEGMENT);
          }
          await handle.datasync();
        } finally {
          await handle.close();
        }
      }),
    );
    if (created) await syncDir(this.dir);
  }

  /**
   * Runs of consecutive segments are copied into aligned scratch and written with O_DIRECT a scratch at a time; the
   * last under-a-block bytes of a run (the end of a short last segment) go through `buffered`. False, and buffered
   * writes from then on, when the filesystem refuses an O_DIRECT write the probe did not (EINVAL).
   */
  private async writeDirect(file: string, buffered: fs.promises.FileHandle, list: SegmentWrite[]): Promise<boolean> {
    const scratch = this.scratch.pop() ?? alignedScratch();
    let direct: fs.promises.FileHandle | undefined;
    try {
      direct = await fs.promises.open(file, fs.constants.O_RDWR | fs.constants.O_DIRECT);
      const sorted = [...list].sort((a, b) => a.index - b.index);
      let filled = 0; // bytes of the current run in scratch
      let at = 0; // file offset of scratch[0]
      const flush = async (tail: boolean) => {
        const whole = tail ? filled - (filled % ALIGN) : filled;
        if (whole > 0) await writeAll(direct!, scratch, 0, whole, at);
        if (filled > whole) await writeAll(buffered, scratch, whole, filled - whole, at + whole);
        at += filled;
        filled = 0;
      };
      for (const w of sorted) {
        const offset = w.index * BYTES_PER_SEGMENT;
        if (filled > 0 && (offset !== at + filled || filled % ALIGN !== 0)) await flush(true);
        if (filled === 0) at = offset;
        for (let done = 0; done < w.data.length;) {
          const n = Math.min(w.data.length - done, SCRATCH - filled);
          scratch.set(w.data.subarray(done, done + n), filled);
          filled += n;
          done += n;
          if (filled === SCRATCH) await flush(false);
        }
      }
      await flush(true);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EINVAL") throw err;
      this.direct = false;
      return false;
    } finally {
      await direct?.close();
      this.scratch.push(scratch);
    }
  }

  /** Writes one aligned block with O_DIRECT to a file in the folder; false when the filesystem refuses it. */
  private probeDirect(): boolean {
    const probe = path.join(this.dir, ".direct-probe");
    const scratch = alignedScratch();
    let fd: number | undefined;
    try {
      fd = fs.openSync(probe, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_DIRECT, 0o644);
      if (fs.writeSync(fd, scratch.fill(7, 0, ALIGN), 0, ALIGN, 0) !== ALIGN) return false;
      this.scratch.push(scratch); // the first write's scratch
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EINVAL") return false;
      throw err;
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
      fs.rmSync(probe, { force: true });
    }
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

/**
 * Page-aligned memory: a wasm memory starts on a page boundary (V8 maps it with mmap), where a Buffer from Node's
 * allocator need not. The probe write checks it before any segment relies on it.
 */
function alignedScratch(): Buffer {
  const memory = new WebAssembly.Memory({ initial: SCRATCH / 65536, maximum: SCRATCH / 65536 });
  return Buffer.from(memory.buffer);
}

async function writeAll(handle: fs.promises.FileHandle, data: Uint8Array, from: number, length: number, at: number) {
  for (let done = 0; done < length;) {
    const { bytesWritten } = await handle.write(data, from + done, length - done, at + done);
    done += bytesWritten;
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
