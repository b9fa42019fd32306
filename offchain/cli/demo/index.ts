// `zg demo`: the story of the seed documents on a devnet, one step at a time, each printed as it goes (what was
// done, its transaction, the figure that proves it): stake, store a dataset erasure-coded, publish a blob through
// DA, buy inference and have it settled with a zk proof, mint an agent iNFT on storage and sell it. With --devnet it
// runs against a running `zg devnet`; without, it starts one in this process and stops it at the end.
import path from "node:path";
import { Command } from "commander";
import { z } from "zod";
import { loadConfig, LOG_LEVELS, portOption } from "../../common/config";
import { errorText, isZgError, ZgError } from "../../common/errors";
import type { Lifecycle } from "../../common/lifecycle";
import { runDevnet } from "../devnet";
import { devnetOptionsSchema } from "../devnet/options";
import { agentStep } from "./agent";
import { computeStep } from "./compute";
import {
  checkDevnet,
  closeDemo,
  openDemo,
  readDevnetSummary,
  type DemoContext,
  type DemoErrorCode,
  type DevnetSummary,
} from "./context";
import { daStep } from "./da";
import { stakeStep } from "./stake";
import { storageStep } from "./storage";

/** Every option of `zg demo`, with its default. */
export const demoOptionsSchema = z.strictObject({
  /** The data dir of a running `zg devnet` to run against; unset: start a devnet in this process. */
  devnet: z.string().min(1).optional(),
  /** The in-process devnet's chain interface, port and data dir (as `zg devnet --host --port --data-dir`). */
  host: z.string().min(1).default("127.0.0.1"),
  port: portOption().min(1).default(8545),
  dataDir: z.string().min(1).default(".zg/demo"),
  /** Leave the in-process devnet running after the story, until Ctrl-C, to look around. */
  keepRunning: z.boolean().default(false),
  /** The demo's own log lines (stderr); the in-process devnet logs to `<dataDir>/devnet.log`. */
  logLevel: z.enum(LOG_LEVELS).default("warn"),
});
export type DemoOptions = z.output<typeof demoOptionsSchema>;

interface Step {
  name: string;
  what: string;
  run(ctx: DemoContext): Promise<unknown>;
}

/** The story, in order. */
export const DEMO_STEPS: Step[] = [
  { name: "stake", what: "alice delegates to a validator (Staking)", run: stakeStep },
  {
    name: "storage",
    what: "alice stores a dataset erasure-coded 2+2 and reads it back (Flow, storage nodes)",
    run: storageStep,
  },
  { name: "da", what: "alice publishes a blob through data availability (DAEntrance, DA signers)", run: daStep },
  {
    name: "compute",
    what: "alice buys inference and the provider settles it with a zk proof (ComputeLedger, ComputeServing, broker)",
    run: computeStep,
  },
  {
    name: "agent",
    what: "alice mints an agent iNFT on storage and sells it to bob (AgentNFT, AgentMarket, oracle)",
    run: agentStep,
  },
];

export function demoCommand(): Command {
  return new Command("demo")
    .description("run the story (stake, store, DA, inference settled by a proof, agent iNFT sale) on a devnet")
    .option("--devnet <dir>", "the --data-dir of a running `zg devnet` (default: start one in this process)")
    .option("--host <host>", "the started devnet's chain interface (default 127.0.0.1)")
    .option("--port <port>", "the started devnet's chain port (default 8545)")
    .option("--data-dir <dir>", "the started devnet's data dir (default .zg/demo)")
    .option("--keep-running", "leave the started devnet up after the story until Ctrl-C")
    .option("--log-level <level>", "the demo's own log level on stderr (default warn)")
    .action(async (flags: Record<string, string | boolean | undefined>) => {
      const options = loadConfig(demoOptionsSchema, { flags, env: {} });
      await runDemo(options);
    });
}

/** Runs the story; throws DEMO_STEP_FAILED naming the step that failed. */
export async function runDemo(options: DemoOptions): Promise<void> {
  if (options.devnet && options.keepRunning) {
    throw new ZgError("CONFIG_INVALID", "--keep-running is for the devnet the demo starts", {
      hint: "leave it out with --devnet: that devnet keeps running anyway",
    });
  }
  let lifecycle: Lifecycle | undefined;
  let base: string;
  let summary: DevnetSummary;
  if (options.devnet) {
    base = path.resolve(options.devnet);
    summary = readDevnetSummary(base);
  } else {
    base = path.resolve(options.dataDir);
    lifecycle = await runDevnet(
      loadConfig(devnetOptionsSchema, {
        env: {},
        flags: {
          host: options.host,
          port: options.port,
          dataDir: base,
          "logger.file": path.join(base, "devnet.log"),
        },
      }),
    );
    summary = readDevnetSummary(base);
  }
  let failed = true;
  try {
    checkDevnet(summary);
    await story(summary, path.join(base, "demo", `run-${Date.now()}`), options);
    failed = false;
  } finally {
    if (lifecycle && (failed || !options.keepRunning)) await lifecycle.close();
  }
  if (lifecycle && options.keepRunning) console.log(`devnet still running at ${summary.rpcUrl} (Ctrl-C stops it)`);
}

async function story(summary: DevnetSummary, runDir: string, options: DemoOptions): Promise<void> {
  const started = performance.now();
  console.log(`zg demo on ${summary.rpcUrl} (chain ${summary.chainId})`);
  const ctx = await openDemo(summary, runDir, options.logLevel);
  try {
    for (const [i, step] of DEMO_STEPS.entries()) {
      const stepStarted = performance.now();
      console.log(`[${i + 1}/${DEMO_STEPS.length}] ${step.name}: ${step.what}`);
      try {
        await step.run(ctx);
      } catch (err) {
        const why = isZgError(err) ? `${err.code}: ${err.message}` : errorText(err);
        throw new ZgError<DemoErrorCode>("DEMO_STEP_FAILED", `step ${i + 1} (${step.name}) failed: ${why}`, {
          hint: isZgError(err) ? err.hint : "run again with --log-level info to see what the libraries did",
          cause: err,
        });
      }
      ctx.say(`ok in ${seconds(stepStarted)} s`);
    }
  } finally {
    closeDemo(ctx);
  }
  console.log(`demo done: ${DEMO_STEPS.length} steps in ${seconds(started)} s`);
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}
