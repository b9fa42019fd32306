/** Pure rendering of a services report as aligned text tables, one per kind of service. */
import { formatEther } from "ethers";
import type { ComputeServiceRecord } from "./compute";
import type { DaRecord } from "./da";
import type { Health } from "./probe";
import type { StorageNodeRecord } from "./storage";

/** Columns padded to their widest cell and separated by two spaces; trailing blanks trimmed. */
export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    widths
      .map((w, i) => (cells[i] ?? "").padEnd(w))
      .join("  ")
      .trimEnd();
  return [line(headers), ...rows.map(line)].join("\n");
}

/** "up", or "down: <reason>". */
export function healthCell(health: Health): string {
  return health.state === "up" ? "up" : `down: ${health.reason ?? "no answer"}`;
}

/** Latency of what answered; a probe that was never sent shows "-". */
export function latencyCell(health: Health): string {
  return health.state === "down" && health.latencyMs === 0 ? "-" : `${health.latencyMs} ms`;
}

function orDash(value: string | number | null | undefined): string {
  return value === null || value === undefined ? "-" : String(value);
}

function yesNo(value: boolean | null): string {
  return value === null ? "-" : value ? "yes" : "no";
}

/** A byte count as GiB/MiB/KiB with one decimal, so a column of sizes reads at a glance. */
export function bytesCell(bytes: number | null): string {
  if (bytes === null) return "-";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** A wei amount in tokens (18 decimals), trimmed: "1000.0" → "1000". */
export function tokensCell(wei: string | null): string {
  if (wei === null) return "-";
  return formatEther(BigInt(wei)).replace(/\.0$/, "");
}

export function computeTable(records: ComputeServiceRecord[]): string {
  if (records.length === 0) return "no compute services registered";
  return formatTable(
    [
      "PROVIDER",
      "MODEL",
      "IN wei/tok",
      "OUT wei/tok",
      "VERIFY",
      "SETTLES",
      "TEE ACK",
      "URL",
      "HEALTH",
      "LATENCY",
      "MODEL OK",
    ],
    records.map((r) => [
      r.provider,
      r.model,
      r.inputPrice,
      r.outputPrice,
      r.verifiability,
      orDash(r.settlementMode),
      r.teeSigner ? yesNo(r.teeSignerAcknowledged) : "-",
      r.url,
      healthCell(r.health),
      latencyCell(r.health),
      yesNo(r.modelMatches),
    ]),
  );
}

export function storageTable(records: StorageNodeRecord[]): string {
  if (records.length === 0) return "no storage nodes given (pass --storage-nodes or --devnet)";
  return formatTable(
    ["URL", "HEALTH", "LATENCY", "SHARD", "SYNCED", "LAG", "FREE"],
    records.map((r) => [
      r.url,
      healthCell(r.health),
      latencyCell(r.health),
      r.shardId === null || r.numShard === null ? "-" : `${r.shardId}/${r.numShard}`,
      orDash(r.syncedHeight),
      orDash(r.lagBlocks),
      bytesCell(r.freeBytes),
    ]),
  );
}

export function daTable(da: DaRecord): string {
  const rows = da.quorums.flatMap((q) =>
    q.members.map((m) => [
      String(q.quorumId),
      String(m.index),
      m.address,
      tokensCell(m.weight),
      tokensCell(m.stake),
      m.url,
      healthCell(m.health),
      latencyCell(m.health),
    ]),
  );
  if (rows.length === 0) return `epoch ${da.epoch}: no DA quorums`;
  return `epoch ${da.epoch}\n${formatTable(["QUORUM", "#", "SIGNER", "WEIGHT", "STAKE", "URL", "HEALTH", "LATENCY"], rows)}`;
}

export interface RenderableReport {
  chainId: number;
  block: number;
  compute: ComputeServiceRecord[];
  storage: StorageNodeRecord[];
  da: DaRecord;
}

/** The whole report: a header line, then compute, storage and DA sections. */
export function renderServices(report: RenderableReport): string {
  const all = [
    ...report.compute.map((r) => r.health),
    ...report.storage.map((r) => r.health),
    ...report.da.quorums.flatMap((q) => q.members.map((m) => m.health)),
  ];
  const up = all.filter((h) => h.state === "up").length;
  return [
    `chain ${report.chainId} at block ${report.block}: ${up} of ${all.length} services up`,
    "",
    "compute providers",
    computeTable(report.compute),
    "",
    "storage nodes",
    storageTable(report.storage),
    "",
    "DA signers",
    daTable(report.da),
  ].join("\n");
}
