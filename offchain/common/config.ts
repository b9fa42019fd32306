import fs from "node:fs";
import { z } from "zod";
import { ZgError, errorText } from "./errors";

/**
 * Options come from four layers, later ones winning: the schema's defaults (the only place defaults
 * live) < a JSON file < `ZG_*` environment variables < flags. The merged object is validated once by
 * the schema, so a typo or a wrong type anywhere is refused before anything starts.
 *
 * Schemas must use `z.strictObject` so unknown keys are errors, and embed sections with
 * `.prefault({})` (not `.default({})`: zod 4 returns a default as-is, skipping the section's own defaults).
 */

// ---------------------------------------------------------------------------------------------------
// Value helpers: env and flag values arrive as strings.

const TRUE_WORDS = new Set(["true", "1", "yes", "on"]);
const FALSE_WORDS = new Set(["false", "0", "no", "off"]);

/** A boolean that also accepts "true"/"false"/"1"/"0"/"yes"/"no"/"on"/"off" (z.coerce.boolean reads "false" as true). */
export function booleanOption() {
  return z.preprocess((value) => {
    if (typeof value !== "string") return value;
    const word = value.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
    return value;
  }, z.boolean());
}

/** An integer that also accepts its decimal string. */
export function integerOption() {
  return z.coerce.number({ error: "must be a number" }).int({ error: "must be a whole number" });
}

/** A TCP port (0 lets the OS pick one, which tests use). */
export function portOption() {
  return integerOption().min(0).max(65535);
}

// ---------------------------------------------------------------------------------------------------
// The option sections every node embeds.

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const loggerOptionsSchema = z.strictObject({
  level: z.enum(LOG_LEVELS).default("info"),
  /** Append JSON lines to this file instead of stdout. */
  file: z.string().min(1).optional(),
});
export type LoggerOptions = z.output<typeof loggerOptionsSchema>;

export const metricsOptionsSchema = z.strictObject({
  /** Off by default: a node opens no port nobody asked for. */
  enabled: booleanOption().default(false),
  host: z.string().min(1).default("127.0.0.1"),
  port: portOption().default(9464),
});
export type MetricsOptions = z.output<typeof metricsOptionsSchema>;

const HEX_KEY = /^0x[0-9a-fA-F]{64}$/;

export const chainOptionsSchema = z
  .strictObject({
    rpcUrl: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).default("http://127.0.0.1:8545"),
    /** When set, the RPC must report this chain id (guards against pointing a node at the wrong chain). */
    chainId: integerOption().positive().optional(),
    deploymentsDir: z.string().min(1).default("deployments"),
    confirmations: integerOption().min(0).default(1),
    /** How long the first RPC call may take before the node gives up. */
    rpcTimeoutMs: integerOption().positive().default(5000),
    privateKey: z.string().regex(HEX_KEY, "must be a 0x-prefixed 32-byte hex key").optional(),
    /** A file whose first line is a 0x-prefixed hex key; keeps the key out of env and shell history. */
    keyFile: z.string().min(1).optional(),
  })
  .refine((options) => !(options.privateKey && options.keyFile), {
    message: "set privateKey or keyFile, not both",
    path: ["keyFile"],
  });
export type ChainOptions = z.output<typeof chainOptionsSchema>;

/** Where a node keeps its state; `.zg/` is git-ignored. */
export const dataDirSchema = z.string().min(1).default(".zg");

// ---------------------------------------------------------------------------------------------------
// Loading.

export interface ConfigSources {
  /** Path of a JSON file holding (part of) the options. */
  file?: string;
  /** Defaults to process.env. */
  env?: Record<string, string | undefined>;
  /** Defaults to "ZG_". `ZG_METRICS__PORT=9100` sets `metrics.port`; `__` separates levels. */
  envPrefix?: string;
  /** Dotted keys, as a CLI parser gives them: `{ "metrics.port": 9100 }`. */
  flags?: Record<string, unknown>;
}

type Plain = Record<string, unknown>;

