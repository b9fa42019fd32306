// End to end on `zg devnet` (a `hardhat node` with the protocol deployed by the deploy code): an oracle server,
// the inft:* tasks as a deployer and owners run them, and the receivers decrypting what they got.
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { Contract, JsonRpcProvider, Wallet } from "ethers";
import { babyJubKeyPair, decryptData, openTee } from "../../offchain/inft";
import { devAddress, freePort, runTask, runZg, startDevnet, startZg, waitFor, type Devnet } from "../helpers/process";

const ABI = [
  "function ownerOf(uint256) view returns (address)",
  "function sealedKeysOf(uint256) view returns (bytes[])",
  "function authorizedUsersOf(uint256) view returns (address[])",
  "function transferFrom(address,address,uint256)",
  "error AgentNFTUseITransferFrom(uint256 tokenId)",
];

describe("[e2e] inft on zg devnet", function () {
  this.timeout(300_000);
  let devnet: Devnet;
  let url: string;
  let deployments: string;
  let dataDir: string;

  before(async () => {
    devnet = await startDevnet("zg-inft-e2e-");
    ({ url, deployments, dataDir } = devnet);
  });

  after(() => devnet.stop());

  it("mints an encrypted agent, transfers it in TEE and ZK mode, clones it, authorizes and revokes", async () => {
    const run = (...args: string[]) => runTask(url, deployments, args);
    const record = JSON.parse(fs.readFileSync(path.join(deployments, "31337.json"), "utf8"));
    const provider = new JsonRpcProvider(url);
    const nft = new Contract(record.contracts.AgentNFT.address, ABI, provider);
    // The oracle as an operator runs it: `zg inft oracle` with its key in a file.
    const writeKey = (name: string, key: string) => {
      const file = path.join(dataDir, name);
      fs.writeFileSync(file, `${key}\n`, { mode: 0o600 });
      return file;
    };
    const oraclePort = await freePort();
    const oracleProcess = startZg([
      "inft",
      "oracle",
      "--key-file",
      writeKey("oracle.key", Wallet.createRandom().privateKey),
      "--port",
      String(oraclePort),
    ]);
    await waitFor(
      () => /oracle ready/.test(oracleProcess.stdout()) || oracleProcess.child.exitCode !== null,
      60_000,
      "oracle",
    );
    const [, oracleUrl, oracleAddress] = /oracle ready: (\S+) \(signer (0x[0-9a-fA-F]{40})/.exec(
      oracleProcess.stdout(),
    )!;
    const oracle = { url: oracleUrl, address: oracleAddress };
    // What a new owner runs to read its agent: `zg inft open`.
    const open = async (keyFile: string, token: string, ...extra: string[]) => {
      const result = await runZg([
        "inft",
        "open",
        token,
        "--key-file",
        keyFile,
        "--blob",
        `${data}.enc`,
        "--rpc",
        url,
        "--deployments",
        deployments,
        ...extra,
      ]);
      expect(result.code, result.stderr).to.equal(0);
      return result.stdout;
    };
    const data = path.join(dataDir, "agent.txt");
    try {
      await run("inft:acknowledge-oracle", "--oracle", oracle.address);
      fs.writeFileSync(data, "the agent's weights and memory");
      const minted = await run("inft:mint", "--account", "1", "--data", data, "--description", "memory");
      const tokenId = /minted agent (\d+)/.exec(minted)![1];
      const keyFile = `${data}.key.json`;
      const blob = fs.readFileSync(`${data}.enc`);
      const [alice, bob, carol, dave] = [1, 2, 3, 4].map(devAddress);
      expect(await nft.ownerOf(tokenId)).to.equal(alice);

      // TEE mode through the oracle server; bob decrypts with his encryption key.
      const bobKey = Wallet.createRandom();
      const bobPub = bobKey.signingKey.publicKey;
      await run(
        "inft:transfer",
        "--account",
        "1",
        "--token",
        tokenId,
        "--to",
        bob,
        "--key-file",
        keyFile,
        "--mode",
        "tee",
        "--receiver-key",
        bobPub,
        "--oracle-url",
        oracle.url,
      );
      expect(await nft.ownerOf(tokenId)).to.equal(bob);
      expect(await open(writeKey("bob.key", bobKey.privateKey), tokenId)).to.equal("the agent's weights and memory");

      // ZK mode: carol's Baby Jubjub key; no oracle involved.
      const carolSeed = Wallet.createRandom().privateKey;
      const carolZk = babyJubKeyPair(carolSeed);
      const zk = await run(
        "inft:transfer",
        "--account",
        "2",
        "--token",
        tokenId,
        "--to",
        carol,
        "--key-file",
        keyFile,
        "--mode",
        "zk",
        "--receiver-key",
        `${carolZk.publicKey[0]},${carolZk.publicKey[1]}`,
      );
      expect(zk).to.match(/proved the key transfer in \d+ ms/);
      expect(await nft.ownerOf(tokenId)).to.equal(carol);
      expect(await open(writeKey("carol.key", carolSeed), tokenId, "--zk")).to.equal("the agent's weights and memory");
      // The old owner's key no longer opens what the token now holds.
      const stale = await runZg([
        "inft",
        "open",
        tokenId,
        "--key-file",
        path.join(dataDir, "bob.key"),
        "--blob",
        `${data}.enc`,
        "--rpc",
        url,
        "--deployments",
        deployments,
      ]);
      expect(stale.code).to.equal(1);

      // Clone to dave (TEE), then authorize and revoke bob as a user of carol's agent.
      const daveKey = Wallet.createRandom();
      const cloned = await run(
        "inft:clone",
        "--account",
        "3",
        "--token",
        tokenId,
        "--to",
        dave,
        "--key-file",
        keyFile,
        "--mode",
        "tee",
        "--receiver-key",
        daveKey.signingKey.publicKey,
        "--oracle-url",
        oracle.url,
      );
      expect(cloned).to.match(/cloned agent \d+ to/);
      const cloneId = BigInt(tokenId) + 1n;
      expect(await nft.ownerOf(cloneId)).to.equal(dave);
      expect(decryptData(openTee((await nft.sealedKeysOf(cloneId))[0], daveKey.privateKey), blob).toString()).to.equal(
        "the agent's weights and memory",
      );
      await run("inft:authorize", "--account", "3", "--token", tokenId, "--user", bob);
      expect(await nft.authorizedUsersOf(tokenId)).to.deep.equal([bob]);
      await run("inft:authorize", "--account", "3", "--token", tokenId, "--user", bob, "--revoke");
      expect(await nft.authorizedUsersOf(tokenId)).to.deep.equal([]);

      // A plain transfer is refused by name.
      const signer = await provider.getSigner(carol);
      const refusal = await (nft.connect(signer) as Contract).transferFrom.staticCall(carol, bob, tokenId).then(
        () => null,
        (error: { data?: string }) => error.data,
      );
      expect(nft.interface.parseError(refusal!)?.name).to.equal("AgentNFTUseITransferFrom");
      expect(await nft.ownerOf(tokenId)).to.equal(carol);
    } finally {
      oracleProcess.child.kill("SIGINT");
      expect(await oracleProcess.exited).to.equal(0);
      provider.destroy();
    }
  });
});
