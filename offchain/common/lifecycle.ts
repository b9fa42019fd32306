import { setMaxListeners } from "node:events";
import { ZgError, errorText } from "./errors";
import type { Logger } from "./logger";

export type LifecycleStatus = "running" | "closing" | "closed";
export type CloseFn = () => void | Promise<void>;

/**
 * Owns a node's shutdown. Modules register as they start; `close()` aborts the shared signal (so
 * loops stop taking work) and then closes modules newest-first, so nothing is closed while something
 * started after it may still use it.
 */
export class Lifecycle {
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private readonly modules: { name: string; close: CloseFn }[] = [];
  private closing: Promise<void> | undefined;
  private state: LifecycleStatus = "running";

  constructor(private readonly logger: Logger) {
    this.signal = this.controller.signal;
    // Every loop and request of the node listens on this one signal; the default cap of 10 would warn.
    setMaxListeners(Infinity, this.signal);
  }

  get status(): LifecycleStatus {
    return this.state;
  }

  /** Registers a started module; throws once closing began, since nothing would ever close it. */
  add(name: string, close: CloseFn): void {
    if (this.state !== "running") {
      throw new ZgError("LIFECYCLE_CLOSED", `cannot add module "${name}": the node is ${this.state}`, {
        hint: "check lifecycle.signal.aborted before starting a module, and close what was started",
      });
    }
    this.modules.push({ name, close });
  }

  /**
   * Closes every module once; later and concurrent calls get the same promise. A failing close is
   * logged and the rest still close; the failures are rethrown together as an AggregateError.
   */
  close(): Promise<void> {
    this.closing ??= this.closeAll();
    return this.closing;
  }

  private async closeAll(): Promise<void> {
    this.state = "closing";
    this.controller.abort();
    const errors: unknown[] = [];
    for (const { name, close } of [...this.modules].reverse()) {
      const started = performance.now();
      try {
        await close();
        this.logger.info({ module: name, durationMs: elapsed(started) }, `closed ${name}`);
      } catch (err) {
        errors.push(err);
        this.logger.error(
          { module: name, durationMs: elapsed(started), err },
          `closing ${name} failed: ${errorText(err)}`,
        );
      }
    }
    this.state = "closed";
    if (errors.length > 0) {
      throw new AggregateError(errors, `${errors.length} of ${this.modules.length} modules failed to close`);
    }
  }
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

export interface ShutdownOptions {
  /** Injected by tests; process.exit otherwise. */
  exit?: (code: number) => void;
  signals?: NodeJS.Signals[];
}

/**
 * First SIGINT/SIGTERM: close gracefully, then exit 0 (1 if a module failed to close). A second signal
 * while closing exits 1 at once, for the operator whose node hangs on a close. Returns a function that
 * removes the handlers.
 */
export function onShutdownSignals(lifecycle: Lifecycle, logger: Logger, options: ShutdownOptions = {}): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const signals = options.signals ?? ["SIGINT", "SIGTERM"];
  let received: NodeJS.Signals | undefined;

  const handler = (signal: NodeJS.Signals) => {
    if (received) {
      logger.warn({ signal }, `received ${signal} again: forcing exit without finishing shutdown`);
      exit(1);
      return;
    }
    received = signal;
    logger.info({ signal }, `received ${signal}: shutting down gracefully (send it again to force exit)`);
    lifecycle.close().then(
      () => {
        logger.info("shutdown complete");
        exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, `shutdown finished with errors: ${errorText(err)}`);
        exit(1);
      },
    );
  };

  for (const signal of signals) process.on(signal, handler);
  return () => {
    for (const signal of signals) process.off(signal, handler);
  };
}
