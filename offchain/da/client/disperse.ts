/**
 * The disperser: encode a blob, pay for its data root (once: a retry finds the payment on chain), send each
 * quorum member its lines, check and aggregate the signatures, and submit the certificate.
 */
import { type Contract, type EventLog, type Log } from "ethers";
import type { ChainClient } from "../../common/chain";
import { ZgError } from "../../common/errors";
import type { Logger } from "../../common/logger";
import * as bls from "../core/bls";
import * as core from "../core";
import { assignedLines, daContracts, quorumMembers, type QuorumMember } from "../chain";
import {
  bytesToBase64,
  g1FromJson,
  g1ToJson,
  g2ToJson,
  storeRowsResponseSchema,
  type StoreRowsRequest,
  type StoreRowsResponse,
} from "../protocol";
import { callSigner, joinUrl } from "./http";

export interface DisperseOptions {
  srs: core.Srs;
  maxDataRows?: number;
  blowup?: number;
  /** How long one signer may take to check and sign. */
  signerTimeoutMs?: number;
  logger: Logger;
}

export interface DisperseResult {
  dataRoot: string;
  /** The data root's preimage with the shape: what sampling answers and challenges name. */
  rowsRoot: string;
  epoch: bigint;
  quorumId: bigint;
  commitment: bls.G1Sol;
  shape: core.BlobShape;
  signers: string[];
  /** Members that did not sign, with why. */
  failures: { signer: string; reason: string }[];
  signedWeight: bigint;
  totalWeight: bigint;
  /** False when the blob was already certified and nothing new was sent. */
  submitted: boolean;
}

export async function disperse(
  client: ChainClient,
  blob: Uint8Array,
  options: DisperseOptions,
): Promise<DisperseResult> {
  const { logger } = options;
  const { registry, entrance } = daContracts(client);
  const encoded = await core.encodeBlob(options.srs, blob, {
    maxDataRows: options.maxDataRows,
    blowup: options.blowup,
  });
  const { dataRoot, commitment, shape } = encoded;
  logger.info({ dataRoot, shape }, "encoded");

  const verified = await findVerified(client, entrance, dataRoot);
  if (verified) {
    logger.info({ dataRoot, epoch: verified.epoch }, "already certified: nothing to do");
    return {
      ...verified,
      dataRoot,
      rowsRoot: encoded.rowsRoot,
      commitment,
      shape,
      signers: [],
      failures: [],
      submitted: false,
    };
  }
  const { epoch, quorumId } = await payOnce(client, entrance, dataRoot, logger);
  const members = await quorumMembers(registry, epoch, quorumId);
  await ensureSnapshot(registry, epoch, quorumId, members[0].address);

  const message = bls.commitMessage(dataRoot, epoch, quorumId, commitment);
  const answers = await Promise.all(
    members.map((m) => sendRows(m, encoded, { dataRoot, epoch, quorumId, message }, members.length, options)),
  );
  const signed = members.filter((_, i) => answers[i].ok);
  const failures = members
    .map((m, i) => ({ signer: m.address, reason: answers[i].ok ? "" : (answers[i] as { reason: string }).reason }))
    .filter((f) => f.reason);
  for (const f of failures) logger.warn(f, "signer did not sign");

  const weights = await Promise.all(
    members.map(async (m) => (await registry.weightAt(epoch, quorumId, m.address)) as [bigint, bigint]),
  );
  const totalWeight = weights[0][1];
  const signedWeight = members.reduce((sum, _, i) => sum + (answers[i].ok ? weights[i][0] : 0n), 0n);
  if (signedWeight === 0n || 3n * signedWeight < 2n * totalWeight) {
    const why = failures.map((f) => `${f.signer}: ${f.reason}`).join("; ");
    throw new ZgError(
      "DA_QUORUM_NOT_REACHED",
      `signers hold ${signedWeight} of ${totalWeight} weight, under 2/3 (${why})`,
      {
        hint: `the blob is paid (epoch ${epoch}, quorum ${quorumId}); run the same disperse again once more signers are up: it will not pay twice`,
        details: { failures },
      },
    );
  }

  const sigma = bls.aggregateG1(
    answers
      .filter((a) => a.ok)
      .map((a) => bls.g1FromSol(g1FromJson((a as { body: StoreRowsResponse }).body.signature))),
  );
  const nonSigners = members
    .filter((_, i) => !answers[i].ok)
    .sort((a, b) => (BigInt(a.pubkeyHash) < BigInt(b.pubkeyHash) ? -1 : 1))
    .map((m) => m.pk1);
  const apkG2 = bls.aggregateG2(signed.map((m) => bls.g2FromSol(m.pk2)));
  const tx = await entrance.submitVerifiedCommitRoots([
    {
      dataRoot,
      epoch,
      quorumId,
      commitment,
      nonSignerPubkeys: nonSigners,
      apkG2: bls.g2ToSol(apkG2),
      sigma: bls.g1ToSol(sigma),
    },
  ]);
  await tx.wait(client.confirmations);
  logger.info({ dataRoot, epoch, quorumId, signers: signed.length, of: members.length, tx: tx.hash }, "certified");
  return {
    dataRoot,
    rowsRoot: encoded.rowsRoot,
    epoch,
    quorumId,
    commitment,
    shape,
    signers: signed.map((m) => m.address),
    failures,
    signedWeight,
    totalWeight,
    submitted: true,
  };
}

