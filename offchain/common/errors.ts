/**
 * Errors a user can see. Each carries a stable `code` that tests and callers match on, a short `message`
 * saying what was wrong and a `hint` saying what to do about it; `formatError` prints all three on one line.
 */

export type ConfigErrorCode = "CONFIG_INVALID" | "CONFIG_FILE_UNREADABLE" | "CONFIG_FILE_MALFORMED";

export type DeploymentErrorCode =
  | "DEPLOYMENT_MISSING"
  | "DEPLOYMENT_MALFORMED"
  | "DEPLOYMENT_STALE"
  | "DEPLOYMENT_CONTRACT_UNKNOWN"
  | "DEPLOYMENT_WRITE_FAILED";

export type ChainErrorCode = "RPC_UNREACHABLE" | "CHAIN_MISMATCH" | "KEY_INVALID" | "KEY_FILE_UNREADABLE";

export type MetricsErrorCode = "METRICS_LISTEN_FAILED";

export type LifecycleErrorCode = "LIFECYCLE_CLOSED" | "ABORTED";

/** Every code `offchain/common` throws. Domain code adds its own union and uses `ZgError<ItsCode>`. */
export type CommonErrorCode =
  ConfigErrorCode | DeploymentErrorCode | ChainErrorCode | MetricsErrorCode | LifecycleErrorCode;

export interface ZgErrorOptions {
  /** What the user should do next; required so nobody throws an error without one. */
  hint: string;
  /** Machine-readable context for logs (paths, issues, addresses); never shown in the one-line form. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class ZgError<C extends string = CommonErrorCode> extends Error {
  override name = "ZgError";
  readonly code: C;
  readonly hint: string;
  readonly details?: Record<string, unknown>;

  constructor(code: C, message: string, options: ZgErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
    if (options.details !== undefined) this.details = options.details;
  }
}

/** True for any ZgError; with `code`, only for that code (and narrows to it). */
export function isZgError<C extends string>(err: unknown, code?: C): err is ZgError<C> {
  return err instanceof ZgError && (code === undefined || err.code === code);
}

/** One line for a terminal: `error[CODE]: message — hint` for ours, `error: message` for anything else. */
export function formatError(err: unknown): string {
  if (err instanceof ZgError) return `error[${err.code}]: ${err.message} — ${err.hint}`;
  if (err instanceof AggregateError) {
    const inner = err.errors.map((e) => formatError(e).replace(/^error(\[[A-Z0-9_]+\])?: /, "")).join("; ");
    return `error: ${err.message}${inner ? `: ${inner}` : ""}`;
  }
  if (err instanceof Error) {
    const name = err.name && err.name !== "Error" ? `${err.name}: ` : "";
    return `error: ${name}${firstLine(err.message)}`;
  }
  return `error: ${firstLine(String(err))}`;
}

/** The text of an unknown thrown value, for embedding in our own messages (`cannot reach x: ECONNREFUSED`). */
export function errorText(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return firstLine(typeof code === "string" && !err.message.includes(code) ? `${code}: ${err.message}` : err.message);
  }
  return firstLine(String(err));
}

function firstLine(text: string): string {
  const line = text.split("\n", 1)[0].trim();
  return line || "(no message)";
}
