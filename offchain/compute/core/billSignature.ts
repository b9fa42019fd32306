/**
 * The provider's signature on each bill it issues: EIP-712 over the bill's fields, by the provider's account key (the
 * address that registered the service and that the bill names). A user's receipt (a BabyJub signature) says the
 * user accepts a bill; this one says the provider stands behind the answer it billed, so a third party holding the
 * answer (an alignment node, a user with a complaint) can show which provider gave it and what it charged.
 */
import { getAddress, verifyTypedData, type TypedDataDomain } from "ethers";
import type { Bill } from "./bill";

export const BILL_SIGNATURE_TYPES = {
  Bill: [
    { name: "user", type: "address" },
    { name: "provider", type: "address" },
    { name: "nonce", type: "uint256" },
    { name: "fee", type: "uint256" },
    { name: "inputTokens", type: "uint256" },
    { name: "outputTokens", type: "uint256" },
    { name: "requestHash", type: "uint256" },
  ],
};

/** The domain: one chain and its ComputeServing, so a signature cannot be replayed on another deployment. */
export function billDomain(chainId: bigint | number, computeServing: string): TypedDataDomain {
  return { name: "zg compute bill", version: "1", chainId, verifyingContract: getAddress(computeServing) };
}

/** What signs: an ethers Wallet (or any signer with EIP-712 support). */
export interface BillSigningKey {
  signTypedData(
    domain: TypedDataDomain,
    types: typeof BILL_SIGNATURE_TYPES,
    value: Record<string, unknown>,
  ): Promise<string>;
}

function message(bill: Bill): Record<string, unknown> {
  return { ...bill, inputTokens: BigInt(bill.inputTokens), outputTokens: BigInt(bill.outputTokens) };
}

/** The provider's signature (0x, 65 bytes) on `bill`. */
export function signBillAsProvider(key: BillSigningKey, domain: TypedDataDomain, bill: Bill): Promise<string> {
  return key.signTypedData(domain, BILL_SIGNATURE_TYPES, message(bill));
}

/** The address that signed `bill` with `signature`; undefined when the signature is malformed. */
export function recoverBillProvider(domain: TypedDataDomain, bill: Bill, signature: string): string | undefined {
  try {
    return verifyTypedData(domain, BILL_SIGNATURE_TYPES, message(bill), signature);
  } catch {
    return undefined;
  }
}
