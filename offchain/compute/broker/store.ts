/**
 * The broker's bills on disk (LevelDB via classic-level). Every write is synchronous, so a bill is on disk
 * before the response that returns it is finished and a restart (even kill -9) loses nothing billable.
 *
 * Keys: `b/<user>/<nonce, 20 digits>` -> bill JSON; `n/<user>` -> highest nonce allocated;
 * `u/<user>` -> present while the user has unsettled bills. Users are lower-case addresses.
 */
import fs from "node:fs";
import path from "node:path";
import { ClassicLevel } from "classic-level";

export interface BillStoreSignature {
  R8x: bigint;
  R8y: bigint;
  S: bigint;
}

export interface StoredBill {
  user: string;
  nonce: bigint;
  fee: bigint;
  inputTokens: number;
  outputTokens: number;
  requestHash: bigint;
  createdAt: number;
  signature?: BillStoreSignature;
  settledTx?: string;
}

export interface BillStore {
  /** A nonce above every earlier bill of `user` and above `onChainNonce`; durable. */
  allocateNonce(user: string, onChainNonce: bigint): Promise<bigint>;
  /** Stores (or replaces) a bill with a synchronous write. */
  putBill(bill: StoredBill): Promise<void>;
  getBill(user: string, nonce: bigint): Promise<StoredBill | undefined>;
  /** Unsettled bills without a signature, in nonce order. */
  unsigned(user: string): Promise<StoredBill[]>;
  attachSignature(user: string, nonce: bigint, sig: BillStoreSignature): Promise<void>;
  usersWithUnsettled(): Promise<string[]>;
  /** Unsettled bills, in nonce order, signed or not. */
  unsettled(user: string): Promise<StoredBill[]>;
  /** Marks every bill of `user` with nonce <= lastNonce settled in `txHash`. */
  markSettled(user: string, lastNonce: bigint, txHash: string): Promise<void>;
  unsettledFee(user: string): Promise<bigint>;
  close(): Promise<void>;
}

export class BillStoreError extends Error {
  override name = "BillStoreError";
}

const NONCE_DIGITS = 20; // 2^64 - 1 has 20 decimal digits, so zero-padding keeps key order = nonce order
const norm = (user: string) => user.toLowerCase();
const nonceKey = (n: bigint) => n.toString().padStart(NONCE_DIGITS, "0");
const billKey = (user: string, nonce: bigint) => `b/${norm(user)}/${nonceKey(nonce)}`;

type BillJson = Omit<StoredBill, "nonce" | "fee" | "requestHash" | "signature"> & {
  nonce: string;
  fee: string;
  requestHash: string;
  signature?: { R8x: string; R8y: string; S: string };
};

function toJson(b: StoredBill): string {
  const json: BillJson = {
    ...b,
    user: norm(b.user),
    nonce: b.nonce.toString(),
    fee: b.fee.toString(),
    requestHash: b.requestHash.toString(),
    signature: b.signature && {
      R8x: b.signature.R8x.toString(),
      R8y: b.signature.R8y.toString(),
      S: b.signature.S.toString(),
    },
  };
  return JSON.stringify(json);
}

function fromJson(text: string): StoredBill {
  const j = JSON.parse(text) as BillJson;
  const bill: StoredBill = {
    user: j.user,
    nonce: BigInt(j.nonce),
    fee: BigInt(j.fee),
    inputTokens: j.inputTokens,
    outputTokens: j.outputTokens,
    requestHash: BigInt(j.requestHash),
    createdAt: j.createdAt,
  };
  if (j.signature)
    bill.signature = { R8x: BigInt(j.signature.R8x), R8y: BigInt(j.signature.R8y), S: BigInt(j.signature.S) };
  if (j.settledTx) bill.settledTx = j.settledTx;
  return bill;
}

export class LevelBillStore implements BillStore {
  // Read-modify-write sequences (nonce allocation, signature attach, settlement) must not interleave.
  private writes: Promise<unknown> = Promise.resolve();

  private constructor(private readonly db: ClassicLevel<string, string>) {}

  /** Opens (creating) the store under `dir`; LevelDB's lock refuses a second broker on the same directory. */
  static async open(dir: string): Promise<LevelBillStore> {
    fs.mkdirSync(dir, { recursive: true });
    const db = new ClassicLevel<string, string>(path.join(dir, "bills.db"), { valueEncoding: "utf8" });
    await db.open();
    return new LevelBillStore(db);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const done = this.writes.then(fn);
    this.writes = done.catch(() => undefined);
    return done;
  }

  allocateNonce(user: string, onChainNonce: bigint): Promise<bigint> {
    return this.serial(async () => {
      const last = await this.db.get(`n/${norm(user)}`);
      const prior = last === undefined ? 0n : BigInt(last);
      const next = (prior > onChainNonce ? prior : onChainNonce) + 1n;
      if (next >= 1n << 64n) throw new BillStoreError(`nonce space of ${user} is exhausted`);
      await this.db.put(`n/${norm(user)}`, next.toString(), { sync: true });
      return next;
    });
  }

  putBill(bill: StoredBill): Promise<void> {
    return this.serial(async () => {
      const batch = this.db.batch().put(billKey(bill.user, bill.nonce), toJson(bill));
      if (!bill.settledTx) batch.put(`u/${norm(bill.user)}`, "1");
      await batch.write({ sync: true });
    });
  }

  async getBill(user: string, nonce: bigint): Promise<StoredBill | undefined> {
    const text = await this.db.get(billKey(user, nonce));
    return text === undefined ? undefined : fromJson(text);
  }

  private async bills(user: string): Promise<StoredBill[]> {
    const prefix = `b/${norm(user)}/`;
    const out: StoredBill[] = [];
    for await (const value of this.db.values({ gte: prefix, lt: `${prefix}~` })) out.push(fromJson(value));
    return out;
  }

  async unsettled(user: string): Promise<StoredBill[]> {
    return (await this.bills(user)).filter((b) => !b.settledTx);
  }

  async unsigned(user: string): Promise<StoredBill[]> {
    return (await this.unsettled(user)).filter((b) => !b.signature);
  }

  attachSignature(user: string, nonce: bigint, sig: BillStoreSignature): Promise<void> {
    return this.serial(async () => {
      const bill = await this.getBill(user, nonce);
      if (!bill) throw new BillStoreError(`no bill ${nonce} for ${user}`);
      await this.db.put(billKey(user, nonce), toJson({ ...bill, signature: sig }), { sync: true });
    });
  }

  async usersWithUnsettled(): Promise<string[]> {
    const users: string[] = [];
    for await (const key of this.db.keys({ gte: "u/", lt: "u0" })) users.push(key.slice(2));
    return users;
  }

  markSettled(user: string, lastNonce: bigint, txHash: string): Promise<void> {
    return this.serial(async () => {
      const open = await this.unsettled(user);
      const batch = this.db.batch();
      let left = 0;
      for (const bill of open) {
        if (bill.nonce <= lastNonce) batch.put(billKey(user, bill.nonce), toJson({ ...bill, settledTx: txHash }));
        else left++;
      }
      if (left === 0) batch.del(`u/${norm(user)}`);
      await batch.write({ sync: true });
    });
  }

  async unsettledFee(user: string): Promise<bigint> {
    return (await this.unsettled(user)).reduce((sum, b) => sum + b.fee, 0n);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
