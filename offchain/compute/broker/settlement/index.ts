// Settlement of the broker's bills on chain: the scheduler, its prover thread, the TEE signer's settlement.
export * from "./metrics";
export * from "./plan";
export * from "./prover";
export * from "./scheduler";
export * from "./tee";
