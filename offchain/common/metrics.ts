import http from "node:http";
import type { AddressInfo } from "node:net";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { MetricsOptions } from "./config";
import { ZgError, errorText } from "./errors";
import type { Logger } from "./logger";

/**
 * Each node owns a Registry (never prom-client's global one), so two nodes in one process, or two
 * tests, never fight over a metric name. Names carry the `zg_` prefix and their unit, checked by the
 * types below: counters end in `_total`, histograms in a base unit (`_seconds`, `_bytes`, `_ratio`).
 *
 * A node defines its metrics in one typed object, built once and passed to its modules:
 *
 *   export type StorageMetrics = ReturnType<typeof createStorageMetrics>;
 *   export function createStorageMetrics(m: MetricsFactory) {
 *     return {
 *       segmentsStored: m.counter({ name: "zg_storage_segments_stored_total", help: "Segments written to disk" }),
 *       uploadTime: m.histogram({ name: "zg_storage_upload_seconds", help: "Time to store one upload", buckets: [0.1, 1, 10] }),
 *     };
 *   }
 */

export const METRIC_PREFIX = "zg_";

export type HistogramUnit = "seconds" | "bytes" | "ratio";
export type CounterName = `${typeof METRIC_PREFIX}${string}_total`;
export type GaugeName = `${typeof METRIC_PREFIX}${string}`;
export type HistogramName = `${typeof METRIC_PREFIX}${string}_${HistogramUnit}`;

export interface RegistryOptions {
  /** Labels on every series of this registry, e.g. `{ node: "storage-1" }`. */
  labels?: Record<string, string>;
  /** Process metrics (CPU, memory, event loop lag, GC) as `zg_process_*` / `zg_nodejs_*`; on by default. */
  processMetrics?: boolean;
}

export function createMetricsRegistry(options: RegistryOptions = {}): Registry {
  const registry = new Registry();
  if (options.labels) registry.setDefaultLabels(options.labels);
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  return registry;
}

interface MetricSpec<L extends string> {
  help: string;
  labelNames?: readonly L[];
}

/** Creates metrics registered in one registry only, with unit-checked names. */
export class MetricsFactory {
  constructor(readonly registry: Registry) {}

  counter<L extends string = never>(spec: MetricSpec<L> & { name: CounterName }): Counter<L> {
    return new Counter<L>({ ...spec, registers: [this.registry] });
  }

  gauge<L extends string = never>(spec: MetricSpec<L> & { name: GaugeName }): Gauge<L> {
    return new Gauge<L>({ ...spec, registers: [this.registry] });
  }

  histogram<L extends string = never>(spec: MetricSpec<L> & { name: HistogramName; buckets?: number[] }): Histogram<L> {
    return new Histogram<L>({ ...spec, registers: [this.registry] });
  }
}

export interface MetricsServer {
  /** Where Prometheus scrapes, e.g. http://127.0.0.1:9464/metrics (with the real port when 0 was asked). */
  url: string;
  close(): Promise<void>;
}

/** Serves the registry at GET /metrics; everything else is 404. */
export async function createMetricsServer(
  registry: Registry,
  address: Pick<MetricsOptions, "host" | "port">,
  logger: Logger,
): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? "").split("?", 1)[0];
    if (req.method !== "GET" || path !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found: metrics are at GET /metrics\n");
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { "content-type": registry.contentType }).end(body),
      (err: unknown) => {
        logger.error({ err }, "collecting metrics failed");
        res.writeHead(500, { "content-type": "text/plain" }).end("collecting metrics failed\n");
      },
    );
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => {
      reject(
        new ZgError(
          "METRICS_LISTEN_FAILED",
          `cannot serve metrics on ${address.host}:${address.port}: ${errorText(err)}`,
          {
            hint: "pick a free port with --metrics.port (or ZG_METRICS__PORT), or leave metrics disabled",
            cause: err,
          },
        ),
      );
    };
    server.once("error", onError);
    server.listen(address.port, address.host, () => {
      server.off("error", onError);
      resolve();
    });
  });

  const { port } = server.address() as AddressInfo;
  const host = address.host.includes(":") ? `[${address.host}]` : address.host;
  const url = `http://${host}:${port}/metrics`;
  logger.info({ url }, "metrics server listening");

  let closing: Promise<void> | undefined;
  return {
    url,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // A scraper's keep-alive connection would otherwise hold the port open until it times out.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** Starts the server only when metrics are enabled: a node opens no port nobody asked for. */
export async function startMetricsServer(
  options: MetricsOptions,
  registry: Registry,
  logger: Logger,
): Promise<MetricsServer | null> {
  return options.enabled ? createMetricsServer(registry, options, logger) : null;
}