interface BlobTarget {
  dataRoot: string;
  epoch: bigint;
  quorumId: bigint;
  message: string;
}

async function sendRows(
  member: QuorumMember,
  encoded: core.EncodedBlob,
  target: BlobTarget,
  size: number,
  options: DisperseOptions,
) {
  const lines = assignedLines(encoded.shape.codedRows, size, member.index);
  const request: StoreRowsRequest = {
    blob: { dataRoot: target.dataRoot, epoch: String(target.epoch), quorumId: String(target.quorumId) },
    shape: encoded.shape,
    rowsRoot: encoded.rowsRoot,
    commitment: g1ToJson(encoded.commitment),
    degreeProof: g2ToJson(encoded.degreeProof),
    rows: lines.map((i) => ({
      index: i,
      data: bytesToBase64(encoded.rows[i]),
      proof: g1ToJson(encoded.rowProofs[i]),
      inclusion: core.rowInclusionProof(encoded.rowRoots, encoded.shape.rowDomain, i),
    })),
  };
  const answer = await callSigner(
    joinUrl(member.socket, "/v1/rows"),
    { method: "POST", body: request },
    (body) => storeRowsResponseSchema.parse(body),
    options.signerTimeoutMs ?? 60_000,
  );
  if (!answer.ok) return answer;
  const signature = bls.g1FromSol(g1FromJson(answer.body.signature));
  if (!bls.verify(bls.g2FromSol(member.pk2), target.message, signature)) {
    return { ok: false as const, reason: "its signature does not verify against its registered key" };
  }
  return answer;
}

function eventArgs(log: EventLog | Log): Record<string, unknown> {
  return (log as EventLog).args as unknown as Record<string, unknown>;
}

/** The certified (epoch, quorum) of a root, when a certificate for it is on chain. */
async function findVerified(client: ChainClient, entrance: Contract, dataRoot: string) {
  const logs = await entrance.queryFilter(
    entrance.filters.CommitRootVerified(dataRoot),
    client.startBlock("DAEntrance"),
  );
  if (logs.length === 0) return undefined;
  const args = eventArgs(logs[logs.length - 1]);
  return {
    epoch: args.epoch as bigint,
    quorumId: args.quorumId as bigint,
    signedWeight: args.signedWeight as bigint,
    totalWeight: args.totalWeight as bigint,
  };
}

/** Pays for the root unless an earlier run already did: a retry never pays twice. */
async function payOnce(client: ChainClient, entrance: Contract, dataRoot: string, logger: Logger) {
  const paid = await entrance.queryFilter(
    entrance.filters.DataUploaded(null, dataRoot),
    client.startBlock("DAEntrance"),
  );
  if (paid.length > 0) {
    const args = eventArgs(paid[paid.length - 1]);
    logger.info({ dataRoot, epoch: args.epoch, quorumId: args.quorumId }, "already paid: resuming");
    return { epoch: args.epoch as bigint, quorumId: args.quorumId as bigint };
  }
  const price = (await entrance.blobPrice()) as bigint;
  const tx = await entrance.submitOriginalData([dataRoot], { value: price });
  const receipt = await tx.wait(client.confirmations);
  const event = receipt!.logs
    .map((log: Log) => entrance.interface.parseLog(log))
    .find((parsed: { name: string } | null) => parsed?.name === "DataUploaded");
  logger.info({ dataRoot, epoch: event.args.epoch, quorumId: event.args.quorumId, price }, "paid");
  return { epoch: event.args.epoch as bigint, quorumId: event.args.quorumId as bigint };
}

/** Takes the quorum's weight snapshot for the epoch when nobody has yet (a certificate needs it). */
async function ensureSnapshot(registry: Contract, epoch: bigint, quorumId: bigint, anyMember: string) {
  const [, , snapshotted] = (await registry.weightAt(epoch, quorumId, anyMember)) as [bigint, bigint, boolean];
  if (snapshotted) return;
  try {
    await (await registry.snapshotWeights(epoch, quorumId)).wait();
  } catch (err) {
    if ((err as { revert?: { name?: string } }).revert?.name !== "DASignerRegistryAlreadySnapshotted") throw err;
  }
}
