import type { Command } from "commander";

/** The flags every node command shares, mapped to dotted option keys. */
export function addCommonFlags(command: Command): Command {
  return command
    .option("--config <file>", "JSON file with options (flags and ZG_* env variables override it)")
    .option("--log-level <level>", "fatal | error | warn | info | debug | trace")
    .option("--log-file <file>", "append JSON log lines to this file instead of stderr")
    .option("--metrics", "serve Prometheus metrics")
    .option("--metrics-port <port>", "port for metrics (default 9464)");
}

export interface CommonFlags {
  config?: string;
  logLevel?: string;
  logFile?: string;
  metrics?: boolean;
  metricsPort?: string;
}

export function commonFlagValues(flags: CommonFlags): Record<string, unknown> {
  return {
    "logger.level": flags.logLevel,
    "logger.file": flags.logFile,
    "metrics.enabled": flags.metrics,
    "metrics.port": flags.metricsPort,
  };
}
