/** Compute providers: every service registered in ComputeServing, each broker asked for its status. */
import { ZeroAddress, type Contract } from "ethers";
import { readService } from "../../compute/chain";
import { notProbed, probeHttpJson, type Health } from "./probe";

export interface ComputeServiceRecord {
  provider: string;
  model: string;
  url: string;
  /** Wei per token, as decimal strings (JSON has no bigints). */
  inputPrice: string;
  outputPrice: string;
  /** How its settlements are checked on chain: a Groth16 proof (zk) or an acknowledged TEE key's signature (tee). */
  verifiability: "zk" | "tee";
  teeSigner: string | null;
  /** Whether governance acknowledged the TEE signer; null when the service names none. */
  teeSignerAcknowledged: boolean | null;
  health: Health;
  /** What the broker says it serves and how it settles; null when it did not answer. */
  servedModel: string | null;
  settlementMode: string | null;
  /** Served model equals the registered one; null when the broker did not answer. */
  modelMatches: boolean | null;
}

interface BrokerStatus {
  model?: unknown;
  mode?: unknown;
}

/** Reads every registered service and probes each broker's GET /v1/status, all in parallel. */
export async function discoverCompute(serving: Contract, timeoutMs: number): Promise<ComputeServiceRecord[]> {
  const count = Number((await serving.providerCount()) as bigint);
  const providers = await Promise.all(
    Array.from({ length: count }, (_, i) => serving.providerAt(i) as Promise<string>),
  );
  const records = await Promise.all(
    providers.map(async (provider) => {
      const service = await readService(serving, provider);
      if (!service) return undefined;
      const teeSigner = service.teeSigner === ZeroAddress ? null : service.teeSigner;
      const [acknowledged, probe] = await Promise.all([
        teeSigner ? (serving.isTeeSignerAcknowledged(teeSigner) as Promise<boolean>) : Promise.resolve(null),
        service.url
          ? probeHttpJson<BrokerStatus>(statusUrl(service.url), timeoutMs)
          : Promise.resolve({ health: notProbed("no URL registered"), body: undefined }),
      ]);
      const servedModel = typeof probe.body?.model === "string" ? probe.body.model : null;
      const record: ComputeServiceRecord = {
        provider,
        model: service.model,
        url: service.url,
        inputPrice: service.inputPrice.toString(),
        outputPrice: service.outputPrice.toString(),
        verifiability: service.verifiability,
        teeSigner,
        teeSignerAcknowledged: acknowledged,
        health: probe.health,
        servedModel,
        settlementMode: typeof probe.body?.mode === "string" ? probe.body.mode : null,
        modelMatches: servedModel === null ? null : servedModel === service.model,
      };
      return record;
    }),
  );
  return records.filter((r): r is ComputeServiceRecord => r !== undefined);
}

/** `<url>/v1/status`, whether or not the registered URL ends in a slash. */
export function statusUrl(base: string): string {
  return `${base.replace(/\/+$/, "")}/v1/status`;
}
