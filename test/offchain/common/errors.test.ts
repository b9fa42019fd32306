import { expect } from "chai";
import { ZgError, formatError, isZgError } from "../../../offchain/common";

describe("[offchain] errors", function () {
  describe("formatError", function () {
    it("prints code, message and hint on one line for a ZgError", function () {
      const err = new ZgError("RPC_UNREACHABLE", "cannot reach http://127.0.0.1:8545: ECONNREFUSED", {
        hint: "start a node",
      });
      expect(formatError(err)).to.equal(
        "error[RPC_UNREACHABLE]: cannot reach http://127.0.0.1:8545: ECONNREFUSED — start a node",
      );
    });

    it("prints only the first line of other errors", function () {
      expect(formatError(new Error("boom\n    at somewhere"))).to.equal("error: boom");
      expect(formatError(new TypeError("bad"))).to.equal("error: TypeError: bad");
      expect(formatError("plain string")).to.equal("error: plain string");
    });

    it("lists the inner errors of an AggregateError", function () {
      const inner = new ZgError("LIFECYCLE_CLOSED", "closed", { hint: "h" });
      const line = formatError(new AggregateError([inner, new Error("disk")], "2 of 3 modules failed to close"));
      expect(line).to.equal("error: 2 of 3 modules failed to close: closed — h; disk");
    });
  });

  describe("isZgError", function () {
    it("matches by class and, when given, by code", function () {
      const err = new ZgError("CHAIN_MISMATCH", "m", { hint: "h", cause: new Error("c") });
      expect(isZgError(err)).to.equal(true);
      expect(isZgError(err, "CHAIN_MISMATCH")).to.equal(true);
      expect(isZgError(err, "RPC_UNREACHABLE")).to.equal(false);
      expect(isZgError(new Error("m"))).to.equal(false);
      expect(err.cause).to.be.instanceOf(Error);
    });
  });
});
