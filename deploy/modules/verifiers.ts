import type { DeployContext } from "../context";
import { deployPlain } from "../steps";

/** The generated Groth16 verifiers: stateless, so plain contracts; a new key means a new verifier address. */
export async function deployVerifiers(ctx: DeployContext): Promise<void> {
  await deployPlain(ctx, "ReceiptVerifier", "ReceiptVerifier");
}
