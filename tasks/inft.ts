// ERC-7857 agent NFT tasks: mint an agent from a file, transfer or clone it in TEE or ZK mode, authorize users.
// The data key is kept in a JSON key file next to the data (devnets and tests; a production owner keeps it in a
// wallet or the `zg inft` CLI's key store). TEE mode asks an oracle (`--oracle-url`, or `--oracle-key` to run the
// oracle logic in-process on a devnet); ZK mode proves locally with the committed circuit.
import fs from "node:fs";
import { task, types } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { isAddress } from "ethers";
import {
  agentNftDomain,
  checkDataKey,
  type DataKey,
  dataHashOf,
  encryptData,
  type EntryTransfer,
  handleTransfer,
  intelligentData,
  randomDataKey,
  requestTransfer,
  sealTee,
  startOracleServer,
  teePublicKey,
  teeTransferProof,
  type TransferRequest,
  type TransferValidityProof,
  zkTransferProof,
} from "../offchain/inft";
import { releaseSnarkjsWorkers } from "../offchain/zk/workers";
import { accountSigner, recordedAddress, taskContext, type DeploymentArgs } from "./lib";

interface InftArgs extends DeploymentArgs {
  account?: string;
}

/** What the key file holds: enough to re-seal the key and to decrypt the data. */
export interface InftKeyFile {
  description: string;
  dataKey: [string, string];
  dataHash: string;
  keyCommitment: string;
  encryptedFile: string;
}

async function agentNft(hre: HardhatRuntimeEnvironment, args: InftArgs) {
  const ctx = await taskContext(hre, args);
  const signer = await accountSigner(hre, args.account);
  const nft = await hre.ethers.getContractAt("AgentNFT", recordedAddress(ctx, "AgentNFT"), signer);
  return { ctx, signer, nft };
}

function address(value: string, flag: string): string {
  if (!isAddress(value)) throw new Error(`--${flag} ${value} is not an address`);
  return value;
}

function readKeyFile(file: string): { key: DataKey; info: InftKeyFile } {
  if (!fs.existsSync(file)) throw new Error(`--key-file ${file} does not exist: pass the file inft:mint wrote`);
  const info = JSON.parse(fs.readFileSync(file, "utf8")) as InftKeyFile;
  return { key: checkDataKey(info.dataKey.map((k) => BigInt(k))), info };
}

function inftTask(name: string, description: string) {
  return task(name, description)
    .addOptionalParam("account", "account index or address to act as (default: the first)")
    .addOptionalParam("deployments", "folder of <chainId>.json deployment records");
}

