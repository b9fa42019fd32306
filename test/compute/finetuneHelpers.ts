// Test-only: a trainer with finetune.py's contract (a model.gguf in --out, a report with its sha256) used ONLY where
// no python with torch exists, so the chain, storage and journal paths are still tested there.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Trainer } from "../../offchain/compute/finetune";

export const standInTrainerForTestsOnly: Trainer = async (params) => {
  const data = fs.readFileSync(params.data);
  const model = Buffer.concat([
    Buffer.from("GGUF stand-in, not a model\n"),
    createHash("sha256").update(data).digest(),
  ]);
  fs.mkdirSync(params.out, { recursive: true });
  fs.writeFileSync(path.join(params.out, "model.gguf"), model);
  return {
    heldout_loss_before: 1,
    heldout_loss_after: 1,
    gguf_sha256: createHash("sha256").update(model).digest("hex"),
    gguf_bytes: model.length,
    train_seconds: 0,
    device: "stand-in",
  };
};
