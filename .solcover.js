// Coverage measures contracts/: off-chain and end-to-end suites (tagged in their describe names) add nothing
// to it and start processes that the instrumented network does not need.
module.exports = {
  skipFiles: ["mocks/", "verifiers/generated/"],
  mocha: { grep: "\\[(offchain|e2e)\\]", invert: true },
};
