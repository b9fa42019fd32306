/**
 * The compute contracts as a user reads and calls them: human-readable ABIs of just what the SDK uses, with the
 * custom errors so a revert is decoded by name (the SDK runs without generated typechain types).
 */
import { Contract, type ContractRunner } from "ethers";

export const LEDGER_ABI = [
  "function createAccount(uint256[2] signerKey) payable",
  "function setSignerKey(uint256[2] signerKey)",
  "function deposit() payable",
  "function withdraw(uint256 amount)",
  "function transfer(address provider, uint256 amount)",
  "function requestRefund(address provider, uint256 amount)",
  "function processRefunds(address provider) returns (uint256 amount)",
  "function getAccount(address user) view returns (tuple(uint256 balance, uint256[2] signerKey, bool exists))",
  "function signerKeyOf(address user) view returns (uint256[2])",
  "function getSubAccount(address user, address provider) view returns (tuple(uint256 balance, uint256 pendingRefund, tuple(uint128 amount, uint64 unlockAt)[] refunds))",
  "function chargeable(address user, address provider) view returns (uint256)",
  "function lockTime() view returns (uint256)",
  "error ComputeLedgerAccountExists(address user)",
  "error ComputeLedgerNoAccount(address user)",
  "error ComputeLedgerBadSignerKey()",
  "error ComputeLedgerInsufficientBalance(uint256 available, uint256 requested)",
  "error ComputeLedgerZeroAmount()",
  "error ComputeLedgerTooManyRefunds(uint256 max)",
  "error ComputeLedgerTransferFailed(address to)",
  "error ComputeLedgerBadProvider(address provider)",
  "error EnforcedPause()",
];

const SERVICE =
  "tuple(string model, string url, uint256 inputPrice, uint256 outputPrice, uint8 verifiability, address teeSigner, uint64 updatedAt, bool exists)";

export const SERVING_ABI = [
  `function getService(address provider) view returns (${SERVICE})`,
  "function providerCount() view returns (uint256)",
  "function providerAt(uint256 index) view returns (address)",
  "function nonceOf(address user, address provider) view returns (uint64)",
  "function ledger() view returns (address)",
];

export interface ComputeContracts {
  ledger: Contract;
  serving: Contract;
}

/** The ledger and serving contracts at their recorded addresses, signing with `runner` when it can. */
export function computeContracts(
  addresses: { ledger: string; serving: string },
  runner: ContractRunner,
): ComputeContracts {
  return {
    ledger: new Contract(addresses.ledger, LEDGER_ABI, runner),
    serving: new Contract(addresses.serving, SERVING_ABI, runner),
  };
}
