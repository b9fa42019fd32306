#!/usr/bin/env python3
"""Fine-tune a zg-tiny GGUF on a text dataset and write the tuned model as GGUF.

This is the training job a compute provider runs for a fine-tuning task: the base model's weights
are read back from its GGUF (Q8_0/F16/F32 dequantized), trained further on the task's dataset with
the same tokenizer (the base model's tokenizer.json), and exported with train_model.py's writer, so
node-llama-cpp loads the result like the base. Needs torch and numpy only; --device auto takes the
GPU when torch sees one.

The report (stdout and <out>/finetune_report.json) gives the held-out loss on the dataset before and
after, which is what shows that the job trained anything.

Example: python3 scripts/compute/finetune.py --base models/zg-tiny --data data.txt --out /tmp/tuned
"""
import argparse
import hashlib
import json
import math
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_model as tm  # noqa: E402
from bpe import BPE  # noqa: E402

# GGUF metadata value types and the byte size of each fixed-size one.
FIXED = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
STR, ARR = 8, 9


class GGUFError(Exception):
    pass


def read_gguf(path):
    """Returns (metadata dict, {name: float32 ndarray in torch layout})."""
    with open(path, "rb") as fh:
        buf = fh.read()
    if buf[:4] != b"GGUF":
        raise GGUFError(f"{path} is not a GGUF file")
    version, n_tensors, n_kv = struct.unpack_from("<IQQ", buf, 4)
    if version != 3:
        raise GGUFError(f"{path}: GGUF version {version}, only 3 is read")
    pos = 24

    def string():
        nonlocal pos
        (n,) = struct.unpack_from("<Q", buf, pos)
        s = buf[pos + 8:pos + 8 + n].decode("utf-8")
        pos += 8 + n
        return s

    def value(t):
        nonlocal pos
        if t == STR:
            return string()
        if t == ARR:
            et, n = struct.unpack_from("<IQ", buf, pos)
            pos += 12
            return [value(et) for _ in range(n)]
        fmt = FIXED.get(t)
        if fmt is None:
            raise GGUFError(f"{path}: unknown metadata type {t}")
        (v,) = struct.unpack_from(fmt, buf, pos)
        pos += struct.calcsize(fmt)
        return v

    meta = {}
    for _ in range(n_kv):
        key = string()
        (t,) = struct.unpack_from("<I", buf, pos)
        pos += 4
        meta[key] = value(t)
    infos = []
    for _ in range(n_tensors):
        name = string()
        (nd,) = struct.unpack_from("<I", buf, pos)
        dims = struct.unpack_from(f"<{nd}Q", buf, pos + 4)
        t, off = struct.unpack_from("<IQ", buf, pos + 4 + 8 * nd)
        pos += 4 + 8 * nd + 12
        infos.append((name, list(reversed(dims)), t, off))
    align = meta.get("general.alignment", tm.ALIGN)
    base = pos + (-pos) % align
    tensors = {}
    for name, shape, t, off in infos:
        count = int(np.prod(shape))
        start = base + off
        if t == tm.GGML_F32:
            arr = np.frombuffer(buf, "<f4", count, start)
        elif t == tm.GGML_F16:
            arr = np.frombuffer(buf, "<f2", count, start).astype(np.float32)
        elif t == tm.GGML_Q8_0:
            rec = np.frombuffer(buf, [("d", "<f2"), ("qs", "i1", (32,))], count // 32, start)
            arr = (rec["qs"].astype(np.float32) * rec["d"].astype(np.float32)[:, None]).reshape(-1)
        else:
            raise GGUFError(f"{path}: tensor {name} has ggml type {t}; only F32, F16 and Q8_0 are read")
        tensors[name] = arr.reshape(shape).copy()
    return meta, tensors


def load_base(base_dir):
    meta, tensors = read_gguf(os.path.join(base_dir, "model.gguf"))
    if meta.get("general.architecture") != "llama":
        raise GGUFError("the base model is not a llama-architecture GGUF")
    cfg = dict(vocab=int(meta["llama.vocab_size"]), d=int(meta["llama.embedding_length"]),
               layers=int(meta["llama.block_count"]), heads=int(meta["llama.attention.head_count"]),
               ffn=int(meta["llama.feed_forward_length"]), ctx=int(meta["llama.context_length"]),
               eps=float(meta["llama.attention.layer_norm_rms_epsilon"]),
               rope_base=float(meta["llama.rope.freq_base"]))
    sd = {"embd.weight": tensors["token_embd.weight"], "norm.weight": tensors["output_norm.weight"],
          "out.weight": tensors["output.weight"]}
    names = [("attn_norm.weight", "attn_norm.weight"), ("q.weight", "attn_q.weight"),
             ("k.weight", "attn_k.weight"), ("v.weight", "attn_v.weight"), ("o.weight", "attn_output.weight"),
             ("ffn_norm.weight", "ffn_norm.weight"), ("gate.weight", "ffn_gate.weight"),
             ("up.weight", "ffn_up.weight"), ("down.weight", "ffn_down.weight")]
    for i in range(cfg["layers"]):
        for dst, src in names:
            sd[f"blocks.{i}.{dst}"] = tensors[f"blk.{i}.{src}"]
    with open(os.path.join(base_dir, "tokenizer.json")) as fh:
        tok = json.load(fh)
    specials = sorted(tok["special"], key=lambda s: tok["special"][s])
    bpe = BPE([tuple(m.split(" ", 1)) for m in tok["merges"]], specials)
    if len(bpe.vocab) != cfg["vocab"]:
        raise GGUFError(f"tokenizer.json has {len(bpe.vocab)} tokens, the model {cfg['vocab']}")
    model = tm.LM(dict(cfg, dropout=0.0))
    model.load_state_dict({k: torch.from_numpy(v) for k, v in sd.items()})
    return model, bpe, cfg, meta.get("general.name", "zg-tiny")


def read_dataset(path):
    files = [path] if os.path.isfile(path) else sorted(
        os.path.join(path, f) for f in os.listdir(path) if f.endswith((".txt", ".md", ".jsonl")))
    if not files:
        raise GGUFError(f"no dataset text at {path}")
    text = ""
    for f in files:
        with open(f, encoding="utf-8", errors="replace") as fh:
            text += fh.read() + "\n"
    return text


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", default=os.path.join(tm.REPO, "models/zg-tiny"), help="dir with model.gguf + tokenizer.json")
    ap.add_argument("--data", required=True, help="a text file or a directory of .txt/.md/.jsonl files")
    ap.add_argument("--out", required=True)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--context", type=int, default=0, help="training window in tokens (0 = the model's context)")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--qtype", default="q8_0", choices=["q8_0", "f16"])
    args = ap.parse_args()
    if args.steps < 1 or args.batch < 1 or not args.lr > 0:
        ap.error("--steps and --batch must be at least 1 and --lr above 0")

    t0 = time.time()
    torch.manual_seed(args.seed)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = args.device
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    dev = torch.device(device)
    model, bpe, cfg, name = load_base(args.base)
    model.to(dev)
    ids = np.asarray([bpe.special[tm.EOT]] + bpe.encode(read_dataset(args.data)), dtype=np.int64)
    # The last tenth is held out so the before/after loss is measured on text the job did not train on;
    # windows shrink to fit it when the dataset is small.
    cut = int(len(ids) * 0.9)
    T = min(args.context or cfg["ctx"], cfg["ctx"], len(ids) - cut - 2)
    if T < 8:
        raise GGUFError(f"the dataset is too small to train and hold out: {len(ids)} tokens (at least ~100 needed)")
    train_t = torch.from_numpy(ids[:cut])
    val_t = torch.from_numpy(ids[cut:])
    gen = torch.Generator().manual_seed(args.seed)

    def batch(src, n, g):
        ix = torch.randint(0, len(src) - T - 1, (n,), generator=g).tolist()
        x = torch.stack([src[i:i + T] for i in ix])
        y = torch.stack([src[i + 1:i + T + 1] for i in ix])
        return x.to(dev), y.to(dev)

    def loss_of(x, y):
        logits = model(x)
        return F.cross_entropy(logits.float().view(-1, logits.size(-1)), y.view(-1))

    @torch.no_grad()
    def evaluate(src):
        model.eval()
        g = torch.Generator().manual_seed(4321)
        out = float(np.mean([loss_of(*batch(src, args.batch, g)).item() for _ in range(4)]))
        model.train()
        return out

    before = evaluate(val_t)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.0)
    t_train = time.time()
    for step in range(args.steps):
        for grp in opt.param_groups:
            grp["lr"] = args.lr * 0.5 * (1 + math.cos(math.pi * step / args.steps))
        loss = loss_of(*batch(train_t, args.batch, gen))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if (step + 1) % 50 == 0:
            print(f"step {step + 1}/{args.steps} loss {loss.item():.3f}", file=sys.stderr)
    train_secs = time.time() - t_train
    after = evaluate(val_t)

    os.makedirs(args.out, exist_ok=True)
    gguf = os.path.join(args.out, "model.gguf")
    tm.export_gguf(gguf, model.cpu(), bpe, cfg, f"{name}-ft", args.qtype)
    with open(gguf, "rb") as fh:
        digest = hashlib.sha256(fh.read()).hexdigest()
    report = {
        "base": os.path.relpath(args.base, tm.REPO) if args.base.startswith(tm.REPO) else args.base,
        "dataset_tokens": int(len(ids)),
        "steps": args.steps,
        "batch": args.batch,
        "context": T,
        "heldout_loss_before": round(before, 4),
        "heldout_loss_after": round(after, 4),
        "train_seconds": round(train_secs, 2),
        "total_seconds": round(time.time() - t0, 2),
        "device": device,
        "device_name": torch.cuda.get_device_name(0) if device == "cuda" else "cpu",
        "torch": torch.__version__,
        "gguf_bytes": os.path.getsize(gguf),
        "gguf_sha256": digest,
    }
    with open(os.path.join(args.out, "finetune_report.json"), "w") as fh:
        json.dump(report, fh, indent=2)
    print(json.dumps(report))


if __name__ == "__main__":
    try:
        main()
    except GGUFError as err:
        print(f"finetune: {err}", file=sys.stderr)
        sys.exit(2)
