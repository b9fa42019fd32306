#!/usr/bin/env node
// The `zg` command. It runs the TypeScript sources directly (transpile only: type checking is the build's job,
// not every start's).
const path = require("node:path");

require("ts-node").register({
  transpileOnly: true,
  project: path.join(__dirname, "..", "tsconfig.json"),
});
require("../offchain/cli/main").main(process.argv);
