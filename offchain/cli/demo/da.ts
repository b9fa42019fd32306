// Step 3, data availability: alice publishes a small blob through the disperser (the library of `zg da disperse`):
// it is encoded, paid for, signed by the quorum's DA signers, and the aggregate BLS signature is checked on chain.
// The figures: the CommitRootVerified event with the commitment and the signed weight, and `isVerified`.
import { Contract } from "ethers";
import { ZgError } from "../../common/errors";
import { ENTRANCE_ABI } from "../../da/chain";
import { disperse } from "../../da/client/disperse";
import * as core from "../../da/core";
import type { DemoContext, DemoErrorCode } from "./context";

/** Two data rows (six coded rows, so each of four signers gets some), encoded in a moment on one thread. */
export const BLOB_TEXT = "zg demo: a blob published through data availability. ";
const BLOB_REPEAT = 28;

export interface DaResult {
  dataRoot: string;
  epoch: bigint;
  quorumId: bigint;
  txHash: string;
}

export async function daStep(ctx: DemoContext): Promise<DaResult> {
  await core.initDaCore();
  const srs = await core.loadSrs();
  const blob = Buffer.from(`${BLOB_TEXT.repeat(BLOB_REPEAT)}${new Date().toISOString()}`);
  const result = await disperse(ctx.alice, blob, {
    srs,
    logger: ctx.logger,
    maxDataRows: 8,
    blowup: 3,
    signerTimeoutMs: 60_000,
  });
  const entrance = new Contract(
    ctx.alice.contractAddress("DAEntrance"),
    [...ENTRANCE_ABI, "function isVerified(bytes32 dataRoot, uint256 epoch, uint256 quorumId) view returns (bool)"],
    ctx.alice.provider,
  );
  const [event] = await entrance.queryFilter(
    entrance.filters.CommitRootVerified(result.dataRoot, result.epoch, result.quorumId),
    ctx.alice.startBlock("DAEntrance"),
  );
  const verified = (await entrance.isVerified(result.dataRoot, result.epoch, result.quorumId)) as boolean;
  const commitment = (event as unknown as { args?: { commitment: { X: bigint; Y: bigint } } } | undefined)?.args
    ?.commitment;
  if (!event || !verified || commitment?.X !== result.commitment.X || commitment.Y !== result.commitment.Y) {
    throw new ZgError<DemoErrorCode>(
      "DEMO_STEP_FAILED",
      `blob ${result.dataRoot} is not verified on chain as encoded`,
      {
        hint: "check the DA signers' logs",
      },
    );
  }
  ctx.say(
    `published ${blob.length} bytes as blob ${result.dataRoot} (epoch ${result.epoch}, quorum ${result.quorumId}, ` +
      `tx ${event.transactionHash})`,
  );
  ctx.say(`commitment on chain (${commitment.X}, ${commitment.Y})`);
  ctx.say(
    `quorum signature: ${result.signers.length} signers, weight ${result.signedWeight}/${result.totalWeight}; ` +
      `isVerified ${verified}`,
  );
  return { dataRoot: result.dataRoot, epoch: result.epoch, quorumId: result.quorumId, txHash: event.transactionHash };
}
