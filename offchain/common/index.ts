export * from "./errors";
export * from "./config";
export * from "./logger";
export * from "./metrics";
export * from "./deployments";
export * from "./chain";
export * from "./lifecycle";