inftTask("inft:mint", "Encrypts a file as an agent's data and mints the agent")
  .addParam("data", "file with the agent's data")
  .addOptionalParam("description", "what the data is", "agent data")
  .addOptionalParam("to", "owner (default: the account)")
  .addOptionalParam("ownerKey", "owner's secp256k1 public key to seal the data key to (0x04...)")
  .addOptionalParam("keyFile", "where to write the data key (default: <data>.key.json)")
  .setAction(async (args, hre) => {
    const { signer, nft } = await agentNft(hre, args);
    const to = args.to ? address(args.to, "to") : signer.address;
    const key = randomDataKey();
    const blob = encryptData(key, fs.readFileSync(args.data));
    const encryptedFile = `${args.data}.enc`;
    fs.writeFileSync(encryptedFile, blob);
    const entry = intelligentData(args.description, dataHashOf(blob), key);
    const sealed = args.ownerKey ? sealTee(key, args.ownerKey) : "0x";
    const tx = await nft.mint(to, [entry], [sealed]);
    const receipt = await tx.wait();
    const minted = receipt?.logs.map((log) => nft.interface.parseLog(log)).find((parsed) => parsed?.name === "Minted");
    const tokenId = minted?.args.tokenId as bigint;
    const keyFile = args.keyFile ?? `${args.data}.key.json`;
    const info: InftKeyFile = {
      description: args.description,
      dataKey: [key[0].toString(), key[1].toString()],
      dataHash: entry.dataHash,
      keyCommitment: entry.keyCommitment,
      encryptedFile,
    };
    fs.writeFileSync(keyFile, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
    console.log(`minted agent ${tokenId} to ${to}: data ${entry.dataHash} (${encryptedFile}), key in ${keyFile}`);
  });

async function moveAgent(hre: HardhatRuntimeEnvironment, args: Record<string, string>, isClone: boolean) {
  const { ctx, signer, nft } = await agentNft(hre, args);
  const tokenId = BigInt(args.token);
  const to = address(args.to, "to");
  const consentSigner = await accountSigner(hre, args.receiverAccount ?? args.to);
  const { key } = readKeyFile(args.keyFile);
  const chainId = (await hre.ethers.provider.getNetwork()).chainId;
  const nftAddress = await nft.getAddress();
  const datas = await nft.intelligentDatasOf(tokenId);
  const entry: EntryTransfer = {
    domain: agentNftDomain(chainId, nftAddress),
    tokenId,
    receiver: to,
    isClone,
    dataHash: datas[0].dataHash,
    nonce: await nft.transferNonce(tokenId),
    // The chain's clock, not this machine's: a devnet may run ahead of wall time.
    deadline: BigInt((await hre.ethers.provider.getBlock("latest"))!.timestamp) + BigInt(args.ttl),
  };
  let proof: TransferValidityProof;
  if (args.mode === "zk") {
    const [x, y] = args.receiverKey.split(",").map((v) => BigInt(v.trim()));
    const built = await zkTransferProof(entry, key, [x, y], consentSigner);
    await releaseSnarkjsWorkers();
    console.log(`proved the key transfer in ${built.provingMs} ms`);
    proof = built.proof;
  } else if (args.mode === "tee") {
    const oracleKey: string | undefined = args.oracleKey;
    const oraclePublicKey = oracleKey
      ? teePublicKey(oracleKey)
      : ((await (await fetch(`${args.oracleUrl}/v1/info`)).json()) as { publicKey: string }).publicKey;
    const request: TransferRequest = {
      chainId: chainId.toString(),
      nft: nftAddress,
      verifier: recordedAddress(ctx, "TeeTransferVerifier"),
      tokenId: tokenId.toString(),
      receiver: to,
      receiverKey: args.receiverKey,
      nonce: entry.nonce.toString(),
      dataHash: datas[0].dataHash,
      keyCommitment: datas[0].keyCommitment,
      deadline: entry.deadline.toString(),
      sealedKeyForOracle: sealTee(key, oraclePublicKey),
    };
    if (!oracleKey && !args.oracleUrl) throw new Error("TEE mode needs --oracle-url (or --oracle-key on a devnet)");
    const answer = oracleKey
      ? await handleTransfer(oracleKey, request)
      : await requestTransfer(args.oracleUrl, request);
    proof = await teeTransferProof(entry, args.receiverKey, answer, consentSigner);
  } else {
    throw new Error(`--mode ${args.mode} is neither tee nor zk`);
  }
  const from = await nft.ownerOf(tokenId);
  const tx = isClone
    ? await nft.iCloneFrom(from, to, tokenId, [proof])
    : await nft.iTransferFrom(from, to, tokenId, [proof]);
  const receipt = await tx.wait();
  console.log(
    `${isClone ? "cloned" : "transferred"} agent ${tokenId} to ${to} in ${args.mode} mode ` +
      `(gas ${receipt?.gasUsed}, tx ${receipt?.hash}) as ${signer.address}`,
  );
}

for (const [name, isClone] of [
  ["inft:transfer", false],
  ["inft:clone", true],
] as const) {
  inftTask(
    name,
    isClone ? "Clones an agent's data into a new token for a receiver" : "Transfers an agent with its data",
  )
    .addParam("token", "token id")
    .addParam("to", "receiver address")
    .addParam("keyFile", "the data key file inft:mint wrote")
    .addParam("receiverKey", "receiver's public key: tee: secp256k1 0x04...; zk: Baby Jubjub x,y")
    .addOptionalParam("mode", "tee or zk", "tee")
    .addOptionalParam("receiverAccount", "account that signs the receiver's consent (default: --to)")
    .addOptionalParam("oracleUrl", "TEE oracle URL")
    .addOptionalParam("oracleKey", "devnet only: run the oracle in-process with this key")
    .addOptionalParam("ttl", "seconds the proof stays valid", "3600")
    .setAction(async (args, hre) => moveAgent(hre, args, isClone));
}

inftTask("inft:authorize", "Authorizes (or revokes) a user of an agent")
  .addParam("token", "token id")
  .addParam("user", "user address")
  .addFlag("revoke", "revoke instead of authorize")
  .setAction(async (args, hre) => {
    const { nft } = await agentNft(hre, args);
    const user = address(args.user, "user");
    const tx = args.revoke
      ? await nft.revokeAuthorization(args.token, user)
      : await nft.authorizeUsage(args.token, user);
    await tx.wait();
    console.log(`${args.revoke ? "revoked" : "authorized"} ${user} on agent ${args.token}`);
  });

inftTask("inft:info", "Prints an agent's owner, entries, nonce and authorized users")
  .addParam("token", "token id", undefined, types.string)
  .setAction(async (args, hre) => {
    const { nft } = await agentNft(hre, args);
    const id = BigInt(args.token);
    console.log(`owner ${await nft.ownerOf(id)}, nonce ${await nft.transferNonce(id)}`);
    for (const d of await nft.intelligentDatasOf(id)) {
      console.log(`  ${d.dataDescription}: data ${d.dataHash} key commitment ${d.keyCommitment}`);
    }
    console.log(`authorized: ${(await nft.authorizedUsersOf(id)).join(", ") || "none"}`);
  });

inftTask("inft:acknowledge-oracle", "Governance: acknowledges (or revokes) a TEE oracle signing key")
  .addParam("oracle", "the oracle key's address")
  .addFlag("revoke", "revoke instead of acknowledge")
  .setAction(async (args, hre) => {
    const ctx = await taskContext(hre, args);
    const signer = await accountSigner(hre, args.account);
    const tee = await hre.ethers.getContractAt(
      "TeeTransferVerifier",
      recordedAddress(ctx, "TeeTransferVerifier"),
      signer,
    );
    const oracle = address(args.oracle, "oracle");
    await (await (args.revoke ? tee.revokeOracle(oracle) : tee.acknowledgeOracle(oracle))).wait();
    console.log(`${args.revoke ? "revoked" : "acknowledged"} oracle ${oracle}`);
  });

task("inft:oracle", "Runs the TEE oracle's HTTP server until interrupted (devnets; production runs it in a TEE)")
  .addOptionalParam("port", "port to listen on", 8750, types.int)
  .addOptionalParam("host", "address to listen on", "127.0.0.1")
  .setAction(async (args: { port: number; host: string }) => {
    const key = process.env.ZG_INFT_ORACLE_KEY;
    if (!key) throw new Error("set ZG_INFT_ORACLE_KEY to the oracle's private key (0x + 64 hex digits)");
    const server = await startOracleServer(key, { host: args.host, port: args.port });
    console.log(`inft oracle ${server.address} listening on ${server.url} (public key ${server.publicKey})`);
    await new Promise<void>((resolve) => process.once("SIGINT", () => resolve()));
    await server.close();
  });
