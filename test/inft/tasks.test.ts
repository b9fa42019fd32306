// The inft:* Hardhat tasks, run in-process against the fixture's deployment (its record written to a folder as a
// deployer's would be): mint from a file, transfer in TEE and ZK mode, clone, authorize and revoke.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import hre from "hardhat";
import { Wallet } from "ethers";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { writeDeployment } from "../../offchain/common/deployments";
import { babyJubKeyPair, decodeZkSealedKey, decryptData, openTee, openZk } from "../../offchain/inft";
import { encryptionKey, inftFixture } from "./helpers";

describe("inft tasks", function () {
  it("mint, transfer (tee, zk), clone, authorize and revoke", async function () {
    const f = await loadFixture(inftFixture);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zg-inft-"));
    await writeDeployment(dir, f.ctx.record);
    const data = path.join(dir, "agent.txt");
    fs.writeFileSync(data, "an agent's memory");
    const log = console.log;
    const lines: string[] = [];
    console.log = (line: string) => lines.push(line);
    const bobTee = encryptionKey();
    const carolZk = babyJubKeyPair("carol task key");
    try {
      const common = { deployments: dir };
      await hre.run("inft:mint", { ...common, account: "1", data, description: "memory" });
      const tokenId = 2n;
      expect(await f.nft.ownerOf(tokenId)).to.equal(f.alice.address);
      const keyFile = `${data}.key.json`;
      const blob = fs.readFileSync(`${data}.enc`);

      await hre.run("inft:transfer", {
        ...common,
        account: "1",
        token: "2",
        to: f.bob.address,
        keyFile,
        receiverKey: bobTee.publicKey,
        mode: "tee",
        oracleKey: f.keys.oracle,
        ttl: "3600",
      });
      expect(await f.nft.ownerOf(tokenId)).to.equal(f.bob.address);
      const teeKey = openTee((await f.nft.sealedKeysOf(tokenId))[0], bobTee.privateKey);
      expect(decryptData(teeKey, blob).toString()).to.equal("an agent's memory");

      await hre.run("inft:transfer", {
        ...common,
        account: f.bob.address,
        token: "2",
        to: f.carol.address,
        keyFile,
        receiverKey: `${carolZk.publicKey[0]},${carolZk.publicKey[1]}`,
        mode: "zk",
        ttl: "3600",
      });
      expect(await f.nft.ownerOf(tokenId)).to.equal(f.carol.address);
      const zkKey = openZk(decodeZkSealedKey((await f.nft.sealedKeysOf(tokenId))[0]), carolZk.secret);
      expect(decryptData(zkKey, blob).toString()).to.equal("an agent's memory");

      await hre.run("inft:clone", {
        ...common,
        account: f.carol.address,
        token: "2",
        to: f.dave.address,
        keyFile,
        receiverKey: bobTee.publicKey,
        mode: "tee",
        oracleKey: f.keys.oracle,
        ttl: "3600",
      });
      expect(await f.nft.ownerOf(3n)).to.equal(f.dave.address);

      await hre.run("inft:authorize", { ...common, account: f.carol.address, token: "2", user: f.bob.address });
      expect(await f.nft.authorizedUsersOf(tokenId)).to.deep.equal([f.bob.address]);
      await hre.run("inft:authorize", {
        ...common,
        account: f.carol.address,
        token: "2",
        user: f.bob.address,
        revoke: true,
      });
      expect(await f.nft.authorizedUsersOf(tokenId)).to.deep.equal([]);
      await hre.run("inft:info", { ...common, token: "2" });
      const newOracle = Wallet.createRandom().address;
      await hre.run("inft:acknowledge-oracle", { ...common, oracle: newOracle });
      expect(await f.tee.isOracle(newOracle)).to.equal(true);
      await hre.run("inft:acknowledge-oracle", { ...common, oracle: newOracle, revoke: true });
      expect(await f.tee.isOracle(newOracle)).to.equal(false);
      await expect(
        hre.run("inft:transfer", {
          ...common,
          token: "2",
          to: f.bob.address,
          keyFile,
          receiverKey: "0x",
          mode: "x",
          ttl: "1",
        }),
      ).to.be.rejectedWith(/--mode x/);
    } finally {
      console.log = log;
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(lines.join("\n"))
      .to.match(/minted agent 2/)
      .and.match(/transferred agent 2 .* zk mode/);
  });
});
