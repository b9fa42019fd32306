// The inference services registered in ComputeServing, as a user picks one.
import { getAddress, type Contract } from "ethers";
import { ZgError } from "../../common/errors";
import type { Prices } from "../core";
import type { ComputeClientErrorCode } from "./account";

export interface ServiceInfo extends Prices {
  provider: string;
  model: string;
  url: string;
  verifiability: "zk" | "tee";
  teeSigner: string;
  updatedAt: number;
}

interface RawService {
  model: string;
  url: string;
  inputPrice: bigint;
  outputPrice: bigint;
  verifiability: bigint;
  teeSigner: string;
  updatedAt: bigint;
  exists: boolean;
}

function toInfo(provider: string, s: RawService): ServiceInfo {
  return {
    provider: getAddress(provider),
    model: s.model,
    url: s.url,
    inputPrice: s.inputPrice,
    outputPrice: s.outputPrice,
    verifiability: Number(s.verifiability) === 0 ? "zk" : "tee",
    teeSigner: s.teeSigner,
    updatedAt: Number(s.updatedAt),
  };
}

/** The provider's service; COMPUTE_NO_SERVICE when it has none. */
export async function getService(serving: Contract, provider: string): Promise<ServiceInfo> {
  const s = (await serving.getService(provider)) as RawService;
  if (!s.exists) {
    throw new ZgError<ComputeClientErrorCode>("COMPUTE_NO_SERVICE", `provider ${provider} has no inference service`, {
      hint: "list the registered services with `zg compute services`",
    });
  }
  return toInfo(provider, s);
}

/** Every registered service, in the contract's provider order. */
export async function listServices(serving: Contract): Promise<ServiceInfo[]> {
  const count = Number((await serving.providerCount()) as bigint);
  const providers = await Promise.all(
    Array.from({ length: count }, (_, i) => serving.providerAt(i) as Promise<string>),
  );
  const services = await Promise.all(providers.map((p) => serving.getService(p) as Promise<RawService>));
  return services.flatMap((s, i) => (s.exists ? [toInfo(providers[i], s)] : []));
}
