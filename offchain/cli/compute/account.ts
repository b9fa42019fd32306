// `zg compute account|deposit|withdraw|transfer|refund|process-refunds|services`: the user's ledger account.
import { Command } from "commander";
import * as sdk from "../../compute/client";
import { address, connectUser, json, receiptKey, showTokens, tokens, withUserFlags, type UserFlags } from "./common";

interface AccountFlags extends UserFlags {
  create?: boolean;
  deposit?: string;
  provider?: string[];
}

/** Runs `fn` with a connected user context and closes the chain client afterwards. */
async function withUser<T>(flags: UserFlags, fn: (ctx: Awaited<ReturnType<typeof connectUser>>) => Promise<T>) {
  const ctx = await connectUser(flags);
  try {
    return await fn(ctx);
  } finally {
    ctx.client.close();
  }
}

function accountCommand(): Command {
  return withUserFlags(
    new Command("account")
      .description("show your compute account (or create it with --create) and its sub-accounts")
      .option("--create", "create the account with your receipt key (generated next to --key-file if absent)")
      .option("--deposit <tokens>", "with --create: tokens to deposit at once")
      .option("--provider <address...>", "also show the sub-account for these providers"),
  ).action(async (flags: AccountFlags) => {
    await withUser(flags, async (ctx) => {
      if (flags.create) {
        const key = receiptKey(ctx, true);
        if (key.created) console.error(`generated a receipt key in ${key.file} (keep it with your key file)`);
        const amount = flags.deposit ? tokens(flags.deposit, "--deposit") : 0n;
        const receipt = await sdk.createAccount(ctx.contracts, key.publicKey, amount);
        console.error(`created the compute account of ${ctx.user} (tx ${receipt.hash})`);
      }
      const providers = (flags.provider ?? []).map((p) => address(p, "--provider"));
      const info = await sdk.accountInfo(ctx.contracts, ctx.user, providers);
      if (flags.json) return console.log(json(info));
      if (!info.exists) return console.log(`${ctx.user} has no compute account (create it with --create)`);
      console.log(`account ${info.user}: ${showTokens(info.balance)}; refunds unlock after ${info.lockTime} s`);
      for (const s of info.subAccounts) {
        const refunds = s.refunds.map((r) => `${showTokens(r.amount)} at ${new Date(r.unlockAt * 1000).toISOString()}`);
        console.log(
          `  provider ${s.provider}: ${showTokens(s.balance)}, settled nonce ${s.nonce}` +
            (refunds.length ? `, refunds pending: ${refunds.join("; ")}` : ""),
        );
      }
    });
  });
}

/** A command that sends one ledger transaction and prints its hash. */
function txCommand(
  name: string,
  description: string,
  args: { amount: boolean; provider: boolean },
  run: (c: sdk.ComputeContracts, a: { amount: bigint; provider: string }) => Promise<{ hash: string }>,
): Command {
  const command = new Command(name).description(description);
  if (args.provider) command.requiredOption("--provider <address>", "the provider");
  if (args.amount) command.argument("<tokens>", "amount in tokens, e.g. 0.5");
  return withUserFlags(command).action(async (...params: unknown[]) => {
    const flags = params[args.amount ? 1 : 0] as UserFlags & { provider?: string };
    const amount = args.amount ? tokens(params[0] as string, "the amount") : 0n;
    const provider = args.provider ? address(flags.provider!, "--provider") : "";
    await withUser(flags, async (ctx) => {
      const receipt = await run(ctx.contracts, { amount, provider });
      if (flags.json) console.log(json({ tx: receipt.hash }));
      else console.log(`${name}: done (tx ${receipt.hash})`);
    });
  });
}

function servicesCommand(): Command {
  return withUserFlags(
    new Command("services").description("list the registered inference services with their prices"),
    false,
  ).action(async (flags: UserFlags) => {
    await withUser(flags, async (ctx) => {
      const services = await sdk.listServices(ctx.contracts.serving);
      if (flags.json) return console.log(json(services));
      if (services.length === 0) return console.log("no services registered");
      for (const s of services) {
        console.log(
          `${s.provider}  ${s.model}  ${s.url}  in ${s.inputPrice} wei/token, out ${s.outputPrice} wei/token, ${s.verifiability}`,
        );
      }
    });
  });
}

export function accountCommands(): Command[] {
  return [
    accountCommand(),
    txCommand("deposit", "deposit tokens into your compute account", { amount: true, provider: false }, (c, a) =>
      sdk.deposit(c, a.amount),
    ),
    txCommand("withdraw", "withdraw tokens from your compute account", { amount: true, provider: false }, (c, a) =>
      sdk.withdraw(c, a.amount),
    ),
    txCommand(
      "transfer",
      "move tokens into your sub-account for a provider (it cancels pending refunds there)",
      { amount: true, provider: true },
      (c, a) => sdk.transfer(c, a.provider, a.amount),
    ),
    txCommand(
      "refund",
      "ask for tokens back from a provider's sub-account (they unlock after the ledger's lock time)",
      { amount: true, provider: true },
      (c, a) => sdk.requestRefund(c, a.provider, a.amount),
    ),
    txCommand(
      "process-refunds",
      "return the unlocked refunds of a provider's sub-account to your account",
      { amount: false, provider: true },
      (c, a) => sdk.processRefunds(c, a.provider),
    ),
    servicesCommand(),
  ];
}
