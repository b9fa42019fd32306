import { ethers } from "hardhat";
import { parseEther, type Signer } from "ethers";
import { toContractParams } from "../../deploy/modules/staking";
import { deployCompute } from "../../deploy/modules/compute";
import { deployedProtocol } from "../fixtures";
import { TEST_PARAMS, pubKey } from "../staking/helpers";

export const HOUR = 3600;
export const DAY = 24 * HOUR;
/** The deploy module's defaults. */
export const LOCK_TIME = DAY;
export const MAX_REFUNDS = 8;
export const MIN_PROVIDER_STAKE = parseEther("100");

/** The protocol with the compute contracts, deployed through `deploy/` with default compute params. */
export async function computeFixture() {
  const ctx = await deployedProtocol();
  // Idempotent: a no-op once the compute module runs as part of deployAll.
  await deployCompute(ctx);
  const [deployer, user, provider, stranger, other] = await ethers.getSigners();
  const staking = await ethers.getContractAt("Staking", ctx.record.contracts.Staking.address);
  await staking.setParams(toContractParams({ ...TEST_PARAMS, maxValidators: 200, maxEffectiveStake: "100000" }));
  const ledger = await ethers.getContractAt("ComputeLedger", ctx.record.contracts.ComputeLedger.address);
  const serving = await ethers.getContractAt("ComputeServing", ctx.record.contracts.ComputeServing.address);
  const fineTuning = await ethers.getContractAt("FineTuning", ctx.record.contracts.FineTuning.address);
  const verifier = await ethers.getContractAt(
    "SettlementBatchVerifier",
    ctx.record.contracts.SettlementBatchVerifier.address,
  );
  return { ctx, staking, ledger, serving, fineTuning, verifier, deployer, user, provider, stranger, other };
}

export type ComputeFixture = Awaited<ReturnType<typeof computeFixture>>;

/** Registers `account` as a validator with `stake` and opts it into the compute service (ComputeServing). */
export async function makeProvider(f: ComputeFixture, account: Signer, i = 0, stake = MIN_PROVIDER_STAKE) {
  await f.staking.connect(account).registerValidator(pubKey(3000 + i), `provider ${i}`, 0, 0, 0, { value: stake });
  await f.staking.connect(account).optIn(await f.serving.getAddress());
}
