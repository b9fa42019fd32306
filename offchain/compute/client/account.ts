/**
 * A user's side of the compute ledger: create the account with its receipt key, deposit, move funds to a
 * provider's sub-account, ask for them back (a refund waits out the lock time), withdraw. Every call waits for its
 * transaction and turns a revert into a ZgError naming the contract's custom error.
 */
import { Interface, type Contract, type ContractTransactionResponse, type TransactionReceipt } from "ethers";
import { ZgError } from "../../common/errors";
import type { PublicKey } from "../core";
import type { ComputeContracts } from "../chain";

export type ComputeClientErrorCode =
  "COMPUTE_REVERTED" | "COMPUTE_NO_SERVICE" | "COMPUTE_BAD_AMOUNT" | "COMPUTE_BROKER_REFUSED" | "COMPUTE_BILL_REFUSED";

export interface Refund {
  amount: bigint;
  unlockAt: number;
}

export interface SubAccountInfo {
  provider: string;
  balance: bigint;
  pendingRefund: bigint;
  refunds: Refund[];
  /** Last settled nonce of (user, provider). */
  nonce: bigint;
}

export interface AccountInfo {
  user: string;
  exists: boolean;
  balance: bigint;
  signerKey: [bigint, bigint];
  lockTime: number;
  subAccounts: SubAccountInfo[];
}

// OpenZeppelin's errors every protocol contract can raise, which the per-contract ABIs leave out.
const COMMON_ERRORS = new Interface([
  "error EnforcedPause()",
  "error AccessControlUnauthorizedAccount(address account, bytes32 neededRole)",
]);

/** Revert data wherever the error carries it (ethers puts it on `data`, Hardhat's in-process signer deeper). */
function revertData(err: unknown): string | undefined {
  const e = err as { data?: unknown; error?: { data?: unknown }; info?: { error?: { data?: unknown } } } | null;
  for (const d of [e?.data, e?.error?.data, e?.info?.error?.data]) {
    if (typeof d === "string" && /^0x[0-9a-fA-F]{8}/.test(d)) return d;
    const nested = (d as { data?: unknown } | undefined)?.data;
    if (typeof nested === "string" && /^0x[0-9a-fA-F]{8}/.test(nested)) return nested;
  }
  return undefined;
}

/**
 * The custom error's name and arguments when `err` is a decodable revert (by ethers, or from its data with
 * `iface` and OpenZeppelin's common errors), else undefined.
 */
export function revertName(err: unknown, iface?: Interface): string | undefined {
  let revert = (err as { revert?: { name?: string; args?: unknown[] } } | null)?.revert;
  const data = revert?.name ? undefined : revertData(err);
  if (data) {
    const parsed = iface?.parseError(data) ?? COMMON_ERRORS.parseError(data);
    if (parsed) revert = { name: parsed.name, args: [...parsed.args] };
  }
  if (!revert?.name) return undefined;
  const args = (revert.args ?? []).map((a) => String(a)).join(", ");
  return `${revert.name}(${args})`;
}

/** Sends `contract.method(...args)`, waits for it to be mined; a revert becomes COMPUTE_REVERTED with its name. */
export async function send(
  contract: Contract,
  method: string,
  args: unknown[],
  value?: bigint,
): Promise<TransactionReceipt> {
  try {
    const tx = (await contract.getFunction(method)(...args, ...(value === undefined ? [] : [{ value }]))) as
      ContractTransactionResponse | undefined;
    const receipt = await tx!.wait();
    return receipt!;
  } catch (err) {
    const name = revertName(err, contract.interface);
    if (!name) throw err;
    throw new ZgError<ComputeClientErrorCode>("COMPUTE_REVERTED", `${method} reverted with ${name}`, {
      hint: hintFor(name),
      details: { method, error: name },
      cause: err,
    });
  }
}

function hintFor(error: string): string {
  if (error.startsWith("ComputeLedgerNoAccount")) return "create the account first: zg compute account create";
  if (error.startsWith("ComputeLedgerAccountExists")) return "the account exists already; deposit into it instead";
  if (error.startsWith("ComputeLedgerInsufficientBalance")) return "ask for at most the available amount";
  if (error.startsWith("ComputeLedgerTooManyRefunds"))
    return "process unlocked refunds first (zg compute process-refunds)";
  if (error.startsWith("ComputeLedgerZeroAmount")) return "pass an amount above zero";
  return "see docs/compute-client.md for what the contract requires";
}

function positive(amount: bigint, what: string): bigint {
  if (amount <= 0n) {
    throw new ZgError<ComputeClientErrorCode>("COMPUTE_BAD_AMOUNT", `${what} must be above zero`, {
      hint: 'amounts are in tokens, e.g. "0.5"',
    });
  }
  return amount;
}

/** Creates the caller's ledger account with its receipt public key, depositing `deposit` wei (may be 0). */
export function createAccount(c: ComputeContracts, signerKey: PublicKey, deposit = 0n) {
  return send(c.ledger, "createAccount", [[signerKey[0], signerKey[1]]], deposit);
}

/** Replaces the caller's receipt key; receipts signed with the old key no longer settle. */
export function setSignerKey(c: ComputeContracts, signerKey: PublicKey) {
  return send(c.ledger, "setSignerKey", [[signerKey[0], signerKey[1]]]);
}

export function deposit(c: ComputeContracts, amount: bigint) {
  return send(c.ledger, "deposit", [], positive(amount, "the deposit"));
}

export function withdraw(c: ComputeContracts, amount: bigint) {
  return send(c.ledger, "withdraw", [positive(amount, "the withdrawal")]);
}

/** Moves `amount` from the main account to the sub-account for `provider` (cancelling its pending refunds). */
export function transfer(c: ComputeContracts, provider: string, amount: bigint) {
  return send(c.ledger, "transfer", [provider, positive(amount, "the transfer")]);
}

/** Starts a refund from the sub-account for `provider`; it unlocks after the ledger's lock time. */
export function requestRefund(c: ComputeContracts, provider: string, amount: bigint) {
  return send(c.ledger, "requestRefund", [provider, positive(amount, "the refund")]);
}

/** Returns the unlocked refunds of the sub-account for `provider` to the main account. */
export function processRefunds(c: ComputeContracts, provider: string) {
  return send(c.ledger, "processRefunds", [provider]);
}

/** The user's main account and its sub-accounts for `providers`. */
export async function accountInfo(c: ComputeContracts, user: string, providers: string[] = []): Promise<AccountInfo> {
  const [account, lockTime] = (await Promise.all([c.ledger.getAccount(user), c.ledger.lockTime()])) as [
    { balance: bigint; signerKey: [bigint, bigint]; exists: boolean },
    bigint,
  ];
  const subAccounts = await Promise.all(
    providers.map(async (provider): Promise<SubAccountInfo> => {
      const [sub, nonce] = (await Promise.all([
        c.ledger.getSubAccount(user, provider),
        c.serving.nonceOf(user, provider),
      ])) as [{ balance: bigint; pendingRefund: bigint; refunds: { amount: bigint; unlockAt: bigint }[] }, bigint];
      return {
        provider,
        balance: sub.balance,
        pendingRefund: sub.pendingRefund,
        refunds: sub.refunds.map((r) => ({ amount: r.amount, unlockAt: Number(r.unlockAt) })),
        nonce,
      };
    }),
  );
  return {
    user,
    exists: account.exists,
    balance: account.balance,
    signerKey: [account.signerKey[0], account.signerKey[1]],
    lockTime: Number(lockTime),
    subAccounts,
  };
}
