/** The node's reports on disk: `<dataDir>/reports/<epoch>.json`, each written atomically (temp file, fsync, rename). */
import fs from "node:fs";
import path from "node:path";

export class ReportStore {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = path.join(path.resolve(dataDir), "reports");
  }

  /** Creates the folder; fails early (before anything is sampled) when it cannot be written. */
  async open(): Promise<void> {
    await fs.promises.mkdir(this.dir, { recursive: true });
    await fs.promises.access(this.dir, fs.constants.W_OK);
  }

  file(epoch: bigint): string {
    return path.join(this.dir, `${epoch}.json`);
  }

  /**
   * Writes the report's exact bytes: a reader (or a crash) sees the old file or the whole new one, never half of
   * one, and the bytes are on disk before the node attests with their hash.
   */
  async write(epoch: bigint, json: string): Promise<string> {
    const target = this.file(epoch);
    const temp = `${target}.${process.pid}.tmp`;
    const handle = await fs.promises.open(temp, "w");
    try {
      await handle.writeFile(json, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(temp, target);
    return target;
  }

  /** The report kept for an epoch, or undefined. */
  async read(epoch: bigint): Promise<string | undefined> {
    try {
      return await fs.promises.readFile(this.file(epoch), "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
  }
}
