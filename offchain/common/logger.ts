import pino from "pino";
import type { LoggerOptions } from "./config";

export type Logger = pino.Logger;
export type LogDestination = pino.DestinationStream;

export interface CreateLoggerExtras {
  /** Fields on every line, e.g. `{ node: "storage" }`. */
  bindings?: Record<string, unknown>;
  /** Where lines go instead of stdout or `options.file`; tests pass a stream here. */
  destination?: LogDestination;
}

/** Keys that may hold secrets when someone logs options or a request: censored on every line. */
const REDACTED = ["privateKey", "*.privateKey", "*.*.privateKey", "password", "*.password", "authorization"];

/**
 * JSON lines, one per event, to stdout or appended to `options.file`. Modules log through
 * `logger.child({ module: "name" })` so every line says who wrote it.
 */
export function createLogger(options: LoggerOptions, extras: CreateLoggerExtras = {}): Logger {
  const destination = extras.destination ?? fileOrStdout(options.file);
  return pino(
    {
      level: options.level,
      base: { pid: process.pid, ...extras.bindings },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED, censor: "[redacted]" },
      formatters: {
        // "level":"info" reads better in a file than pino's numeric 30.
        level: (label) => ({ level: label }),
      },
    },
    destination,
  );
}

// Synchronous writes: the last lines before process.exit (a shutdown or a fatal error) must not be lost.
function fileOrStdout(file: string | undefined): LogDestination {
  if (file === undefined) return pino.destination({ fd: 1, sync: true });
  return pino.destination({ dest: file, sync: true, append: true, mkdir: true });
}
