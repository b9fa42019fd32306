/** What a task trains with: the operator's settings, lowered (never raised) by the task's spec. */
export interface TrainingPlan {
  steps: number;
  batch: number;
  context: number;
  /** Why a spec was ignored or a value capped, for the log. */
  notes: string[];
}

export interface PlanCaps {
  steps: number;
  batch: number;
  /** 0: the model's context. */
  context: number;
}

const KEYS = ["steps", "batch", "context"] as const;

/**
 * Reads a task's spec (JSON, e.g. {"steps": 50}). A value above the operator's cap is capped; a malformed spec or
 * value is ignored with a note: the user paid for a task, so the worker trains with the operator's settings rather
 * than refusing it.
 */
export function trainingPlan(spec: string, caps: PlanCaps): TrainingPlan {
  const plan: TrainingPlan = { ...caps, notes: [] };
  if (spec.trim() === "") return plan;
  let parsed: unknown;
  try {
    parsed = JSON.parse(spec);
  } catch {
    plan.notes.push("spec is not JSON; using the operator's settings");
    return plan;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    plan.notes.push("spec is not a JSON object; using the operator's settings");
    return plan;
  }
  const obj = parsed as Record<string, unknown>;
  for (const key of KEYS) {
    if (!(key in obj)) continue;
    const v = obj[key];
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 1) {
      plan.notes.push(`spec ${key} ${JSON.stringify(v)} is not a positive integer; ignored`);
      continue;
    }
    const cap = caps[key];
    if (key === "context" && cap === 0) plan.context = v;
    else if (v > cap) plan.notes.push(`spec ${key} ${v} is above the operator's cap ${cap}; capped`);
    else plan[key] = v;
  }
  return plan;
}
