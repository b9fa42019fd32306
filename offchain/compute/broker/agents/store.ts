/**
 * Loaded agents on disk (LevelDB): what a restart needs to load them again, and nothing that opens them without the
 * executor key. Kept per token: the entry, the data hash and key commitment it was loaded from, the data key sealed
 * to the executor key and the encrypted blob. Neither the plain key nor the decrypted manifest is ever written.
 *
 * Keys: `a/<tokenId, 78 digits>` -> StoredAgent JSON.
 */
import fs from "node:fs";
import path from "node:path";
import { ClassicLevel } from "classic-level";

export interface StoredAgent {
  tokenId: bigint;
  entry: number;
  dataHash: string;
  keyCommitment: string;
  /** The data key sealed to the executor's public key (what the oracle returned). */
  sealedKey: string;
  /** The encrypted agent blob, hex (checked against dataHash by the storage client when it was fetched). */
  blob: string;
  /** The oracle that signed the grant. */
  oracle: string;
  loadedAt: number;
}

type Json = Omit<StoredAgent, "tokenId"> & { tokenId: string };

const keyOf = (tokenId: bigint) => `a/${tokenId.toString().padStart(78, "0")}`;

export class AgentStore {
  private constructor(private readonly db: ClassicLevel<string, string>) {}

  static async open(dir: string): Promise<AgentStore> {
    fs.mkdirSync(dir, { recursive: true });
    const db = new ClassicLevel<string, string>(path.join(dir, "agents.db"), { valueEncoding: "utf8" });
    await db.open();
    return new AgentStore(db);
  }

  async put(agent: StoredAgent): Promise<void> {
    const json: Json = { ...agent, tokenId: agent.tokenId.toString() };
    await this.db.put(keyOf(agent.tokenId), JSON.stringify(json), { sync: true });
  }

  async delete(tokenId: bigint): Promise<void> {
    await this.db.del(keyOf(tokenId), { sync: true });
  }

  async all(): Promise<StoredAgent[]> {
    const out: StoredAgent[] = [];
    for await (const value of this.db.values({ gte: "a/", lt: "a0" })) {
      const j = JSON.parse(value) as Json;
      out.push({ ...j, tokenId: BigInt(j.tokenId) });
    }
    return out;
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
