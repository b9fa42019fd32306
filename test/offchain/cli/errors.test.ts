import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, runZg } from "../../helpers/process";

/** Every user mistake ends in exactly one stderr line with a code and a hint, and exit code 1. */
function expectOneLine(result: { code: number | null; stderr: string }, pattern: RegExp) {
  expect(result.code).to.equal(1);
  const lines = result.stderr.trim().split("\n");
  expect(lines, result.stderr).to.have.length(1);
  expect(lines[0]).to.match(pattern);
}

describe("[offchain] zg CLI errors", function () {
  this.timeout(60_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zg-cli-"));

  it("prints help listing the commands", async () => {
    const result = await runZg(["--help"]);
    expect(result.code).to.equal(0);
    expect(result.stdout)
      .to.match(/devnet \[options\]/)
      .and.match(/chain \[options\]/);
  });

  it("names a typo in a config file and suggests the right key", async () => {
    const file = path.join(dir, "devnet.json");
    fs.writeFileSync(file, JSON.stringify({ metrics: { prot: 9100 } }));
    const result = await runZg(["devnet", "--config", file]);
    expectOneLine(result, /^error\[CONFIG_INVALID\]: metrics\.prot: unrecognized key; did you mean metrics\.port\?/);
  });

  it("refuses a config file that does not exist", async () => {
    const result = await runZg(["devnet", "--config", path.join(dir, "missing.json")]);
    expectOneLine(result, /^error\[CONFIG_FILE_UNREADABLE\]: cannot read config file .*missing\.json/);
  });

  it("refuses a bad flag value", async () => {
    const result = await runZg(["devnet", "--port", "eighty"]);
    expectOneLine(result, /^error\[CONFIG_INVALID\]: port: .*from flag --port/);
  });

  it("refuses a devnet on an external chain without a key, with a bad key, or unreachable", async () => {
    const port = await freePort();
    const rpc = `http://127.0.0.1:${port}`;
    const dataDir = path.join(dir, "external");
    expectOneLine(
      await runZg(["devnet", "--rpc", rpc, "--data-dir", dataDir]),
      /^error\[CONFIG_INVALID\]: .*needs --key/,
    );
    const badKey = path.join(dir, "bad.key");
    fs.writeFileSync(badKey, "not a key\n");
    expectOneLine(
      await runZg(["devnet", "--rpc", rpc, "--key", badKey, "--data-dir", dataDir]),
      /^error\[KEY_INVALID\]: /,
    );
    const key = path.join(dir, "good.key");
    fs.writeFileSync(key, `0x${"11".repeat(32)}\n`);
    expectOneLine(
      await runZg(["devnet", "--rpc", rpc, "--key", key, "--data-dir", dataDir]),
      /^error\[DEVNET_CHAIN_FAILED\]: the chain at http:\/\/127\.0\.0\.1:\d+ did not answer/,
    );
  });

  it("says an RPC URL is unreachable and what to do", async () => {
    const port = await freePort();
    const result = await runZg(["chain", "--rpc", `http://127.0.0.1:${port}`]);
    expectOneLine(result, /^error\[RPC_UNREACHABLE\]: .*127\.0\.0\.1:\d+.* — .*zg devnet/);
  });

  it("rejects an unknown option through commander in one line", async () => {
    const result = await runZg(["devnet", "--prot", "1"]);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(/unknown option '--prot'/);
  });
});
