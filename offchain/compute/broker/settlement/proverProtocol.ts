// Messages between the scheduler and its prover thread (structured clone carries bigints as they are).
import type { SettlementProof, SettlementRequest } from "../../../zk/settlement";

export interface ProverJob {
  id: number;
  request: SettlementRequest;
}

export type ProverReply = { id: number; result: SettlementProof; seconds: number } | { id: number; error: string };
