// `zg market agent`: publish an agent (zg-agent/1 manifest, encrypted on zg storage, minted as an iNFT), grant it to
// a compute provider's attested executor through the TEE oracle, authorize or revoke users, and chat with it
// through the provider (billed like any chat).
import fs from "node:fs";
import { Command } from "commander";
import { isAddress } from "ethers";
import { ZgError } from "../../common/errors";
import { agentModelId, parseAgentManifest } from "../../market/agent";
import { agentNft, grantAgent, openAgent, publishAgent } from "../../market/executor";
import { chatCommand } from "../compute/chat";
import { type ChainFlags, withChain } from "./common";

function withChainFlags(command: Command): Command {
  return command
    .requiredOption("--key-file <file>", "the owner's Ethereum key (its public key also seals the agent's data key)")
    .option("--rpc <url>", "JSON-RPC URL (default http://127.0.0.1:8545)")
    .option("--deployments <dir>", "folder of <chainId>.json deployment records")
    .option("--log-level <level>", "fatal | error | warn | info | debug | trace");
}

function tokenId(value: string): bigint {
  if (!/^(0|[1-9][0-9]{0,77})$/.test(value)) {
    throw new ZgError("CONFIG_INVALID", `--token ${value} is not a token id`, { hint: "pass the id publish printed" });
  }
  return BigInt(value);
}

function address(value: string, flag: string): string {
  if (!isAddress(value)) {
    throw new ZgError("CONFIG_INVALID", `${flag} ${value} is not an address`, { hint: "pass a 0x + 40 hex address" });
  }
  return value;
}

const urls = (value: string) => value.split(",").filter((u) => u.length > 0);

function readManifest(file: string) {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new ZgError("CONFIG_FILE_UNREADABLE", `cannot read the manifest ${file}: ${(err as Error).message}`, {
      hint: 'write JSON like {"format":"zg-agent/1","name":"…","systemPrompt":"…"}',
    });
  }
  try {
    return parseAgentManifest(json);
  } catch (err) {
    throw new ZgError("CONFIG_INVALID", (err as Error).message, { hint: "see docs/market-agents.md for the format" });
  }
}

function publishCommand(): Command {
  return withChainFlags(
    new Command("publish")
      .description("encrypt an agent manifest, upload it to zg storage and mint it to yourself; prints the token id")
      .requiredOption("--manifest <file>", "the zg-agent/1 manifest (JSON)")
      .requiredOption("--storage-nodes <urls>", "comma-separated storage node URLs"),
  ).action(async (flags: ChainFlags & { manifest: string; storageNodes: string }) => {
    const manifest = readManifest(flags.manifest);
    await withChain(flags, async (client, logger) => {
      const r = await publishAgent(client, manifest, urls(flags.storageNodes), logger);
      console.log(`published agent ${r.tokenId}: ${manifest.name}, data ${r.dataHash} (tx ${r.txHash})`);
    });
  });
}

function openCommand(): Command {
  return withChainFlags(
    new Command("open")
      .description("fetch your agent from storage, open its data key with your key and print its manifest")
      .requiredOption("--token <id>", "the agent")
      .requiredOption("--storage-nodes <urls>", "comma-separated storage node URLs")
      .option("--out <file>", "write the manifest (JSON) here instead of stdout"),
  ).action(async (flags: ChainFlags & { token: string; storageNodes: string; out?: string }) => {
    await withChain(flags, async (client, logger) => {
      const id = tokenId(flags.token);
      const { manifest, dataHash } = await openAgent(client, id, urls(flags.storageNodes), logger);
      const json = JSON.stringify(manifest, null, 2);
      if (flags.out) fs.writeFileSync(flags.out, `${json}\n`, { mode: 0o600 });
      // The summary goes to stderr so stdout stays the manifest alone, for pipes.
      console.error(`opened agent ${id}: ${manifest.name}, data ${dataHash}`);
      if (!flags.out) console.log(json);
    });
  });
}

