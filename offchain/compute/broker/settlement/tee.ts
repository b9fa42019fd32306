// TEE mode: the provider's attested key signs an EIP-712 Settlement over a run of bills; no user signatures.
import { AbiCoder, keccak256, type Signer, type TypedDataDomain } from "ethers";
import type { StoredBill } from "../store";

export const SETTLEMENT_TYPES = {
  Settlement: [
    { name: "user", type: "address" },
    { name: "provider", type: "address" },
    { name: "firstNonce", type: "uint64" },
    { name: "lastNonce", type: "uint64" },
    { name: "total", type: "uint256" },
    { name: "billsHash", type: "bytes32" },
  ],
};

export interface TeeSettlement {
  user: string;
  firstNonce: bigint;
  lastNonce: bigint;
  total: bigint;
  billsHash: string;
}

/** ComputeServing's EIP-712 domain on `chainId` at `serving`. */
export function settlementDomain(chainId: bigint | number, serving: string): TypedDataDomain {
  return { name: "zg ComputeServing", version: "1", chainId, verifyingContract: serving };
}

/**
 * The TEE's commitment to the bills it settles: keccak256(abi.encode(uint64[] nonces, uint256[] fees,
 * uint256[] requestHashes, uint256[] inputTokens, uint256[] outputTokens)), so anyone holding the bills can
 * recompute it from the `TeeSettled` event.
 */
export function billsHash(bills: StoredBill[]): string {
  return keccak256(
    AbiCoder.defaultAbiCoder().encode(
      ["uint64[]", "uint256[]", "uint256[]", "uint256[]", "uint256[]"],
      [
        bills.map((b) => b.nonce),
        bills.map((b) => b.fee),
        bills.map((b) => b.requestHash),
        bills.map((b) => b.inputTokens),
        bills.map((b) => b.outputTokens),
      ],
    ),
  );
}

/** The settlement of a run of one user's bills (in nonce order). */
export function teeSettlement(user: string, bills: StoredBill[]): TeeSettlement {
  return {
    user,
    firstNonce: bills[0].nonce,
    lastNonce: bills[bills.length - 1].nonce,
    total: bills.reduce((sum, b) => sum + b.fee, 0n),
    billsHash: billsHash(bills),
  };
}

/** The TEE signer's signature of `settlement` by `provider`. */
export function signTeeSettlement(
  signer: Signer,
  domain: TypedDataDomain,
  provider: string,
  settlement: TeeSettlement,
): Promise<string> {
  return signer.signTypedData(domain, SETTLEMENT_TYPES, { ...settlement, provider });
}
