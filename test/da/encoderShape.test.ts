import { expect } from "chai";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  computeShape,
  DaEncodingError,
  DEFAULT_SRS_MANIFEST,
  DEFAULT_SRS_PATH,
  FR_MODULUS,
  initDaCore,
  loadSrs,
  modPow,
  rootOfUnity,
  shapeOf,
  validateShape,
  type Srs,
} from "../../offchain/da/core";

describe("DA encoder: SRS file and shape", function () {
  this.timeout(60_000);
  let srs: Srs;

  before(async function () {
    await initDaCore();
    srs = await loadSrs();
  });

  describe("SRS file", function () {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "da-srs-"));
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("matches the sha256 in its manifest", async function () {
      const manifest = JSON.parse(fs.readFileSync(DEFAULT_SRS_MANIFEST, "utf8"));
      expect(srs.sha256).to.equal(manifest.sha256);
      expect(srs.size).to.equal(manifest.size).and.equal(65536);
      expect(crypto.createHash("sha256").update(fs.readFileSync(DEFAULT_SRS_PATH)).digest("hex")).to.equal(
        manifest.sha256,
      );
    });

    it("refuses a truncated, a corrupted and an unexpected file", async function () {
      const data = fs.readFileSync(DEFAULT_SRS_PATH);
      const truncated = path.join(tmp, "truncated.bin");
      fs.writeFileSync(truncated, data.subarray(0, data.length - 100));
      await expectRefusal(loadSrs(truncated), /truncated/);
      const corrupted = path.join(tmp, "corrupted.bin");
      const copy = Buffer.from(data);
      copy[copy.length >> 1] ^= 1;
      fs.writeFileSync(corrupted, copy);
      await expectRefusal(loadSrs(corrupted), /corrupted/);
      const wrongMagic = path.join(tmp, "magic.bin");
      fs.writeFileSync(wrongMagic, Buffer.concat([Buffer.from("NOTASRS!"), data.subarray(8)]));
      await expectRefusal(loadSrs(wrongMagic), /magic/);
      await expectRefusal(loadSrs(DEFAULT_SRS_PATH, "00".repeat(32)), /expected/);
      await expectRefusal(loadSrs(path.join(tmp, "missing.bin")), /cannot read/);
    });
  });

  describe("shape", function () {
    it("follows the table of the spec", function () {
      expect(computeShape(0)).to.deep.equal({ cols: 32, dataRows: 1, codedRows: 3, rowDomain: 4, blobLength: 0 });
      // 256 scalars = 8 rows of 32: the last blob with C = 32.
      expect(computeShape(256 * 31 - 8)).to.include({ cols: 32, dataRows: 8, codedRows: 24, rowDomain: 32 });
      expect(computeShape(256 * 31 - 7)).to.include({ cols: 64, dataRows: 5, codedRows: 15, rowDomain: 16 });
      expect(computeShape(100, { maxDataRows: 1, blowup: 2 })).to.include({ cols: 32, dataRows: 1, codedRows: 2 });
    });

    it("refuses blobs beyond the SRS and malformed shapes", function () {
      expect(() => computeShape(65536 * 31, {}, 65536)).to.throw(DaEncodingError, /SRS holds 65536/);
      const ok = { cols: 64, dataRows: 2, codedRows: 6, rowDomain: 8 };
      expect(() => validateShape(ok, 65536)).not.to.throw();
      expect(() => validateShape({ ...ok, cols: 48 }, 65536)).to.throw(DaEncodingError, /power of two/);
      expect(() => validateShape({ ...ok, cols: 16 }, 65536)).to.throw(DaEncodingError, /power of two/);
      expect(() => validateShape({ ...ok, codedRows: 7, rowDomain: 8 })).to.throw(DaEncodingError, /b·k/);
      expect(() => validateShape({ ...ok, rowDomain: 16 })).to.throw(DaEncodingError, /next power of two/);
      expect(() => validateShape({ ...ok, cols: 65536 }, 65536)).to.throw(DaEncodingError, /SRS size/);
      expect(() => validateShape({ ...ok, blobLength: 10 })).to.throw(DaEncodingError, /does not make/);
      expect(() => shapeOf(64, 0, 0)).to.throw(DaEncodingError, /k must be/);
    });

    it("uses the roots of unity 5^((r−1)/N)", function () {
      const w = rootOfUnity(64);
      expect(modPow(w, 64n)).to.equal(1n);
      expect(modPow(w, 32n)).to.equal(FR_MODULUS - 1n);
    });
  });
});

async function expectRefusal(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(DaEncodingError);
    expect((e as Error).message).to.match(pattern);
    return;
  }
  expect.fail(`expected a DaEncodingError matching ${pattern}`);
}