/** Merges the sources over the schema's defaults and validates the result; throws ZgError CONFIG_* on any problem. */
export function loadConfig<S extends z.ZodType>(schema: S, sources: ConfigSources = {}): z.output<S> {
  const origins = new Map<string, string>();
  let merged: Plain = {};

  if (sources.file !== undefined) {
    const fromFile = readConfigFile(sources.file);
    recordOrigins(fromFile, [], `in ${sources.file}`, origins);
    merged = deepMerge(merged, fromFile);
  }

  const fromEnv = envLayer(schema, sources.env ?? process.env, sources.envPrefix ?? "ZG_", origins);
  merged = deepMerge(merged, fromEnv);

  const fromFlags: Plain = {};
  for (const [key, value] of Object.entries(sources.flags ?? {})) {
    if (value === undefined) continue;
    const path = key.split(".");
    setPath(fromFlags, path, value);
    origins.set(path.join("."), `from flag --${key}`);
  }
  merged = deepMerge(merged, fromFlags);

  const result = schema.safeParse(merged);
  if (result.success) return result.data;

  const problems = result.error.issues.flatMap((issue) => describeIssue(schema, issue, origins));
  throw new ZgError("CONFIG_INVALID", problems.join("; "), {
    hint: "fix it where it was set (config file, ZG_* environment variable or flag); `--help` lists every option",
    details: { issues: result.error.issues },
  });
}

function readConfigFile(file: string): Plain {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new ZgError("CONFIG_FILE_UNREADABLE", `cannot read config file ${file}: ${errorText(err)}`, {
      hint: "check the path given to --config (relative paths start at the current directory)",
      cause: err,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ZgError("CONFIG_FILE_MALFORMED", `config file ${file} is not valid JSON: ${errorText(err)}`, {
      hint: "fix the JSON syntax (no comments or trailing commas)",
      cause: err,
    });
  }
  if (!isPlain(parsed)) {
    throw new ZgError("CONFIG_FILE_MALFORMED", `config file ${file} must hold a JSON object`, {
      hint: 'write the options as an object, e.g. { "metrics": { "enabled": true } }',
    });
  }
  return parsed;
}

/**
 * Turns `ZG_A__B_C=v` into `{ a: { bC: "v" } }`, matching each level to the schema's own key names.
 * Flat names that match no top-level key are skipped unless they look like a typo of one: the ZG_
 * prefix is shared with Hardhat's network variables (ZG_RPC_URL, ZG_PRIVATE_KEY, ...).
 */
function envLayer(
  schema: z.ZodType,
  env: Record<string, string | undefined>,
  prefix: string,
  origins: Map<string, string>,
) {
  const layer: Plain = {};
  const topKeys = objectKeys(schema);
  for (const [name, value] of Object.entries(env)) {
    // An empty variable means "unset", as in docker-compose files and `VAR= cmd`.
    if (!prefix || !name.startsWith(prefix) || value === undefined || value === "") continue;
    const segments = name.slice(prefix.length).split("__");
    if (segments.some((segment) => segment === "")) continue;
    if (segments.length === 1 && topKeys) {
      const key = matchKey(segments[0], topKeys);
      if (!key && !closestKey(camelCase(segments[0]), topKeys)) continue;
    }
    const path: string[] = [];
    let level: z.ZodType | undefined = schema;
    for (const segment of segments) {
      const keys = objectKeys(level);
      const key: string = (keys && matchKey(segment, keys)) ?? camelCase(segment);
      path.push(key);
      level = level && childSchema(level, key);
    }
    setPath(layer, path, value);
    origins.set(path.join("."), `from ${name}`);
  }
  return layer;
}

function describeIssue(schema: z.ZodType, issue: z.core.$ZodIssue, origins: Map<string, string>): string[] {
  const at = issue.path.map(String);
  if (issue.code === "unrecognized_keys") {
    const known = objectKeys(schemaAt(schema, at)) ?? [];
    return issue.keys.map((key) => {
      const path = [...at, key];
      const suggestion = closestKey(key, known);
      const mean = suggestion ? `; did you mean ${[...at, suggestion].join(".")}?` : "";
      return `${path.join(".")}: unrecognized key${mean}${originOf(path, origins)}`;
    });
  }
  const where = at.length ? at.join(".") : "(root)";
  return [`${where}: ${issue.message.replace(/^Invalid (input|option|string): /, "")}${originOf(at, origins)}`];
}

function originOf(path: string[], origins: Map<string, string>): string {
  const key = path.join(".");
  const exact = origins.get(key);
  if (exact) return ` (${exact})`;
  for (const [p, origin] of origins) if (p.startsWith(`${key}.`)) return ` (${origin})`;
  return "";
}

function recordOrigins(value: unknown, path: string[], origin: string, origins: Map<string, string>) {
  if (isPlain(value) && Object.keys(value).length > 0) {
    for (const [key, child] of Object.entries(value)) recordOrigins(child, [...path, key], origin, origins);
  } else {
    origins.set(path.join("."), origin);
  }
}

// ---------------------------------------------------------------------------------------------------
// Schema walking: just enough to map env names to keys and suggest corrections.

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    if (
      current instanceof z.ZodDefault ||
      current instanceof z.ZodPrefault ||
      current instanceof z.ZodOptional ||
      current instanceof z.ZodNullable ||
      current instanceof z.ZodReadonly ||
      current instanceof z.ZodCatch
    ) {
      current = current.def.innerType as z.ZodType;
    } else if (current instanceof z.ZodPipe) {
      current = current.def.in as z.ZodType;
    } else {
      return current;
    }
  }
}

