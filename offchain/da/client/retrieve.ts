/**
 * Retrieval: find a blob's certificate on chain, ask every member of its quorum for the lines it holds, keep
 * only rows that open the certified commitment, and decode once any `dataRows` of them are in. A signer that
 * serves bad rows is skipped and reported, never trusted.
 */
import type { EventLog } from "ethers";
import type { ChainClient } from "../../common/chain";
import { ZgError } from "../../common/errors";
import type { Logger } from "../../common/logger";
import type * as bls from "../core/bls";
import * as core from "../core";
import { daContracts, quorumMembers } from "../chain";
import { base64ToBytes, g1FromJson, g2FromJson, rowsResponseSchema, type RowsResponse } from "../protocol";
import { callSigner, joinUrl } from "./http";

export interface RetrieveOptions {
  srs: core.Srs;
  signerTimeoutMs?: number;
  logger: Logger;
}

export interface RetrieveResult {
  blob: Uint8Array;
  epoch: bigint;
  quorumId: bigint;
  commitment: bls.G1Sol;
  /** Valid rows each signer served. */
  served: { signer: string; rows: number }[];
  /** Signers that served nothing usable, with why. */
  failures: { signer: string; reason: string }[];
}

export async function retrieve(
  client: ChainClient,
  dataRoot: string,
  options: RetrieveOptions,
): Promise<RetrieveResult> {
  const { registry, entrance } = daContracts(client);
  const logs = await entrance.queryFilter(
    entrance.filters.CommitRootVerified(dataRoot),
    client.startBlock("DAEntrance"),
  );
  if (logs.length === 0) {
    throw new ZgError("DA_NOT_CERTIFIED", `no certificate for data root ${dataRoot} on chain ${client.chainId}`, {
      hint: "check the root (zg da disperse prints it) and the chain; a blob is retrievable once certified",
    });
  }
  const args = (logs[logs.length - 1] as EventLog).args;
  const epoch = args.epoch as bigint;
  const quorumId = args.quorumId as bigint;
  const commitment = { X: args.commitment.X as bigint, Y: args.commitment.Y as bigint };
  const members = await quorumMembers(registry, epoch, quorumId);

  const path = `/v1/rows/${dataRoot}/${epoch}/${quorumId}`;
  const answers = await Promise.all(
    members.map((m) =>
      callSigner(
        joinUrl(m.socket, path),
        { method: "GET" },
        (b) => rowsResponseSchema.parse(b),
        options.signerTimeoutMs ?? 30_000,
      ),
    ),
  );

  const rows = new Map<number, Uint8Array>();
  const served: RetrieveResult["served"] = [];
  const failures: RetrieveResult["failures"] = [];
  let shape: core.BlobShape | undefined;
  for (const [i, answer] of answers.entries()) {
    const signer = members[i].address;
    if (!answer.ok) {
      failures.push({ signer, reason: answer.reason });
      continue;
    }
    const checked = await checkServed(options.srs, dataRoot, commitment, answer.body);
    if (typeof checked === "string") {
      failures.push({ signer, reason: checked });
      options.logger.warn({ signer, reason: checked }, "signer served bad rows: skipped");
      continue;
    }
    shape ??= checked.shape;
    for (const row of checked.rows) rows.set(row.index, row.data);
    served.push({ signer, rows: checked.rows.length });
  }

  if (!shape || rows.size < shape.dataRows) {
    throw new ZgError(
      "DA_NOT_ENOUGH_ROWS",
      `got ${rows.size} valid rows of ${dataRoot}, need ${shape?.dataRows ?? "at least one signer's"}`,
      { hint: "too many signers are down or serving bad rows; try again later", details: { failures } },
    );
  }
  const blob = await core.decodeBlob(
    shape,
    [...rows].map(([index, data]) => ({ index, data })),
  );
  options.logger.info({ dataRoot, bytes: blob.length, rows: rows.size, served }, "retrieved");
  return { blob, epoch, quorumId, commitment, served, failures };
}

/** The signer's rows when every one of them is in the data root and opens the certified commitment. */
async function checkServed(srs: core.Srs, dataRoot: string, commitment: bls.G1Sol, body: RowsResponse) {
  try {
    core.validateShape(body.shape, srs);
  } catch (err) {
    return `bad shape: ${(err as Error).message}`;
  }
  if (core.dataRootOf(body.rowsRoot, body.shape).toLowerCase() !== dataRoot.toLowerCase()) {
    return "its rows root and shape do not hash to the data root";
  }
  if (BigInt(body.commitment.X) !== commitment.X || BigInt(body.commitment.Y) !== commitment.Y) {
    return "it holds another commitment than the certified one";
  }
  const rows = body.rows.map((r) => ({ index: r.index, data: base64ToBytes(r.data), proof: g1FromJson(r.proof) }));
  for (const [i, row] of rows.entries()) {
    if (row.data.length !== body.shape.cols * 32) return `row ${row.index} has the wrong length`;
    if (
      !core.verifyRowInclusion(core.rowRoot(row.data), row.index, body.rows[i].inclusion, body.rowsRoot, body.shape)
    ) {
      return `row ${row.index} is not in the data root`;
    }
  }
  if (!(await core.verifyDegreeProof(srs, commitment, g2FromJson(body.degreeProof), body.shape)))
    return "bad degree proof";
  if (rows.length > 0 && !(await core.verifyBlobRows(srs, { commitment, shape: body.shape, rows }))) {
    return "its rows do not open the commitment";
  }
  return { shape: body.shape, rows };
}