function grantCommand(): Command {
  return withChainFlags(
    new Command("grant")
      .description("have the oracle re-seal the agent's key to a provider's attested executor and load it there")
      .requiredOption("--token <id>", "the agent")
      .requiredOption("--provider <address>", "the compute provider")
      .requiredOption("--oracle <url>", "the TEE oracle (zg inft oracle)")
      .option("--url <url>", "the broker's URL (default: the service's registered URL)")
      .option("--storage-nodes <urls>", "comma-separated storage nodes the broker may fetch the data from"),
  ).action(
    async (
      flags: ChainFlags & { token: string; provider: string; oracle: string; url?: string; storageNodes?: string },
    ) => {
      await withChain(flags, async (client) => {
        const r = await grantAgent(client, {
          tokenId: tokenId(flags.token),
          provider: address(flags.provider, "--provider"),
          oracleUrl: flags.oracle,
          brokerUrl: flags.url,
          storageNodes: flags.storageNodes ? urls(flags.storageNodes) : [],
        });
        console.log(`granted agent ${flags.token} to executor ${r.executor} of ${flags.provider}: model ${r.model}`);
      });
    },
  );
}

function authorizationCommand(name: "authorize" | "revoke"): Command {
  return withChainFlags(
    new Command(name)
      .description(name === "authorize" ? "let a user run your agent" : "stop a user from running your agent")
      .requiredOption("--token <id>", "the agent")
      .requiredOption("--user <address>", "the user"),
  ).action(async (flags: ChainFlags & { token: string; user: string }) => {
    await withChain(flags, async (client) => {
      const nft = agentNft(client);
      const id = tokenId(flags.token);
      const user = address(flags.user, "--user");
      const tx = name === "authorize" ? await nft.authorizeUsage(id, user) : await nft.revokeAuthorization(id, user);
      await tx.wait();
      console.log(`${name === "authorize" ? "authorized" : "revoked"} ${user} on agent ${id} (tx ${tx.hash})`);
    });
  });
}

interface AgentChatFlags {
  token: string;
  provider: string;
  keyFile: string;
  receiptKeyFile?: string;
  rpc?: string;
  deployments?: string;
  url?: string;
  maxTokens?: string;
  stream: boolean;
  logLevel?: string;
}

/** `zg compute chat` with the model `agent:<id>`: the same session, receipts and bills. */
function agentChatCommand(): Command {
  return new Command("chat")
    .description("chat with an agent a provider runs (you must own it or be authorized); billed like any chat")
    .argument("[prompt...]", "the prompt (default: a REPL on a terminal, or stdin)")
    .requiredOption("--token <id>", "the agent")
    .requiredOption("--provider <address>", "the provider the agent was granted to")
    .requiredOption("--key-file <file>", "your Ethereum key")
    .option("--receipt-key-file <file>", "your receipt signing key (default: <key-file>.receipt)")
    .option("--url <url>", "the broker's URL (default: the service's registered URL)")
    .option("--max-tokens <n>", "most tokens to generate (default: the agent's)")
    .option("--no-stream", "wait for the whole answer")
    .option("--rpc <url>", "JSON-RPC URL (default http://127.0.0.1:8545)")
    .option("--deployments <dir>", "folder of <chainId>.json deployment records")
    .option("--log-level <level>", "fatal | error | warn | info | debug | trace")
    .action(async (words: string[], flags: AgentChatFlags) => {
      const pass: [string, string | undefined][] = [
        ["--model", agentModelId(tokenId(flags.token))],
        ["--provider", address(flags.provider, "--provider")],
        ["--key-file", flags.keyFile],
        ["--receipt-key-file", flags.receiptKeyFile],
        ["--url", flags.url],
        ["--max-tokens", flags.maxTokens],
        ["--rpc", flags.rpc],
        ["--deployments", flags.deployments],
        ["--log-level", flags.logLevel],
      ];
      const args = pass.flatMap(([flag, value]) => (value === undefined ? [] : [flag, value]));
      if (!flags.stream) args.push("--no-stream");
      await chatCommand().parseAsync([...args, ...words], { from: "user" });
    });
}

/** `zg market agent`: run an agent iNFT on a compute provider. */
export function agentCommand(): Command {
  return new Command("agent")
    .description("publish an agent iNFT, open it, grant it to a compute provider, authorize users, chat with it")
    .addCommand(publishCommand())
    .addCommand(openCommand())
    .addCommand(grantCommand())
    .addCommand(authorizationCommand("authorize"))
    .addCommand(authorizationCommand("revoke"))
    .addCommand(agentChatCommand());
}
