import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { createLogger } from "../../../offchain/common";
import { memoryLogger, tempDir } from "./helpers";

describe("[offchain] logger", function () {
  it("writes one JSON object per line with level name, time and message", function () {
    const { logger, lines } = memoryLogger("info");
    logger.info({ segments: 3 }, "stored");
    logger.debug("below the level");
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include({ level: "info", msg: "stored", segments: 3, pid: process.pid });
    expect(Date.parse(String(lines[0].time))).to.be.closeTo(Date.now(), 60_000);
  });

  it("tags child loggers with their module, keeping the parent's bindings", function () {
    const { logger, lines } = memoryLogger();
    const parentBound = logger.child({ node: "storage-1" });
    parentBound.child({ module: "miner" }).warn("slow");
    parentBound.info("plain");
    expect(lines[0]).to.include({ node: "storage-1", module: "miner", level: "warn", msg: "slow" });
    expect(lines[1]).to.not.have.property("module");
  });

  it("serializes errors with their code and hint", function () {
    const { logger, lines } = memoryLogger();
    const err = Object.assign(new Error("boom"), { code: "RPC_UNREACHABLE", hint: "start a node" });
    logger.error({ err }, "failed");
    const logged = lines[0].err as Record<string, unknown>;
    expect(logged).to.include({ message: "boom", code: "RPC_UNREACHABLE", hint: "start a node" });
    expect(logged.stack).to.be.a("string");
  });

  it("censors private keys in logged objects", function () {
    const { logger, lines } = memoryLogger();
    logger.info({ options: { chain: { privateKey: "0xsecret", rpcUrl: "http://x" } } }, "starting");
    expect(JSON.stringify(lines[0])).to.not.contain("0xsecret");
  });

  it("appends to a file, creating its folder, when options.file is set", function () {
    const file = path.join(tempDir("logger"), "logs", "node.log");
    const logger = createLogger({ level: "info", file }, { bindings: { node: "da-signer" } });
    logger.child({ module: "signer" }).info("signed");
    const second = createLogger({ level: "info", file });
    second.info("again");
    const lines = fs
      .readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).to.have.length(2);
    expect(lines[0]).to.include({ node: "da-signer", module: "signer", msg: "signed" });
    expect(lines[1]).to.include({ msg: "again" });
  });
});
