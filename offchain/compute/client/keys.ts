/**
 * The user's receipt key: a Baby Jubjub private key (32 random bytes, EdDSA-Poseidon) kept in its own file,
 * separate from the Ethereum key so a leaked receipt key can only sign receipts, never move funds. By default it
 * lives next to the user's Ethereum key file as `<key-file>.receipt` and is generated on first use.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import { getBytes, hexlify } from "ethers";
import { ZgError } from "../../common/errors";
import { readKeyFile } from "../../common/keys";
import { receiptPublicKey, type PublicKey } from "../core";

export interface ReceiptKey {
  /** The 32 key bytes (the file holds them as 0x + 64 hex digits). */
  privateKey: Uint8Array;
  publicKey: PublicKey;
  /** Where it was read from (or written to). */
  file: string;
  /** True when this call generated it. */
  created: boolean;
}

/** `<userKeyFile>.receipt`: where the receipt key of that Ethereum key lives by default. */
export function defaultReceiptKeyFile(userKeyFile: string): string {
  return `${userKeyFile}.receipt`;
}

/**
 * Reads the receipt key from `file`; when the file does not exist and `create` is set, generates one and writes it
 * there (mode 0600, refusing to overwrite a file created meanwhile).
 */
export function loadReceiptKey(file: string, { create = false } = {}): ReceiptKey {
  if (!fs.existsSync(file)) {
    if (!create) {
      throw new ZgError("KEY_FILE_UNREADABLE", `no receipt key at ${file}`, {
        hint: "run `zg compute account --create` first (it generates the key), or pass --receipt-key-file",
      });
    }
    const privateKey = new Uint8Array(crypto.randomBytes(32));
    try {
      fs.writeFileSync(file, `${hexlify(privateKey)}\n`, { mode: 0o600, flag: "wx" });
    } catch (err) {
      throw new ZgError("KEY_FILE_UNREADABLE", `cannot write the receipt key to ${file}`, {
        hint: "check that the folder of the key file is writable, or pass --receipt-key-file",
        cause: err,
      });
    }
    return { privateKey, publicKey: receiptPublicKey(privateKey), file, created: true };
  }
  const privateKey = getBytes(readKeyFile(file));
  return { privateKey, publicKey: receiptPublicKey(privateKey), file, created: false };
}
