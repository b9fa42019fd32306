/**
 * The signer's decision on a batch of rows: checks every claim of the request against the chain, the data root
 * and the KZG commitment, stores the rows, and only then signs. Each refusal is a DaRequestError with the code
 * the HTTP API answers with; nothing is stored unless every check passed.
 */
import type * as mcl from "mcl-wasm";
import * as bls from "../core/bls";
import * as core from "../core";
import { assignedLines } from "../chain";
import {
  base64ToBytes,
  g1FromJson,
  g2FromJson,
  g1ToJson,
  type DaApiErrorCode,
  type StoreRowsRequest,
  type StoreRowsResponse,
} from "../protocol";
import { BlobConflictError, type SignerStore } from "./store";

export class DaRequestError extends Error {
  constructor(
    readonly code: DaApiErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** What the checks need from the chain; the node backs it with contract reads, tests with anything. */
export interface SignerChainView {
  /** This signer's member index and the quorum's size in `epoch`, or undefined when not a member then. */
  membership(epoch: bigint, quorumId: bigint): Promise<{ index: number; size: number } | undefined>;
  isPaid(dataRoot: string, epoch: bigint, quorumId: bigint): Promise<boolean>;
}

export interface SignerIdentity {
  address: string;
  secret: mcl.Fr;
  pubkeyHash: string;
}

export interface RowsHandlerDeps {
  srs: core.Srs;
  store: SignerStore;
  chain: SignerChainView;
  identity: SignerIdentity;
}

const fail = (code: DaApiErrorCode, message: string): never => {
  throw new DaRequestError(code, message);
};

/** Checks, stores and signs; returns the signature. Idempotent for the same blob and rows. */
export async function storeAndSign(deps: RowsHandlerDeps, req: StoreRowsRequest): Promise<StoreRowsResponse> {
  const { srs, store, chain, identity } = deps;
  const epoch = BigInt(req.blob.epoch);
  const quorumId = BigInt(req.blob.quorumId);
  const commitment = g1FromJson(req.commitment);

  try {
    core.validateShape(req.shape, srs);
  } catch (err) {
    fail("BAD_SHAPE", (err as Error).message);
  }
  if (core.dataRootOf(req.rowsRoot, req.shape).toLowerCase() !== req.blob.dataRoot.toLowerCase()) {
    fail("BAD_ROOT", "the data root is not keccak256(rowsRoot, cols, dataRows, codedRows) of this request");
  }

  if (!(await chain.isPaid(req.blob.dataRoot, epoch, quorumId))) {
    fail("NOT_PAID", `data root ${req.blob.dataRoot} is not paid for in epoch ${epoch}, quorum ${quorumId}`);
  }

  const member = await chain.membership(epoch, quorumId);
  if (!member) fail("NOT_MEMBER", `this signer is not a member of quorum ${quorumId} in epoch ${epoch}`);
  const { index, size } = member!;
  const expected = assignedLines(req.shape.codedRows, size, index);
  const given = req.rows.map((r) => r.index).sort((a, b) => a - b);
  if (given.length !== expected.length || given.some((line, i) => line !== expected[i])) {
    fail(
      "NOT_ASSIGNED",
      `this signer (member ${index} of ${size}) holds lines [${expected.join(", ")}], got [${given}]`,
    );
  }

  const rows = req.rows.map((r) => ({ index: r.index, data: base64ToBytes(r.data), proof: g1FromJson(r.proof) }));
  for (const [i, row] of rows.entries()) {
    if (row.data.length !== req.shape.cols * 32) {
      fail("BAD_COMMITMENT", `row ${row.index} has ${row.data.length} bytes, not ${req.shape.cols * 32}`);
    }
    if (!core.verifyRowInclusion(core.rowRoot(row.data), row.index, req.rows[i].inclusion, req.rowsRoot, req.shape)) {
      fail("BAD_INCLUSION", `row ${row.index} is not in the rows root`);
    }
  }
  // Both checks answer false (never throw) for points off the curve.
  if (!(await core.verifyDegreeProof(srs, commitment, g2FromJson(req.degreeProof), req.shape))) {
    fail("BAD_DEGREE", "the degree proof does not verify: the commitment is not to a polynomial of this blob's size");
  }
  if (!(await core.verifyBlobRows(srs, { commitment, shape: req.shape, rows }))) {
    fail("BAD_COMMITMENT", "the rows do not open the commitment");
  }

  const stored = await store
    .putBlob(
      {
        blob: { ...req.blob, dataRoot: req.blob.dataRoot.toLowerCase() },
        shape: req.shape,
        rowsRoot: req.rowsRoot,
        commitment: req.commitment,
        degreeProof: req.degreeProof,
      },
      req.rows,
    )
    .catch((err: unknown) => {
      throw err instanceof BlobConflictError ? new DaRequestError("CONFLICT", err.message) : err;
    });

  const message = bls.commitMessage(req.blob.dataRoot, epoch, quorumId, commitment);
  const signature = bls.g1ToSol(bls.sign(identity.secret, message));
  return {
    signer: identity.address,
    pubkeyHash: identity.pubkeyHash,
    signature: g1ToJson(signature),
    stored: stored.rows,
  };
}
