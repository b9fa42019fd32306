import net from "node:net";
import { expect } from "chai";
import {
  MetricsFactory,
  createMetricsRegistry,
  createMetricsServer,
  metricsOptionsSchema,
  startMetricsServer,
  type MetricsServer,
} from "../../../offchain/common";
import { expectZgError, freePort, memoryLogger } from "./helpers";

// How a node defines its metrics: one typed object, names with units.
function createExampleMetrics(m: MetricsFactory) {
  return {
    requests: m.counter({ name: "zg_example_requests_total", help: "Requests served", labelNames: ["route"] as const }),
    queueDepth: m.gauge({ name: "zg_example_queue_depth", help: "Jobs waiting" }),
    requestTime: m.histogram({ name: "zg_example_request_seconds", help: "Time per request", buckets: [0.1, 1] }),
  };
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

describe("[offchain] metrics", function () {
  const { logger } = memoryLogger();
  let server: MetricsServer | undefined;

  afterEach(async function () {
    await server?.close();
    server = undefined;
  });

  it("serves the registry at /metrics with custom and process metrics", async function () {
    const registry = createMetricsRegistry({ labels: { node: "test" } });
    const metrics = createExampleMetrics(new MetricsFactory(registry));
    metrics.requests.inc({ route: "upload" }, 2);
    metrics.queueDepth.set(5);
    metrics.requestTime.observe(0.5);

    server = await createMetricsServer(registry, { host: "127.0.0.1", port: 0 }, logger);
    expect(server.url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const response = await fetch(server.url);
    expect(response.status).to.equal(200);
    expect(response.headers.get("content-type")).to.contain("text/plain");
    const body = await response.text();
    expect(body).to.contain('zg_example_requests_total{route="upload",node="test"} 2');
    expect(body).to.contain('zg_example_queue_depth{node="test"} 5');
    expect(body).to.contain('zg_example_request_seconds_bucket{le="1",node="test"} 1');
    expect(body).to.contain("zg_process_cpu_seconds_total");
  });

  it("answers 404 anywhere else", async function () {
    server = await createMetricsServer(
      createMetricsRegistry({ processMetrics: false }),
      { host: "127.0.0.1", port: 0 },
      logger,
    );
    const base = server.url.replace(/\/metrics$/, "");
    expect((await fetch(`${base}/`)).status).to.equal(404);
    expect((await fetch(`${base}/metrics/x`)).status).to.equal(404);
    expect((await fetch(server.url, { method: "POST" })).status).to.equal(404);
  });

  it("frees its port on close, even with a keep-alive connection open", async function () {
    const port = await freePort();
    const metricsServer = await createMetricsServer(createMetricsRegistry(), { host: "127.0.0.1", port }, logger);
    await fetch(metricsServer.url, { keepalive: true }).then((r) => r.text());
    expect(await portIsFree(port)).to.equal(false);
    await Promise.all([metricsServer.close(), metricsServer.close()]);
    expect(await portIsFree(port)).to.equal(true);
  });

  it("keeps two registries apart: the same metric name in both does not clash", async function () {
    const first = createMetricsRegistry();
    const second = createMetricsRegistry();
    const a = createExampleMetrics(new MetricsFactory(first));
    const b = createExampleMetrics(new MetricsFactory(second));
    a.queueDepth.set(1);
    b.queueDepth.set(2);
    expect(await first.getSingleMetricAsString("zg_example_queue_depth")).to.contain("zg_example_queue_depth 1");
    expect(await second.getSingleMetricAsString("zg_example_queue_depth")).to.contain("zg_example_queue_depth 2");
  });

  it("fails with METRICS_LISTEN_FAILED when the port is taken", async function () {
    server = await createMetricsServer(createMetricsRegistry(), { host: "127.0.0.1", port: 0 }, logger);
    const port = Number(new URL(server.url).port);
    const err = await expectZgError(
      () => createMetricsServer(createMetricsRegistry(), { host: "127.0.0.1", port }, logger),
      "METRICS_LISTEN_FAILED",
    );
    expect(err.message).to.contain("EADDRINUSE");
  });

  it("starts nothing unless enabled", async function () {
    const options = metricsOptionsSchema.parse({ port: 0 });
    expect(await startMetricsServer(options, createMetricsRegistry(), logger)).to.equal(null);
    server = (await startMetricsServer({ ...options, enabled: true }, createMetricsRegistry(), logger)) ?? undefined;
    expect(server?.url).to.be.a("string");
  });
});