function objectKeys(schema: z.ZodType | undefined): string[] | undefined {
  const inner = schema && unwrap(schema);
  return inner instanceof z.ZodObject ? Object.keys(inner.shape) : undefined;
}

function childSchema(schema: z.ZodType, key: string): z.ZodType | undefined {
  const inner = unwrap(schema);
  if (!(inner instanceof z.ZodObject)) return undefined;
  const shape = inner.shape as Record<string, z.ZodType>;
  return Object.hasOwn(shape, key) ? shape[key] : undefined;
}

function schemaAt(schema: z.ZodType, path: string[]): z.ZodType | undefined {
  let current: z.ZodType | undefined = schema;
  for (const key of path) current = current && childSchema(current, key);
  return current;
}

const normalize = (name: string) => name.toLowerCase().replace(/_/g, "");

function matchKey(envSegment: string, keys: string[]): string | undefined {
  return keys.find((key) => normalize(key) === normalize(envSegment));
}

function camelCase(envSegment: string): string {
  return envSegment.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** The known key a typo most likely meant, if one is close enough to be worth suggesting. */
export function closestKey(typo: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const key of known) {
    const distance = editDistance(typo.toLowerCase(), key.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [key, distance];
  }
  const allowed = typo.length > 4 ? 2 : 1;
  return bestDistance <= allowed ? best : undefined;
}

/** Optimal-string-alignment distance: Levenshtein plus adjacent swaps, so "prot" is one edit from "port". */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

// ---------------------------------------------------------------------------------------------------
// Plain-object helpers.

function isPlain(value: unknown): value is Plain {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Objects merge key by key; anything else (arrays included) is replaced by the later layer. */
function deepMerge(base: Plain, over: Plain): Plain {
  const out: Plain = {};
  for (const [key, value] of Object.entries(base)) put(out, key, value);
  for (const [key, value] of Object.entries(over)) {
    const prior = own(out, key);
    put(out, key, isPlain(prior) && isPlain(value) ? deepMerge(prior, value) : value);
  }
  return out;
}

function setPath(target: Plain, path: string[], value: unknown) {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = own(node, key);
    const child = isPlain(next) ? next : {};
    put(node, key, child);
    node = child;
  }
  put(node, path[path.length - 1], value);
}

// Keys come from files, env and flags: "__proto__" must stay a plain key, never reach a prototype.
function own(node: Plain, key: string): unknown {
  return Object.hasOwn(node, key) ? node[key] : undefined;
}

function put(node: Plain, key: string, value: unknown) {
  Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
}
