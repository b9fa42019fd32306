/**
 * The DA contracts as the signer node and the disperser read them: human-readable ABIs of just what they call
 * (so the workers run without generated typechain types) and the few reads both sides need.
 */
import { Contract, type ContractRunner } from "ethers";
import type { ChainClient } from "../common/chain";
import { type G1Sol, type G2Sol, pubkeyHash } from "./core/bls";

const G1 = "tuple(uint256 X, uint256 Y)";
const G2 = "tuple(uint256[2] X, uint256[2] Y)";

export const REGISTRY_ABI = [
  `function register(${G1} pk1, ${G2} pk2, ${G1} popSignature, string socket)`,
  "function updateSocket(string socket)",
  "function snapshotWeights(uint256 epoch, uint256 quorumId)",
  "function currentEpoch() view returns (uint256)",
  "function epochLength() view returns (uint64)",
  "function quorumCount(uint256 epoch) view returns (uint256)",
  `function quorumAt(uint256 epoch, uint256 quorumId) view returns (uint256 size, ${G1} apk)`,
  "function quorumMember(uint256 quorumId, uint256 index) view returns (address)",
  `function getSigner(address signer) view returns (tuple(bytes32 pubkeyHash, uint64 activeFromEpoch, uint32 quorumId, uint32 index, ${G1} pk1, ${G2} pk2, string socket))`,
  "function weightAt(uint256 epoch, uint256 quorumId, address signer) view returns (uint256 weight, uint256 totalWeight, bool snapshotted)",
  "function popMessage(address signer) view returns (bytes32)",
  "function staking() view returns (address)",
  "error DASignerRegistryUnknownSigner(address signer)",
  "error DASignerRegistryAlreadySnapshotted(uint256 epoch, uint256 quorumId)",
  "error DASignerRegistryNotOptedIn(address signer)",
  "error DASignerRegistryAlreadyRegistered(address signer)",
  "error DASignerRegistryInvalidProofOfPossession()",
  "error DASignerRegistryPubkeyInUse(address owner)",
  "error DASignerRegistryUnknownQuorum(uint256 epoch, uint256 quorumId)",
  "error DASignerRegistryFutureEpoch(uint256 epoch, uint256 current)",
];

export const ENTRANCE_ABI = [
  "function submitOriginalData(bytes32[] dataRoots) payable",
  `function submitVerifiedCommitRoots(tuple(bytes32 dataRoot, uint256 epoch, uint256 quorumId, ${G1} commitment, ${G1}[] nonSignerPubkeys, ${G2} apkG2, ${G1} sigma)[] submissions)`,
  "function isPaid(bytes32 dataRoot, uint256 epoch, uint256 quorumId) view returns (bool)",
  "function blobPrice() view returns (uint256)",
  "event DataUploaded(address indexed sender, bytes32 indexed dataRoot, uint256 indexed epoch, uint256 quorumId, uint256 blobPrice)",
  `event CommitRootVerified(bytes32 indexed dataRoot, uint256 indexed epoch, uint256 indexed quorumId, ${G1} commitment, uint256 signedWeight, uint256 totalWeight)`,
  "error DAEntranceInsufficientFee(uint256 paid, uint256 required)",
  "error DAEntranceNoQuorum(uint256 epoch)",
  "error DAEntranceAlreadySubmitted(bytes32 dataRoot)",
  "error DAEntranceDataRootNotPaid(bytes32 dataRoot, uint256 epoch, uint256 quorumId)",
  "error DAEntranceAlreadyVerified(bytes32 dataRoot)",
  "error DAEntranceInsufficientSignedWeight(uint256 signedWeight, uint256 totalWeight)",
  "error DAEntranceInvalidSignature()",
  "error DASignerRegistryNotQuorumMember(bytes32 pubkeyHash)",
  "error DASignerRegistryNotSnapshotted(uint256 epoch, uint256 quorumId)",
];

export interface DaContracts {
  registry: Contract;
  entrance: Contract;
}

/** The registry and entrance of the client's deployment, signing with its signer when it has one. */
export function daContracts(client: ChainClient, runner?: ContractRunner): DaContracts {
  const by = runner ?? client.signer ?? client.provider;
  return {
    registry: new Contract(client.contractAddress("DASignerRegistry"), REGISTRY_ABI, by),
    entrance: new Contract(client.contractAddress("DAEntrance"), ENTRANCE_ABI, by),
  };
}

export interface QuorumMember {
  address: string;
  index: number;
  pk1: G1Sol;
  pk2: G2Sol;
  pubkeyHash: string;
  socket: string;
}

interface SignerRecord {
  pk1: { X: bigint; Y: bigint };
  pk2: { X: [bigint, bigint]; Y: [bigint, bigint] };
  socket: string;
}

/** A signer's registry record, or undefined when the address never registered. */
export async function findSigner(registry: Contract, address: string): Promise<SignerRecordView | undefined> {
  try {
    return (await registry.getSigner(address)) as SignerRecordView;
  } catch (err) {
    if ((err as { revert?: { name?: string } }).revert?.name === "DASignerRegistryUnknownSigner") return undefined;
    throw err;
  }
}

export interface SignerRecordView {
  pubkeyHash: string;
  activeFromEpoch: bigint;
  quorumId: bigint;
  index: bigint;
  socket: string;
}

/** The members counted in `epoch` of `quorumId`, in member order (line `i` belongs to member `i mod size`). */
export async function quorumMembers(registry: Contract, epoch: bigint, quorumId: bigint): Promise<QuorumMember[]> {
  const [size] = (await registry.quorumAt(epoch, quorumId)) as [bigint];
  return Promise.all(
    Array.from({ length: Number(size) }, async (_, index) => {
      const address = (await registry.quorumMember(quorumId, index)) as string;
      const s = (await registry.getSigner(address)) as SignerRecord;
      const pk1 = { X: s.pk1.X, Y: s.pk1.Y };
      const pk2: G2Sol = { X: [s.pk2.X[0], s.pk2.X[1]], Y: [s.pk2.Y[0], s.pk2.Y[1]] };
      return { address, index, pk1, pk2, pubkeyHash: pubkeyHash(pk1), socket: s.socket };
    }),
  );
}

/** The lines (coded rows) of a blob with `codedRows` lines that member `index` of a quorum of `size` holds. */
export function assignedLines(codedRows: number, size: number, index: number): number[] {
  const lines: number[] = [];
  for (let i = index; i < codedRows; i += size) lines.push(i);
  return lines;
}
