import { ethers } from "hardhat";
import { validatorsFixture } from "../staking/helpers";

/**
 * Three validators (100 tokens self-stake each) and a service they opted into, on the protocol deployed through
 * `deploy/` for the in-process devnet (the deployer keeps admin rights; the governor module wired StakeVotes as
 * Staking's observer and gave ZgGovernor the timelock's proposer and canceller roles).
 */
export async function governanceFixture() {
  const f = await validatorsFixture();
  const records = f.ctx.record.contracts;
  const votes = await ethers.getContractAt("StakeVotes", records.StakeVotes.address);
  const governor = await ethers.getContractAt("ZgGovernor", records.ZgGovernor.address);
  const timelock = await ethers.getContractAt("ZgTimelock", records.ZgTimelock.address);
  return { ...f, votes, governor, timelock };
}

/** The value of every bonded share `account` holds, over all validators, read straight from Staking. */
export async function bondedValue(
  staking: Awaited<ReturnType<typeof governanceFixture>>["staking"],
  account: string,
): Promise<bigint> {
  let total = 0n;
  const count = await staking.validatorCount();
  for (let i = 0n; i < count; i++) {
    const validator = await staking.validatorAt(i);
    total += await staking.sharesToStake(validator, await staking.sharesOf(account, validator));
  }
  return total;
}
