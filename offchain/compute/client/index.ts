// The user-side compute SDK: ledger account, services, sessions and a paying fetch for the openai client.
export * from "./account";
export { computeContracts, type ComputeContracts } from "../chain";
export { billDomain } from "../core";
export * from "./fetch";
export * from "./keys";
export * from "./services";
export * from "./session";
