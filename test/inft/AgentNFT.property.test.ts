// Property: any sequence of authorizeUsage / revokeAuthorization calls (valid or not) leaves the on-chain list
// equal, as a set, to a model of who is authorized, with no duplicates, at most 16 users, and the mapping in step.
import { expect } from "chai";
import fc from "fast-check";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { inftFixture } from "./helpers";

describe("AgentNFT: authorization property", function () {
  it("the list, the mapping and a model set agree after any sequence of calls", async function () {
    const f = await loadFixture(inftFixture);
    const users = Array.from({ length: 18 }, (_, i) => `0x${(i + 1).toString(16).padStart(40, "0")}`);
    const op = fc.record({ revoke: fc.boolean(), user: fc.integer({ min: 0, max: users.length - 1 }) });
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 30 }), async (ops) => {
        const g = await loadFixture(inftFixture);
        const nft = g.nft.connect(g.alice);
        const model = new Set<string>();
        for (const { revoke, user } of ops) {
          const who = users[user];
          const ok = revoke ? model.has(who) : !model.has(who) && model.size < 16;
          const call = revoke ? nft.revokeAuthorization(f.tokenId, who) : nft.authorizeUsage(f.tokenId, who);
          if (ok) {
            await call;
            if (revoke) model.delete(who);
            else model.add(who);
          } else {
            await expect(call).to.be.reverted;
          }
        }
        const list = await g.nft.authorizedUsersOf(f.tokenId);
        expect(new Set(list).size).to.equal(list.length);
        expect([...list].map((a) => a.toLowerCase()).sort()).to.deep.equal([...model].sort());
        for (const who of users) expect(await g.nft.isAuthorizedUser(f.tokenId, who)).to.equal(model.has(who));
      }),
      { numRuns: 15 },
    );
  });
});
