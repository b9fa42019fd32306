// The inference services registered in ComputeServing, as a user picks one.
import { getAddress, type Contract } from "ethers";
import { ZgError } from "../../common/errors";
import { readService, type ServiceView } from "../chain";
import type { ComputeClientErrorCode } from "./account";

export interface ServiceInfo extends Omit<ServiceView, "exists"> {
  provider: string;
}

/** The provider's service; COMPUTE_NO_SERVICE when it has none. */
export async function getService(serving: Contract, provider: string): Promise<ServiceInfo> {
  const s = await readService(serving, provider);
  if (!s) {
    throw new ZgError<ComputeClientErrorCode>("COMPUTE_NO_SERVICE", `provider ${provider} has no inference service`, {
      hint: "list the registered services with `zg compute services`",
    });
  }
  const { exists: _exists, ...rest } = s;
  return { provider: getAddress(provider), ...rest };
}

/** Every registered service, in the contract's provider order. */
export async function listServices(serving: Contract): Promise<ServiceInfo[]> {
  const count = Number((await serving.providerCount()) as bigint);
  const providers = await Promise.all(
    Array.from({ length: count }, (_, i) => serving.providerAt(i) as Promise<string>),
  );
  const services = await Promise.all(providers.map((p) => getService(serving, p).catch(() => undefined)));
  return services.filter((s): s is ServiceInfo => s !== undefined);
}
