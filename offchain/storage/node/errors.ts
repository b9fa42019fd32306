/**
 * JSON-RPC errors of the storage node. Each has a stable numeric code (what JSON-RPC clients match on) and a
 * stable name in `data.name` (what metrics and logs use); the message says what was wrong and what to do.
 */
export const RPC_ERRORS = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL: -32603,
  TOO_LARGE: -32000,
  INDEX_OUT_OF_RANGE: -32001,
  BAD_DATA_LENGTH: -32002,
  BAD_PADDING: -32003,
  BAD_PROOF: -32004,
  NOT_IN_SHARD: -32005,
  PENDING_FULL: -32006,
  SIZE_MISMATCH: -32007,
  UNAVAILABLE: -32008,
  MALFORMED_FRAME: -32009,
} as const;

export type RpcErrorName = keyof typeof RPC_ERRORS;

export class RpcError extends Error {
  readonly code: number;
  constructor(
    readonly errorName: RpcErrorName,
    message: string,
  ) {
    super(message);
    this.code = RPC_ERRORS[errorName];
  }

  toJson() {
    return { code: this.code, message: this.message, data: { name: this.errorName } };
  }
}
