// The compute receipt protocol, pure: sessions, bills, fees, request hashes, receipts, OpenAI errors.
export * from "./bill";
export * from "./billSignature";
export * from "./encoding";
export * from "./errors";
export * from "./session";
export { type PrivateKey, type PublicKey, receiptPublicKey, SNARK_SCALAR_FIELD } from "../../zk/receipt";

/** HTTP headers of the protocol (lower case, as node reports them). */
export const ZG_HEADERS = {
  bill: "x-zg-bill",
  billSignature: "x-zg-bill-signature",
  receipts: "x-zg-receipts",
} as const;
