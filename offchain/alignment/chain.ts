/**
 * AlignmentLicense and AlignmentRewards as the alignment node reads and calls them: human-readable ABIs of just
 * what it uses (so the worker runs without typechain types), errors included so reverts decode by name.
 */
import { Contract, encodeBytes32String, type ContractRunner } from "ethers";
import type { ChainClient } from "../common/chain";

/** The names the deployment record gives the two contracts. */
export const ALIGNMENT_RECORD = { license: "AlignmentLicense", rewards: "AlignmentRewards" } as const;

const ATTESTATION = "tuple(bytes32 reportRoot, address attester, uint32 checked, uint32 failures, bool claimed)";

export const REWARDS_ABI = [
  "function attest(uint256 licenseId, uint256 epoch, bytes32 reportRoot, uint32 checked, uint32 failures)",
  "function claim(uint256 licenseId, uint256[] epochs) returns (uint256 amount)",
  "function report(uint256 licenseId, address service, bytes32 kind, bytes32 evidenceHash)",
  "function enforce(address service, bytes32 kind, uint256 epoch)",
  "function currentEpoch() view returns (uint256)",
  "function schedule() view returns (uint256 start, uint256 epochLength)",
  `function attestation(uint256 licenseId, uint256 epoch) view returns (${ATTESTATION})`,
  "function claimable(uint256 licenseId, uint256 epoch) view returns (uint256)",
  "function rule(bytes32 kind) view returns (tuple(uint32 threshold, uint32 slashPpm, bool jail, uint8 target))",
  "function caseOf(address service, bytes32 kind, uint256 epoch) view returns (tuple(uint32 reports, bool enforced))",
  "function hasReported(uint256 licenseId, address service, bytes32 kind, uint256 epoch) view returns (bool)",
  "event Attested(uint256 indexed licenseId, uint256 indexed epoch, address indexed attester, bytes32 reportRoot, uint32 checked, uint32 failures)",
  "event Claimed(uint256 indexed licenseId, address indexed to, uint256[] epochs, uint256 amount)",
  "event Reported(uint256 indexed licenseId, address indexed service, bytes32 indexed kind, uint256 epoch, bytes32 evidenceHash, uint32 reports)",
  "event Enforced(address indexed service, bytes32 indexed kind, uint256 indexed epoch, address caller, uint8 target, uint32 slashPpm, bool jail)",
  "error AlignmentRewardsNotStarted(uint256 start)",
  "error AlignmentRewardsNotAuthorized(uint256 licenseId, address caller)",
  "error AlignmentRewardsWrongEpoch(uint256 epoch, uint256 current)",
  "error AlignmentRewardsAlreadyAttested(uint256 licenseId, uint256 epoch)",
  "error AlignmentRewardsBadAttestation(uint256 checked, uint256 failures)",
  "error AlignmentRewardsBadEpochCount(uint256 count)",
  "error AlignmentRewardsEpochNotEnded(uint256 epoch, uint256 current)",
  "error AlignmentRewardsNotAttested(uint256 licenseId, uint256 epoch)",
  "error AlignmentRewardsAlreadyClaimed(uint256 licenseId, uint256 epoch)",
  "error AlignmentRewardsUnknownKind(bytes32 kind)",
  "error AlignmentRewardsNoEvidence()",
  "error AlignmentRewardsZeroAddress(string name)",
  "error DASignerRegistryUnknownSigner(address signer)",
  "error AlignmentRewardsAlreadyReported(uint256 licenseId, address service, bytes32 kind, uint256 epoch)",
  "error AlignmentRewardsBelowThreshold(uint256 reports, uint256 threshold)",
  "error AlignmentRewardsAlreadyEnforced(address service, bytes32 kind, uint256 epoch)",
  "error EnforcedPause()",
  "error BudgetVaultOverBudget(uint256 requested, uint256 remaining)",
];

export const LICENSE_ABI = [
  "function ownerOf(uint256 licenseId) view returns (address)",
  "function operatorOf(uint256 licenseId) view returns (address)",
  "function isAuthorized(uint256 licenseId, address account) view returns (bool)",
  "function totalMinted() view returns (uint256)",
];

/** TeeTransferVerifier's view of acknowledged oracle signing keys, and its deployment record name. */
export const TEE_VERIFIER_RECORD = "TeeTransferVerifier";
export const TEE_VERIFIER_ABI = ["function isOracle(address oracle) view returns (bool)"];

export interface AlignmentContracts {
  license: Contract;
  rewards: Contract;
}

export function alignmentContracts(client: ChainClient, runner?: ContractRunner): AlignmentContracts {
  const by = runner ?? client.signer ?? client.provider;
  return {
    license: new Contract(client.contractAddress(ALIGNMENT_RECORD.license), LICENSE_ABI, by),
    rewards: new Contract(client.contractAddress(ALIGNMENT_RECORD.rewards), REWARDS_ABI, by),
  };
}

/** A kind's on-chain id, as the deploy code and tasks write it: its name as a bytes32 string. */
export function kindId(kind: string): string {
  return encodeBytes32String(kind);
}

/** AlignmentRewards' Target enum, in order: where an enforced case goes. */
export const TARGETS = ["compute", "da", "none"] as const;

/** A rule's target as its name ("compute", "da", "none"); `target #n` for a value this node does not know. */
export function targetName(target: bigint | number): string {
  return TARGETS[Number(target)] ?? `target #${target}`;
}

/** The custom error's name of a reverted call, when ethers decoded one. */
export function revertName(err: unknown): string | undefined {
  const revert = (err as { revert?: { name?: unknown } } | null)?.revert;
  return typeof revert?.name === "string" ? revert.name : undefined;
}
