import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { alignmentParamsSchema } from "./modules/alignment";
import { computeParamsSchema } from "./modules/compute";
import { daParamsSchema } from "./modules/da";
import { governorParamsSchema } from "./modules/governor";
import { inftParamsSchema } from "./modules/inft";
import { marketParamsSchema } from "./modules/market";
import { stakingParamsSchema } from "./modules/staking";
import { storageParamsSchema } from "./modules/storage";
import { tokenomicsParamsSchema } from "./modules/tokenomics";

/** Everything a deployment may vary per network; each domain adds its section as it lands. */
export const deployParamsSchema = z
  .object({
    governance: z
      .object({
        /** Seconds a queued operation waits in the TimelockController. */
        timelockDelay: z
          .number()
          .int()
          .nonnegative()
          .default(2 * 24 * 3600),
        /**
         * Who may queue and cancel operations besides the governor (a guardian, say); when empty, the governor
         * alone, or the governor and the deployer on a devnet (`adminIsDeployer`).
         */
        proposers: z.array(z.string().regex(/^0x[0-9a-fA-F]{40}$/)).default([]),
        /** Who may execute ready operations; empty means anyone may. */
        executors: z.array(z.string().regex(/^0x[0-9a-fA-F]{40}$/)).default([]),
        /** Devnet shortcut: the deployer keeps admin and upgrade roles instead of the timelock. */
        adminIsDeployer: z.boolean().default(false),
        /** Who may pause protocol contracts (a guardian); the deployer when unset. */
        pauser: z
          .string()
          .regex(/^0x[0-9a-fA-F]{40}$/)
          .optional(),
      })
      .strict()
      .prefault({}),
    staking: stakingParamsSchema.prefault({}),
    governor: governorParamsSchema.prefault({}),
    da: daParamsSchema.prefault({}),
    storage: storageParamsSchema.prefault({}),
    inft: inftParamsSchema.prefault({}),
    compute: computeParamsSchema.prefault({}),
    market: marketParamsSchema.prefault({}),
    tokenomics: tokenomicsParamsSchema.prefault({}),
    alignment: alignmentParamsSchema.prefault({}),
  })
  .strict();

export type DeployParams = z.infer<typeof deployParamsSchema>;

export const PARAMS_DIR = path.join(__dirname, "params");

/**
 * Reads `deploy/params/<network>.json` (or `file` when given) and fills defaults. A network without a file
 * gets the defaults, which are the safe production values (timelock-held admin, two-day delay).
 */
export function loadDeployParams(network: string, file?: string): DeployParams {
  const target = file ?? path.join(PARAMS_DIR, `${network}.json`);
  let raw: unknown = {};
  if (fs.existsSync(target)) {
    try {
      raw = JSON.parse(fs.readFileSync(target, "utf8"));
    } catch (err) {
      throw new Error(`deploy params ${target} is not valid JSON (${(err as Error).message}): fix the file`);
    }
  } else if (file) {
    throw new Error(`deploy params file ${file} does not exist: pass the path of a JSON file`);
  }
  const parsed = deployParamsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`deploy params ${target}: ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  return parsed.data;
}
