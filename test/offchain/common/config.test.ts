import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { z } from "zod";
import {
  chainOptionsSchema,
  dataDirSchema,
  editDistance,
  loadConfig,
  loggerOptionsSchema,
  metricsOptionsSchema,
} from "../../../offchain/common";
import { expectZgError, tempDir } from "./helpers";

// The shape every node's options take: the shared sections plus its own.
const nodeSchema = z.strictObject({
  logger: loggerOptionsSchema.prefault({}),
  metrics: metricsOptionsSchema.prefault({}),
  chain: chainOptionsSchema.prefault({}),
  dataDir: dataDirSchema,
  workers: z.coerce.number().int().positive().default(2),
});

function writeJson(value: unknown): string {
  const file = path.join(tempDir("config"), "config.json");
  fs.writeFileSync(file, JSON.stringify(value));
  return file;
}

describe("[offchain] config", function () {
  describe("loadConfig", function () {
    it("gives the schema's defaults when nothing is set", function () {
      const config = loadConfig(nodeSchema, { env: {} });
      expect(config).to.deep.equal({
        logger: { level: "info" },
        metrics: { enabled: false, host: "127.0.0.1", port: 9464 },
        chain: { rpcUrl: "http://127.0.0.1:8545", deploymentsDir: "deployments", confirmations: 1, rpcTimeoutMs: 5000 },
        dataDir: ".zg",
        workers: 2,
      });
    });

    it("layers defaults < file < env < flags", function () {
      const file = writeJson({ metrics: { port: 1000, host: "0.0.0.0" }, workers: 3, logger: { level: "debug" } });
      const env = { ZG_METRICS__PORT: "2000", ZG_WORKERS: "4" };
      const config = loadConfig(nodeSchema, { file, env, flags: { "metrics.port": 3000 } });
      expect(config.metrics).to.deep.equal({ enabled: false, host: "0.0.0.0", port: 3000 });
      expect(config.workers).to.equal(4);
      expect(config.logger.level).to.equal("debug");
      expect(config.chain.confirmations).to.equal(1);
    });

    it("coerces env strings by the schema and maps SNAKE_CASE to camelCase keys", function () {
      const env = {
        ZG_METRICS__ENABLED: "true",
        ZG_METRICS__PORT: "9100",
        ZG_CHAIN__RPC_URL: "http://10.0.0.1:8545",
        ZG_CHAIN__CHAIN_ID: "31337",
        ZG_DATA_DIR: "/var/zg",
      };
      const config = loadConfig(nodeSchema, { env });
      expect(config.metrics).to.deep.equal({ enabled: true, host: "127.0.0.1", port: 9100 });
      expect(config.chain.rpcUrl).to.equal("http://10.0.0.1:8545");
      expect(config.chain.chainId).to.equal(31337);
      expect(config.dataDir).to.equal("/var/zg");
    });

    it('reads "false" as false, unlike z.coerce.boolean', function () {
      const config = loadConfig(nodeSchema, { env: { ZG_METRICS__ENABLED: "false" }, flags: {} });
      expect(config.metrics.enabled).to.equal(false);
      expect(loadConfig(nodeSchema, { env: {}, flags: { "metrics.enabled": "on" } }).metrics.enabled).to.equal(true);
    });

    it("ignores other tools' ZG_ variables that name no option, and empty ones", function () {
      const env = {
        ZG_RPC_URL: "http://remote",
        ZG_PRIVATE_KEY: "0x00",
        ZG_LOCAL_RPC: "x",
        ZG_WORKERS: "",
        PATH: "/bin",
      };
      expect(loadConfig(nodeSchema, { env }).workers).to.equal(2);
    });

    it("honours another env prefix", function () {
      const config = loadConfig(nodeSchema, { env: { APP_WORKERS: "7", ZG_WORKERS: "5" }, envPrefix: "APP_" });
      expect(config.workers).to.equal(7);
    });
  });

  describe("unknown keys", function () {
    it("names the path, suggests the key and says where a file typo came from", async function () {
      const file = writeJson({ metrics: { prot: 9100 } });
      const err = await expectZgError(() => loadConfig(nodeSchema, { file, env: {} }), "CONFIG_INVALID");
      expect(err.message).to.equal(`metrics.prot: unrecognized key; did you mean metrics.port? (in ${file})`);
      expect(err.hint).to.match(/--help/);
    });

    it("refuses a typo in an env name", async function () {
      const err = await expectZgError(
        () => loadConfig(nodeSchema, { env: { ZG_METRICS__PROT: "9100" } }),
        "CONFIG_INVALID",
      );
      expect(err.message).to.equal(
        "metrics.prot: unrecognized key; did you mean metrics.port? (from ZG_METRICS__PROT)",
      );
    });

    it("refuses a flat env name that looks like a typo of an option", async function () {
      const err = await expectZgError(() => loadConfig(nodeSchema, { env: { ZG_WORKER: "3" } }), "CONFIG_INVALID");
      expect(err.message).to.contain("worker: unrecognized key; did you mean workers?");
    });

    it("refuses a typo in a flag", async function () {
      const err = await expectZgError(
        () => loadConfig(nodeSchema, { env: {}, flags: { "metrics.prot": 9100 } }),
        "CONFIG_INVALID",
      );
      expect(err.message).to.equal(
        "metrics.prot: unrecognized key; did you mean metrics.port? (from flag --metrics.prot)",
      );
    });

    it("suggests nothing when no key is close", async function () {
      const err = await expectZgError(
        () => loadConfig(nodeSchema, { env: {}, flags: { "metrics.colour": "blue" } }),
        "CONFIG_INVALID",
      );
      expect(err.message).to.equal("metrics.colour: unrecognized key (from flag --metrics.colour)");
    });

    it("never lets a __proto__ key reach a prototype", async function () {
      await expectZgError(
        () => loadConfig(nodeSchema, { env: {}, flags: { "__proto__.polluted": 1 } }),
        "CONFIG_INVALID",
      );
      const file = writeJson({});
      fs.writeFileSync(file, '{"__proto__": {"polluted": 1}}');
      await expectZgError(() => loadConfig(nodeSchema, { file, env: {} }), "CONFIG_INVALID");
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    });
  });

  describe("wrong values", function () {
    it("reports every bad value with its path and source", async function () {
      const err = await expectZgError(
        () =>
          loadConfig(nodeSchema, {
            env: { ZG_METRICS__PORT: "http" },
            flags: { "logger.level": "loud", "chain.confirmations": 1.5 },
          }),
        "CONFIG_INVALID",
      );
      expect(err.message).to.contain("metrics.port: must be a number (from ZG_METRICS__PORT)");
      expect(err.message).to.contain('logger.level: expected one of "fatal"|"error"|"warn"|"info"|"debug"|"trace"');
      expect(err.message).to.contain("chain.confirmations: must be a whole number (from flag --chain.confirmations)");
    });

    it("refuses a port out of range and a non-http RPC URL", async function () {
      const err = await expectZgError(
        () => loadConfig(nodeSchema, { env: {}, flags: { "metrics.port": 70000, "chain.rpcUrl": "ws://127.0.0.1" } }),
        "CONFIG_INVALID",
      );
      expect(err.message).to.contain("metrics.port:");
      expect(err.message).to.contain("chain.rpcUrl: must be an http(s) URL");
    });

    it("refuses both a private key and a key file, without echoing the key", async function () {
      const key = `0x${"ab".repeat(32)}`;
      const err = await expectZgError(
        () => loadConfig(nodeSchema, { env: { ZG_CHAIN__PRIVATE_KEY: key }, flags: { "chain.keyFile": "k.txt" } }),
        "CONFIG_INVALID",
      );
      expect(err.message).to.contain("set privateKey or keyFile, not both");
      expect(err.message).to.not.contain(key);
    });
  });

  describe("config file", function () {
    it("refuses a missing file", async function () {
      const file = path.join(tempDir("config"), "nope.json");
      const err = await expectZgError(() => loadConfig(nodeSchema, { file, env: {} }), "CONFIG_FILE_UNREADABLE");
      expect(err.message).to.contain(file).and.to.contain("ENOENT");
    });

    it("refuses invalid JSON", async function () {
      const file = writeJson({});
      fs.writeFileSync(file, '{ "metrics": { "port": 1, } }');
      const err = await expectZgError(() => loadConfig(nodeSchema, { file, env: {} }), "CONFIG_FILE_MALFORMED");
      expect(err.message).to.contain("is not valid JSON");
    });

    it("refuses a file that is not an object", async function () {
      await expectZgError(() => loadConfig(nodeSchema, { file: writeJson([1, 2]), env: {} }), "CONFIG_FILE_MALFORMED");
    });
  });

  describe("editDistance", function () {
    it("counts a swap of neighbours as one edit", function () {
      expect(editDistance("prot", "port")).to.equal(1);
      expect(editDistance("", "abc")).to.equal(3);
      expect(editDistance("kitten", "sitting")).to.equal(3);
    });
  });
});
