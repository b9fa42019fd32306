// Step 1, stake: alice delegates to the devnet's first active validator (Staking.delegate) and gets shares of its
// bonded pool; the figure that proves it is her share balance, what it is worth, and the pool's growth.
import { Contract, formatEther, parseEther } from "ethers";
import { ZgError } from "../../common/errors";
import type { DemoContext, DemoErrorCode } from "./context";

const STAKING_ABI = [
  "function delegate(address validator) payable returns (uint256 shares)",
  "function validatorCount() view returns (uint256)",
  "function validatorAt(uint256 index) view returns (address)",
  "function getValidator(address validator) view returns (tuple(tuple(uint256 stake, uint256 shares) bonded, tuple(uint256 stake, uint256 shares) unbonding, uint64 lastCommissionChangeAt, uint64 jailedUntil, uint32 commissionPpm, uint32 maxCommissionPpm, uint32 maxCommissionChangePerDayPpm, uint8 status, bool jailed, bytes consensusPubKey))",
  "function sharesOf(address delegator, address validator) view returns (uint256)",
  "function sharesToStake(address validator, uint256 shares) view returns (uint256)",
  "event Delegated(address indexed delegator, address indexed validator, uint256 amount, uint256 shares)",
];
/** `ValidatorStatus.Active` of the contract. */
const ACTIVE = 1n;
export const DELEGATION = parseEther("10");

export interface StakeResult {
  validator: string;
  shares: bigint;
  txHash: string;
}

export async function stakeStep(ctx: DemoContext): Promise<StakeResult> {
  const staking = new Contract(ctx.alice.contractAddress("Staking"), STAKING_ABI, ctx.alice.signer);
  const validator = await firstActiveValidator(staking);
  const before = (await staking.getValidator(validator)).bonded.stake as bigint;
  const receipt = await (await staking.delegate(validator, { value: DELEGATION })).wait();
  const event = receipt.logs
    .map((log: { topics: string[]; data: string }) => staking.interface.parseLog(log))
    .find((parsed: { name: string } | null) => parsed?.name === "Delegated");
  const shares = (await staking.sharesOf(ctx.alice.signer.address, validator)) as bigint;
  if (!event || shares !== (event.args.shares as bigint)) {
    throw new ZgError<DemoErrorCode>("DEMO_STEP_FAILED", "the delegation minted no shares the contract reports", {
      hint: `read ${receipt.hash} on the devnet`,
    });
  }
  const worth = (await staking.sharesToStake(validator, shares)) as bigint;
  const after = (await staking.getValidator(validator)).bonded.stake as bigint;
  ctx.say(`delegated ${formatEther(DELEGATION)} tokens to validator ${validator} (tx ${receipt.hash})`);
  ctx.say(`shares ${shares}, worth ${formatEther(worth)} tokens`);
  ctx.say(`validator bonded stake ${formatEther(before)} -> ${formatEther(after)} tokens`);
  return { validator, shares, txHash: receipt.hash as string };
}

async function firstActiveValidator(staking: Contract): Promise<string> {
  const count = (await staking.validatorCount()) as bigint;
  for (let i = 0n; i < count; i++) {
    const address = (await staking.validatorAt(i)) as string;
    const v = await staking.getValidator(address);
    if (BigInt(v.status) === ACTIVE && !v.jailed) return address;
  }
  throw new ZgError<DemoErrorCode>("DEMO_DEVNET_INCOMPLETE", "the devnet has no active validator to delegate to", {
    hint: "start the devnet with --da-signers 4 (each signer is a validator)",
  });
}
