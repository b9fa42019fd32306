// Step 4, compute: alice opens a compute account with a receipt key and funds the devnet provider's sub-account
// (the library of `zg compute account --create | transfer`), asks its model a batch of questions through zgFetch
// (as `zg compute chat` does: each bill checked, its receipt signed and posted), and waits for the provider's broker
// to settle the receipts on chain with one Groth16 proof. The figures: the Settled event, the provider's settled
// nonce and the sub-account's balance falling by exactly the fees.
import path from "node:path";
import { formatEther, getAddress, parseEther } from "ethers";
import { ZgError } from "../../common/errors";
import * as sdk from "../../compute/client";
import { SETTLEMENT_BATCH_SIZE } from "../../zk/settlement";
import type { DemoContext, DemoErrorCode } from "./context";

const DEPOSIT = parseEther("1");
const SUB_ACCOUNT = parseEther("0.5");
const QUESTIONS = ["What is a validator?", "What is erasure coding?", "What is a blob?", "What is an agent?"];
/** The devnet's broker proves a batch once it holds the circuit's N receipts; proving takes seconds on a laptop. */
const SETTLE_TIMEOUT_MS = 300_000;

export interface ComputeResult {
  provider: string;
  lastNonce: bigint;
  fees: bigint;
  txHash: string;
}

export async function computeStep(ctx: DemoContext): Promise<ComputeResult> {
  const url = ctx.devnet.services.computeProviders[0].replace(/\/+$/, "").replace(/\/v1$/, "");
  const status = (await (await fetch(`${url}/v1/status`)).json()) as { provider: string };
  const provider = getAddress(status.provider);
  const user = ctx.alice.signer.address;
  const contracts = sdk.computeContracts(ctx.alice);
  const key = sdk.loadReceiptKey(path.join(ctx.runDir, "alice.key.receipt"), { create: true });
  const created = await sdk.createAccount(contracts, key.publicKey, DEPOSIT);
  const moved = await sdk.transfer(contracts, provider, SUB_ACCOUNT);
  ctx.say(`compute account with ${formatEther(DEPOSIT)} tokens (tx ${created.hash})`);
  ctx.say(`moved ${formatEther(SUB_ACCOUNT)} tokens to provider ${provider}'s sub-account (tx ${moved.hash})`);
  const before = (await sdk.accountInfo(contracts, user, [provider])).subAccounts[0];

  const service = await sdk.getService(contracts.serving, provider);
  const zgFetch = sdk.zgFetch({
    receiptKey: key.privateKey,
    user,
    provider,
    prices: () => sdk.getService(contracts.serving, provider),
    billDomain: sdk.billDomain(ctx.alice.chainId, await contracts.serving.getAddress()),
  });
  const session = await sdk.createSession(ctx.alice.signer, provider, ctx.alice.chainId, 3600);
  const fromBlock = await ctx.alice.provider.getBlockNumber();
  const asked = QUESTIONS.slice(0, SETTLEMENT_BATCH_SIZE);
  for (const question of asked) {
    const response = await zgFetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${session}` },
      body: JSON.stringify({ model: service.model, messages: [{ role: "user", content: question }], max_tokens: 8 }),
    });
    if (!response.ok) {
      throw new ZgError<DemoErrorCode>("DEMO_STEP_FAILED", `the broker answered ${response.status}`, {
        hint: (await response.text()).slice(0, 200),
      });
    }
    const answer = (await response.json()) as { choices: { message: { content: string } }[] };
    ctx.say(`asked "${question}": ${JSON.stringify(answer.choices[0]?.message.content.trim() ?? "")}`);
  }
  await zgFetch.flush();
  if (zgFetch.refusals.length > 0 || zgFetch.signed.length !== asked.length) {
    throw new ZgError<DemoErrorCode>("DEMO_STEP_FAILED", `bills not signed: ${zgFetch.refusals[0]?.reason}`, {
      hint: "the broker's bills did not match what was asked; read its log",
    });
  }
  const fees = zgFetch.signed.reduce((sum, s) => sum + s.bill.fee, 0n);
  const lastNonce = zgFetch.signed.reduce((max, s) => (s.bill.nonce > max ? s.bill.nonce : max), 0n);
  ctx.say(`${asked.length} bills signed, nonces up to ${lastNonce}, fees ${fees} wei; waiting for the zk settlement`);

  const settled = await waitForSettlement(ctx, contracts, { user, provider, lastNonce, fromBlock });
  const after = (await sdk.accountInfo(contracts, user, [provider])).subAccounts[0];
  ctx.say(
    `settled nonces ${settled.firstNonce}..${settled.lastNonce} with a zk proof (tx ${settled.txHash}): ` +
      `provider paid ${settled.paid} wei`,
  );
  ctx.say(`provider's settled nonce ${before.nonce} -> ${after.nonce}`);
  ctx.say(
    `sub-account ${before.balance} -> ${after.balance} wei (down ${before.balance - after.balance}, fees ${fees})`,
  );
  if (before.balance - after.balance !== fees || after.nonce !== lastNonce) {
    throw new ZgError<DemoErrorCode>("DEMO_STEP_FAILED", "the settlement does not match the signed bills", {
      hint: `compare the Settled event of ${settled.txHash} with the bills`,
    });
  }
  return { provider, lastNonce, fees, txHash: settled.txHash };
}

interface Settlement {
  firstNonce: bigint;
  lastNonce: bigint;
  paid: bigint;
  txHash: string;
}

/** Polls ComputeServing's Settled events of (user, provider) until one reaches `lastNonce`. */
async function waitForSettlement(
  ctx: DemoContext,
  contracts: sdk.ComputeContracts,
  q: { user: string; provider: string; lastNonce: bigint; fromBlock: number },
): Promise<Settlement> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  const filter = contracts.serving.filters.Settled(q.user, q.provider);
  let firstNonce: bigint | undefined;
  let paid = 0n;
  for (;;) {
    const events = await contracts.serving.queryFilter(filter, q.fromBlock);
    for (const event of events) {
      const args = (event as unknown as { args: { firstNonce: bigint; lastNonce: bigint; paid: bigint } }).args;
      firstNonce ??= args.firstNonce;
      paid += args.paid;
      if (args.lastNonce >= q.lastNonce) {
        return { firstNonce, lastNonce: args.lastNonce, paid, txHash: event.transactionHash };
      }
    }
    paid = 0n;
    firstNonce = undefined;
    if (Date.now() > deadline) {
      throw new ZgError<DemoErrorCode>(
        "DEMO_STEP_FAILED",
        `the provider did not settle nonce ${q.lastNonce} within ${SETTLE_TIMEOUT_MS / 1000} s`,
        { hint: "read the compute provider's log in the devnet's log (module compute-providers)" },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
