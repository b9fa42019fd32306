import { Contract, formatEther, parseEther } from "ethers";
import type { ChainClient } from "../../common/chain";
import type { Logger } from "../../common/logger";
import type { DevnetAccounts } from "./accounts";

const STAKING_ABI = [
  "function validatorCount() view returns (uint256)",
  "function validatorAt(uint256 index) view returns (address)",
  "function effectiveStake(address validator) view returns (uint256)",
  "function delegate(address validator) payable returns (uint256)",
  "function sharesOf(address delegator, address validator) view returns (uint256)",
];

/** Delegators (dev accounts 17 and 19, clear of the operators, the miner and the accounts tests use) and amounts. */
const DELEGATIONS: { account: number; validator: number; amount: bigint }[] = [
  { account: 19, validator: 0, amount: parseEther("500") },
  { account: 19, validator: 1, amount: parseEther("250") },
  { account: 17, validator: 1, amount: parseEther("300") },
];

export interface DevnetValidator {
  address: string;
  /** Effective stake (bonded, capped by the staking params), in wei as a decimal string. */
  stake: string;
  delegations: { delegator: string; amount: string; shares: string }[];
}

/**
 * Delegates from two dev accounts to the first two validators the workers registered, so the devnet has delegated
 * stake (commission, rewards and unbonding have someone to act on); returns every validator with its stake.
 */
export async function delegateAndDescribe(
  chain: ChainClient,
  accounts: DevnetAccounts,
  logger: Logger,
): Promise<DevnetValidator[]> {
  const staking = new Contract(chain.contractAddress("Staking"), STAKING_ABI, chain.provider);
  const count = Number(await staking.validatorCount());
  const validators = await Promise.all(
    Array.from({ length: count }, (_, i) => staking.validatorAt(i) as Promise<string>),
  );
  const made = new Map<string, DevnetValidator["delegations"]>();
  for (const { account, validator, amount } of DELEGATIONS) {
    if (validator >= validators.length) continue;
    const delegator = await accounts.funded(account, amount);
    const target = validators[validator];
    await (await (staking.connect(delegator) as Contract).delegate(target, { value: amount })).wait();
    const shares = (await staking.sharesOf(delegator.address, target)) as bigint;
    const list = made.get(target) ?? [];
    list.push({ delegator: delegator.address, amount: amount.toString(), shares: shares.toString() });
    made.set(target, list);
    logger.info({ delegator: delegator.address, validator: target, amount: formatEther(amount) }, "delegated");
  }
  return Promise.all(
    validators.map(async (address) => ({
      address,
      stake: ((await staking.effectiveStake(address)) as bigint).toString(),
      delegations: made.get(address) ?? [],
    })),
  );
}
