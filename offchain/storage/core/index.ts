/** zg storage core: 0G Storage's data layout, file roots, submissions, proofs and flow tree. Pure: no I/O. */
export * from "./constants";
export * from "./hash";
export * from "./merkle";
export * from "./file";
export * from "./flowTree";
export * from "./pora";
export * from "./sectorTree";
export * from "./segmentHasher";
