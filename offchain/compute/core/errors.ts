// OpenAI's error shape, so the official clients surface the broker's refusals as ordinary API errors.

export type OpenAIErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "insufficient_quota"
  | "not_found_error"
  | "server_error"
  | "rate_limit_error";

export interface OpenAIErrorBody {
  error: { message: string; type: OpenAIErrorType; param: string | null; code: string | null };
}

/** An error the broker answers with `status` and OpenAI's JSON body. */
export class ComputeApiError extends Error {
  override name = "ComputeApiError";
  constructor(
    readonly status: number,
    message: string,
    readonly type: OpenAIErrorType,
    readonly code: string | null = null,
    readonly param: string | null = null,
  ) {
    super(message);
  }

  toJSON(): OpenAIErrorBody {
    return openAIError(this.message, this.type, this.code, this.param);
  }
}

export function openAIError(
  message: string,
  type: OpenAIErrorType,
  code: string | null = null,
  param: string | null = null,
): OpenAIErrorBody {
  return { error: { message, type, param, code } };
}

/** Shorthands for the refusals the spec names; codes are what clients branch on. */
export const apiErrors = {
  invalidRequest: (message: string, param: string | null = null, code: string | null = null) =>
    new ComputeApiError(400, message, "invalid_request_error", code, param),
  unauthorized: (message: string, code = "invalid_session") =>
    new ComputeApiError(401, message, "authentication_error", code),
  forbidden: (message: string, code: string) => new ComputeApiError(403, message, "permission_error", code),
  insufficientQuota: (message: string) => new ComputeApiError(402, message, "insufficient_quota", "insufficient_quota"),
  receiptsRequired: (message: string) => new ComputeApiError(402, message, "insufficient_quota", "receipts_required"),
  notFound: (message: string, param: string | null = null, code: string | null = "model_not_found") =>
    new ComputeApiError(404, message, "not_found_error", code, param),
  tooLarge: (message: string) => new ComputeApiError(413, message, "invalid_request_error", "request_too_large"),
  server: (message: string) => new ComputeApiError(500, message, "server_error", null),
  unavailable: (message: string) => new ComputeApiError(503, message, "server_error", "service_unavailable"),
};
