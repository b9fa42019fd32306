/** DA signers: the registry's current epoch, each quorum's members with weight and stake, each signer probed. */
import { Contract } from "ethers";
import { statusUrl } from "./compute";
import { notProbed, probeHttpJson, type Health } from "./probe";

const STAKING_ABI = ["function serviceStake(address validator, address service) view returns (uint256)"];

export interface DaMemberRecord {
  address: string;
  index: number;
  /** The socket the signer registered (its node's URL). */
  url: string;
  /** Its weight in this epoch's snapshot and the quorum's total, in wei; null before the epoch is snapshotted. */
  weight: string | null;
  totalWeight: string | null;
  /** Its validator's stake in the DA service now (the next snapshot's weight), in wei. */
  stake: string;
  health: Health;
}

export interface DaQuorumRecord {
  quorumId: number;
  size: number;
  snapshotted: boolean;
  members: DaMemberRecord[];
}

export interface DaRecord {
  registry: string;
  epoch: string;
  quorums: DaQuorumRecord[];
}

interface SignerStatus {
  signer?: unknown;
}

/** Reads the current epoch's quorums from DASignerRegistry and probes every member's GET /v1/status. */
export async function discoverDa(registry: Contract, timeoutMs: number): Promise<DaRecord> {
  const [epoch, stakingAddress] = await Promise.all([
    registry.currentEpoch() as Promise<bigint>,
    registry.staking() as Promise<string>,
  ]);
  const staking = new Contract(stakingAddress, STAKING_ABI, registry.runner);
  const registryAddress = await registry.getAddress();
  const count = Number((await registry.quorumCount(epoch)) as bigint);
  const quorums = await Promise.all(
    Array.from({ length: count }, async (_, quorumId): Promise<DaQuorumRecord> => {
      const [size] = (await registry.quorumAt(epoch, quorumId)) as [bigint];
      const members = await Promise.all(
        Array.from({ length: Number(size) }, (_, index) =>
          member(registry, staking, registryAddress, epoch, quorumId, index, timeoutMs),
        ),
      );
      return {
        quorumId,
        size: Number(size),
        snapshotted: members.some((m) => m.weight !== null),
        members,
      };
    }),
  );
  return { registry: registryAddress, epoch: epoch.toString(), quorums };
}

async function member(
  registry: Contract,
  staking: Contract,
  registryAddress: string,
  epoch: bigint,
  quorumId: number,
  index: number,
  timeoutMs: number,
): Promise<DaMemberRecord> {
  const address = (await registry.quorumMember(quorumId, index)) as string;
  const [signer, weights, stake] = await Promise.all([
    registry.getSigner(address) as Promise<{ socket: string }>,
    registry.weightAt(epoch, quorumId, address) as Promise<[bigint, bigint, boolean]>,
    staking.serviceStake(address, registryAddress) as Promise<bigint>,
  ]);
  const [weight, totalWeight, snapshotted] = weights;
  const url = signer.socket;
  let health: Health;
  if (!/^https?:\/\//.test(url)) {
    health = notProbed(url ? `registered socket "${url}" is not an http(s) URL` : "no socket registered");
  } else {
    const probe = await probeHttpJson<SignerStatus>(statusUrl(url), timeoutMs);
    health = probe.health;
    const answeredAs = typeof probe.body?.signer === "string" ? probe.body.signer : undefined;
    // A URL that answers for another signer is not this member's node.
    if (health.state === "up" && answeredAs && answeredAs.toLowerCase() !== address.toLowerCase()) {
      health = { ...health, state: "down", reason: `answers as signer ${answeredAs}` };
    }
  }
  return {
    address,
    index,
    url,
    weight: snapshotted ? weight.toString() : null,
    totalWeight: snapshotted ? totalWeight.toString() : null,
    stake: stake.toString(),
    health,
  };
}
