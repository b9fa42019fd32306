// The compute:* Hardhat tasks, run in-process against the fixture's deployment (its record written to a folder as
// a deployer's would be).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { writeDeployment } from "../../offchain/common/deployments";
import { ledgerKey, Mode, servingFixture, signTee, USER_KEY, zkParams } from "./servingHelpers";
import { makeProvider } from "./helpers";

/** Runs the tasks with console.log captured; returns what they printed. */
async function captured(run: () => Promise<void>): Promise<string> {
  const log = console.log;
  const lines: string[] = [];
  console.log = (line: string) => lines.push(line);
  try {
    await run();
  } finally {
    console.log = log;
  }
  return lines.join("\n");
}

describe("compute tasks", function () {
  it("compute:services, compute:ack-signer, compute:nonce and compute:account", async function () {
    const f = await loadFixture(servingFixture);
    const [, , , , , teeSigner, teeProvider] = await hre.ethers.getSigners();
    await makeProvider(f, teeProvider, 1);
    await f.serving
      .connect(teeProvider)
      .registerService(zkParams({ model: "tee-model", verifiability: Mode.Tee, teeSigner: teeSigner.address }));
    await f.ledger.connect(f.user).deposit({ value: 500n });
    await f.ledger.connect(f.user).transfer(teeProvider.address, 100n);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zg-compute-"));
    await writeDeployment(dir, f.ctx.record);
    const common = { deployments: dir };

    const before = await captured(() => hre.run("compute:services", common));
    expect(before).to.include("2 provider(s); minimum service stake 100.0");
    expect(before).to.match(
      new RegExp(`${f.provider.address}\\s+zg-tiny\\s+http://127.0.0.1:8080\\s+1000\\s+2000\\s+zk`),
    );
    expect(before).to.include(`${teeSigner.address} (not ack.)`);

    const ack = await captured(() => hre.run("compute:ack-signer", { ...common, signer: teeSigner.address }));
    expect(ack).to.include(`acknowledged TEE signer ${teeSigner.address}`);
    expect(await f.serving.isTeeSignerAcknowledged(teeSigner.address)).to.equal(true);
    const after = await captured(() => hre.run("compute:services", common));
    expect(after).not.to.include("not ack.");

    const s = { user: f.user.address, firstNonce: 1n, lastNonce: 4n, total: 10n, billsHash: hre.ethers.ZeroHash };
    await f.serving.connect(teeProvider).settleTee([s], [await signTee(f, teeSigner, s, teeProvider.address)]);
    const nonce = await captured(() =>
      hre.run("compute:nonce", { ...common, user: f.user.address, provider: teeProvider.address }),
    );
    expect(nonce).to.include("nonce 4");

    const account = await captured(() => hre.run("compute:account", { ...common, user: f.user.address }));
    const [x, y] = ledgerKey(USER_KEY);
    expect(account).to.include(`signer key   (${x}, ${y})`);
    expect(account).to.match(/balance {6}0.0000000000000004\n/);
    expect(account).to.match(new RegExp(`${f.provider.address}\\s+1.0\\s+0.0\\s+0\\s+0`));
    expect(account).to.match(new RegExp(`${teeProvider.address}\\s+0.00000000000000009\\s+0.0\\s+0\\s+4`));
    const none = await captured(() => hre.run("compute:account", { ...common, user: f.stranger.address }));
    expect(none).to.include(`${f.stranger.address} has no compute account`);

    const revoke = await captured(() =>
      hre.run("compute:ack-signer", { ...common, signer: teeSigner.address, revoke: true }),
    );
    expect(revoke).to.include("revoked TEE signer");
    expect(await f.serving.isTeeSignerAcknowledged(teeSigner.address)).to.equal(false);
    await expect(
      hre.run("compute:nonce", { ...common, user: "0x12", provider: f.provider.address }),
    ).to.be.rejectedWith(/--user 0x12 is not an address/);
  });
});
