import fs from "node:fs";
import { ZgError } from "./errors";

/** Reads a 0x-prefixed 32-byte hex key from the first line of `file`. */
export function readKeyFile(file: string): string {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new ZgError("KEY_FILE_UNREADABLE", `cannot read key file ${file}`, {
      hint: "pass --key-file <file> whose first line is a 0x-prefixed 32-byte hex key",
      cause: err,
    });
  }
  const key = text.split(/\r?\n/, 1)[0].trim();
  if (!/^0x[0-9a-fA-F]{64}$/.test(key)) {
    throw new ZgError("KEY_INVALID", `${file} does not start with a 0x-prefixed 32-byte hex key`, {
      hint: "write the key as 0x followed by 64 hex digits on the first line",
    });
  }
  return key;
}
