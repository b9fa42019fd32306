// The market:* Hardhat tasks run in-process against the fixture's deployment (its record written to a folder as a
// deployer's would be), with a TEE oracle server started here: list, buy, listings, fulfil, refund, cancel.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import hre from "hardhat";
import { HDNodeWallet, Mnemonic } from "ethers";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { writeDeployment } from "../../offchain/common/deployments";
import { decryptData, openTee, startOracleServer } from "../../offchain/inft";
import { PLAINTEXT } from "../inft/helpers";
import { marketFixture, PRICE } from "./helpers";

/** The in-process network's account `index` (hardhat's default mnemonic), to open keys sealed to it. */
function accountKey(index: number): string {
  const accounts = hre.config.networks.hardhat.accounts as { mnemonic: string; path: string };
  return HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(accounts.mnemonic), `${accounts.path}/${index}`).privateKey;
}

describe("market tasks", function () {
  it("list, buy, listings, fulfil through an oracle, then buy, refund, list and cancel", async function () {
    const f = await loadFixture(marketFixture);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zg-market-"));
    await writeDeployment(dir, f.ctx.record);
    const sellerKeyFile = path.join(dir, "alice.key");
    fs.writeFileSync(sellerKeyFile, `${f.keys.alice.privateKey}\n`, { mode: 0o600 });
    const oracle = await startOracleServer(f.keys.oracle);
    const log = console.log;
    const lines: string[] = [];
    console.log = (line: string) => lines.push(line);
    const common = { deployments: dir };
    try {
      // The task approves the market itself when needed.
      await f.nft.connect(f.alice).setApprovalForAll(f.marketAddress, false);
      await hre.run("market:list", { ...common, account: "1", token: "1", price: "1" });
      expect(await f.nft.getApproved(f.tokenId)).to.equal(f.marketAddress);
      expect(lines.pop()).to.match(/^listed agent 1 as listing 1 for 1\.0 /);

      await hre.run("market:buy", { ...common, account: f.bob.address, listing: "1", ttl: "86400" });
      expect(lines.pop()).to.match(/^bought listing 1 \(agent 1\) for 1\.0: tee delivery by \d+/);
      expect(await f.market.escrowed()).to.equal(PRICE);

      await hre.run("market:listings", common);
      expect(lines.pop()).to.match(
        new RegExp(
          `^listing 1: agent 1 by ${f.alice.address} for 1\\.0, pending: ${f.bob.address} until \\d+ \\(\\d+s left\\)`,
        ),
      );

      const before = await hre.ethers.provider.getBalance(f.alice.address);
      await hre.run("market:fulfill", {
        ...common,
        account: "3",
        listing: "1",
        keyFile: sellerKeyFile,
        oracle: oracle.url,
      });
      expect(lines.pop()).to.match(new RegExp(`^sold agent 1 to ${f.bob.address} for 1\\.0 `));
      expect(await f.nft.ownerOf(f.tokenId)).to.equal(f.bob.address);
      expect((await hre.ethers.provider.getBalance(f.alice.address)) - before).to.equal(
        PRICE - (PRICE * 250n) / 10_000n,
      );
      // bob's receiver key was his account key: he opens the data with it.
      const key = openTee((await f.nft.sealedKeysOf(f.tokenId))[0], accountKey(2));
      expect(decryptData(key, f.blob)).to.deep.equal(PLAINTEXT);

      await hre.run("market:list", { ...common, account: f.bob.address, token: "1", price: "2" });
      await hre.run("market:buy", { ...common, account: f.carol.address, listing: "2", ttl: "3600" });
      const { deadline } = await f.market.purchase(2n);
      await time.increaseTo(deadline + 1n);
      await hre.run("market:listings", common);
      expect(lines.pop()).to.match(/pending: .* \(expired: refundable\)$/);
      await hre.run("market:refund", { ...common, listing: "2" });
      expect(lines.pop()).to.match(/^refunded listing 2 \(agent 1, tx /);
      expect(await f.market.escrowed()).to.equal(0n);

      await hre.run("market:list", { ...common, account: f.bob.address, token: "1", price: "3" });
      await hre.run("market:cancel", { ...common, account: f.bob.address, listing: "3" });
      expect(lines.pop()).to.match(/^cancelled listing 3 /);
      await hre.run("market:listings", common);
      expect(lines.pop()).to.equal("no open listings");

      await expect(hre.run("market:buy", { ...common, account: "2", listing: "3", ttl: "60" })).to.be.rejectedWith(
        /listing 3 is not open/,
      );
    } finally {
      console.log = log;
      await oracle.close();
    }
  });
});
