// The agent format an iNFT carries for a compute provider to run: a small JSON manifest (name, system prompt,
// sampling defaults), encrypted with the token entry's data key. The entry's description names the format, its
// data hash is the zg storage root of the encrypted blob and its key commitment is Poseidon of the key. Pure: no I/O.
import { z } from "zod";
import { type DataKey, decryptData, encryptData, InftError } from "../inft/data";

/** The format tag: the token entry's `dataDescription` and the AES-GCM additional data of the blob. */
export const AGENT_FORMAT = "zg-agent/1";
/** The model id a broker serves an agent under: `agent:<tokenId>`. */
export const AGENT_MODEL_PREFIX = "agent:";
/** A system prompt larger than this would crowd out the conversation on the small models providers run. */
export const MAX_SYSTEM_PROMPT_BYTES = 64 * 1024;

export const agentManifestSchema = z.strictObject({
  format: z.literal(AGENT_FORMAT, { error: `format must be "${AGENT_FORMAT}"` }),
  name: z.string().min(1).max(128),
  systemPrompt: z
    .string()
    .min(1)
    .refine((s) => Buffer.byteLength(s, "utf8") <= MAX_SYSTEM_PROMPT_BYTES, {
      error: `systemPrompt is over ${MAX_SYSTEM_PROMPT_BYTES} bytes`,
    }),
  temperature: z.number().min(0).max(2).optional(),
  maxTokens: z.number().int().positive().max(32_768).optional(),
});

export type AgentManifest = z.output<typeof agentManifestSchema>;

const AAD = Buffer.from(AGENT_FORMAT);

/** Validates a parsed manifest; InftError naming the first bad field. */
export function parseAgentManifest(value: unknown): AgentManifest {
  const parsed = agentManifestSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue.path.map(String).join(".") || "manifest";
  throw new InftError(`not a ${AGENT_FORMAT} agent manifest: ${where}: ${issue.message}`);
}

/** Validates and encrypts a manifest with the entry's data key (the format tag is authenticated too). */
export function encryptAgent(key: DataKey, manifest: AgentManifest): Buffer {
  const checked = parseAgentManifest(manifest);
  return encryptData(key, Buffer.from(JSON.stringify(checked), "utf8"), AAD);
}

/** Decrypts a blob and validates the manifest inside; InftError when the key, the blob or the manifest is wrong. */
export function decryptAgent(key: DataKey, blob: Uint8Array): AgentManifest {
  const plain = decryptData(key, blob, AAD);
  let json: unknown;
  try {
    json = JSON.parse(plain.toString("utf8"));
  } catch (error) {
    throw new InftError(`the agent data is not JSON`, { cause: error });
  }
  return parseAgentManifest(json);
}

/** `agent:<tokenId>` -> tokenId, or undefined when `model` does not name an agent. */
export function agentTokenOf(model: string): bigint | undefined {
  if (!model.startsWith(AGENT_MODEL_PREFIX)) return undefined;
  const id = model.slice(AGENT_MODEL_PREFIX.length);
  return /^(0|[1-9][0-9]{0,77})$/.test(id) ? BigInt(id) : undefined;
}

export function agentModelId(tokenId: bigint): string {
  return `${AGENT_MODEL_PREFIX}${tokenId}`;
}
