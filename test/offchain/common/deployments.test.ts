import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import {
  deploymentPath,
  newDeployment,
  readDeployment,
  recordContract,
  tryReadDeployment,
  writeDeployment,
  type ContractDeployment,
} from "../../../offchain/common";
import { runFixture } from "./fixture-process";
import { expectZgError, tempDir } from "./helpers";

const PROXY = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const IMPL = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
const TX = `0x${"ab".repeat(32)}`;

function flowEntry(overrides: Partial<ContractDeployment> = {}): ContractDeployment {
  return {
    address: PROXY,
    artifact: "Flow",
    kind: "uups",
    implementation: IMPL,
    startBlock: 3,
    txHash: TX,
    ...overrides,
  };
}

describe("[offchain] deployments", function () {
  it("writes and reads back a record at <dir>/<chainId>.json", async function () {
    const dir = path.join(tempDir("deploy"), "deployments");
    const record = recordContract(newDeployment(31337, "localhost"), "Flow", flowEntry({ args: [10n, "x"] }));
    const file = await writeDeployment(dir, record);
    expect(file).to.equal(deploymentPath(dir, 31337));
    expect(file).to.equal(path.join(dir, "31337.json"));

    const read = await readDeployment(dir, 31337);
    expect(read.network).to.equal("localhost");
    expect(read.contracts.Flow).to.deep.equal(flowEntry({ args: ["10", "x"] }));
    expect(fs.readdirSync(dir)).to.deep.equal(["31337.json"]);
  });

  it("stores addresses checksummed whatever case they were given in", async function () {
    const dir = tempDir("deploy");
    const record = recordContract(
      newDeployment(1, "remote"),
      "Token",
      flowEntry({ address: PROXY.toLowerCase(), kind: "plain", implementation: undefined }),
    );
    expect(record.contracts.Token.address).to.equal(PROXY);
    await writeDeployment(dir, record);
    expect((await readDeployment(dir, 1)).contracts.Token.address).to.equal(PROXY);
  });

  it("replaces a record whole, leaving no temp files behind", async function () {
    const dir = tempDir("deploy");
    const first = recordContract(newDeployment(31337, "localhost"), "Flow", flowEntry());
    await writeDeployment(dir, first);
    const second = recordContract(
      first,
      "Mine",
      flowEntry({ artifact: "PoraMine", kind: "plain", implementation: undefined }),
    );
    await writeDeployment(dir, second);
    const read = await readDeployment(dir, 31337);
    expect(Object.keys(read.contracts)).to.deep.equal(["Flow", "Mine"]);
    expect(fs.readdirSync(dir)).to.deep.equal(["31337.json"]);
  });

  it("leaves a whole record when the writer is killed mid-write", async function () {
    this.timeout(60_000);
    const dir = tempDir("deploy");
    for (const delayMs of [20, 75, 150]) {
      const writer = runFixture("write-deployments", [dir]);
      await writer.waitForLine((l) => l.raw === "wrote");
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      writer.child.kill("SIGKILL");
      await writer.exited;
      const record = await readDeployment(dir, 31337);
      expect(record.network).to.match(/^round-\d+$/);
      expect(record.contracts.Big.args).to.have.length(5000);
    }
  });

  it("refuses to record an invalid entry before touching the disk", async function () {
    const dir = tempDir("deploy");
    await writeDeployment(dir, newDeployment(31337, "localhost"));
    const before = fs.readFileSync(deploymentPath(dir, 31337), "utf8");
    const err = await expectZgError(
      () => recordContract(newDeployment(31337, "localhost"), "Flow", flowEntry({ address: "0x1234" })),
      "DEPLOYMENT_MALFORMED",
    );
    expect(err.message).to.contain("address");
    const bad = { ...newDeployment(31337, "localhost"), contracts: { Flow: { ...flowEntry(), startBlock: -1 } } };
    await expectZgError(() => writeDeployment(dir, bad), "DEPLOYMENT_MALFORMED");
    expect(fs.readFileSync(deploymentPath(dir, 31337), "utf8")).to.equal(before);
  });

  it("says DEPLOYMENT_MISSING with the deploy command when there is no record", async function () {
    const dir = tempDir("deploy");
    expect(await tryReadDeployment(dir, 31337)).to.equal(undefined);
    const err = await expectZgError(() => readDeployment(dir, 31337), "DEPLOYMENT_MISSING");
    expect(err.message).to.contain(path.join(dir, "31337.json"));
    expect(err.hint).to.contain("npx hardhat --network localhost deploy").and.to.contain("zg devnet");
  });

  describe("refuses a malformed record with a clear error", function () {
    async function readBroken(text: string, chainId = 31337) {
      const dir = tempDir("deploy");
      fs.writeFileSync(deploymentPath(dir, chainId), text);
      return expectZgError(() => tryReadDeployment(dir, chainId), "DEPLOYMENT_MALFORMED");
    }

    it("half-written JSON", async function () {
      const err = await readBroken('{"chainId": 31337, "contr');
      expect(err.message).to.contain("not valid JSON");
      expect(err.hint).to.contain("redeploy");
    });

    it("a missing field and a bad address, by path", async function () {
      const record = {
        chainId: 31337,
        network: "localhost",
        updatedAt: new Date().toISOString(),
        contracts: { Flow: { ...flowEntry(), address: "0xnope" } },
      };
      delete (record.contracts.Flow as Partial<ContractDeployment>).txHash;
      const err = await readBroken(JSON.stringify(record));
      expect(err.message).to.contain("contracts.Flow.address: must be a 0x-prefixed 20-byte address");
      expect(err.message).to.contain("contracts.Flow.txHash");
    });

    it("an unknown key", async function () {
      const record = { ...newDeployment(31337, "localhost"), extra: true };
      const err = await readBroken(JSON.stringify(record));
      expect(err.message).to.contain("extra");
    });

    it("a chain id that disagrees with the file name", async function () {
      const err = await readBroken(JSON.stringify(newDeployment(1, "mainnet")));
      expect(err.message).to.contain("says chainId 1");
    });
  });
});
