// ERC-7857 agent NFTs off chain: data encryption, key sealing in TEE and ZK mode, the oracle and the proof
// builders. Entry points for the `zg inft` CLI and the inft:* Hardhat tasks.
export * from "./data";
export * from "./tee";
export * from "./zk";
export * from "./transfer";
export * from "./oracle";
export * from "./prover";
export * from "./executor";
