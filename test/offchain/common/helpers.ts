import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { expect } from "chai";
export { freePort } from "../../helpers/process";
import { createLogger, isZgError, type LogLevel, type Logger, type ZgError } from "../../../offchain/common";

/** Runs `fn` and returns the ZgError it throws, failing the test if it throws anything else or nothing. */
export async function expectZgError(fn: () => unknown, code: string): Promise<ZgError<string>> {
  let thrown: unknown;
  try {
    await fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown, `expected a ZgError ${code}, but nothing was thrown`).to.not.equal(undefined);
  if (!isZgError(thrown)) throw thrown;
  expect(thrown.code, thrown.message).to.equal(code);
  return thrown;
}

export function tempDir(t: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `zg-${t}-`));
}

export type LogLine = Record<string, unknown> & { msg: string; level: string };

/** A logger whose JSON lines land in `lines`, for asserting on what was logged. */
export function memoryLogger(level: LogLevel = "trace"): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString("utf8").split("\n")) if (line) lines.push(JSON.parse(line) as LogLine);
      callback();
    },
  });
  return { logger: createLogger({ level }, { destination: stream }), lines };
}
