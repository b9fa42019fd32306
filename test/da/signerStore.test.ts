import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { BlobConflictError, SignerStore } from "../../offchain/da/node/store";
import type { RowJson } from "../../offchain/da/protocol";

const blob = { dataRoot: `0x${"11".repeat(32)}`, epoch: "3", quorumId: "0" };
const meta = {
  blob,
  shape: { cols: 32, dataRows: 1, codedRows: 3, rowDomain: 4, blobLength: 10 },
  rowsRoot: `0x${"22".repeat(32)}`,
  commitment: { X: "1", Y: "2" },
  degreeProof: { X: ["1", "2"] as [string, string], Y: ["3", "4"] as [string, string] },
};
const row = (index: number): RowJson => ({ index, data: "AAAA", proof: { X: "5", Y: "6" }, inclusion: [] });

describe("[offchain] DA signer store", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "zg-da-store-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("keeps a blob's facts and rows across a reopen and counts each blob once", async () => {
    const store = await SignerStore.open(dir);
    await store.putBlob(meta, [row(0)]);
    await store.putBlob(meta, [row(0), row(2)]);
    expect(store.count()).to.equal(1);
    await store.close();
    const reopened = await SignerStore.open(dir);
    expect(reopened.count()).to.equal(1);
    expect((await reopened.getBlob(blob))?.rows).to.deep.equal([0, 2]);
    expect(await reopened.getRows(blob, [0, 1, 2])).to.deep.equal([row(0), row(2)]);
    await reopened.close();
  });

  it("refuses the same blob under another commitment and keeps what it had", async () => {
    const store = await SignerStore.open(dir);
    await store.putBlob(meta, [row(0)]);
    const other = { ...meta, commitment: { X: "7", Y: "8" } };
    await expect(store.putBlob(other, [row(1)])).to.be.rejectedWith(BlobConflictError);
    expect((await store.getBlob(blob))?.commitment).to.deep.equal(meta.commitment);
    expect((await store.getBlob(blob))?.rows).to.deep.equal([0]);
    await store.close();
  });

  it("serializes concurrent writes of one blob", async () => {
    const store = await SignerStore.open(dir);
    await Promise.all([store.putBlob(meta, [row(0)]), store.putBlob(meta, [row(1)]), store.putBlob(meta, [row(2)])]);
    expect(store.count()).to.equal(1);
    expect((await store.getBlob(blob))?.rows).to.deep.equal([0, 1, 2]);
    await store.close();
  });

  it("refuses a second node on the same directory", async () => {
    const store = await SignerStore.open(dir);
    await expect(SignerStore.open(dir)).to.be.rejected;
    await store.close();
  });
});
