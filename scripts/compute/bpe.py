"""Byte-level BPE (GPT-2 style) trained from scratch, in the form llama.cpp's "gpt2" tokenizer reads.

Tokens are strings over GPT-2's bytes->unicode alphabet, so every byte sequence (any UTF-8, even
invalid) has an encoding and decoding is exact. Pre-tokenization approximates GPT-2's regex
(which llama.cpp applies for tokenizer.ggml.pre = "gpt-2") with Python's `re`: \\p{L} is
[^\\W\\d_], \\p{N} is \\d. Where the two disagree only the split differs, never the round trip.
"""
import re
from collections import Counter, defaultdict

PRE = re.compile(
    r"""'s|'t|'re|'ve|'m|'ll|'d| ?[^\W\d_]+| ?\d+| ?(?:[^\s\w]|_)+|\s+(?!\S)|\s+""")


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(
        range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs)))


class BPE:
    def __init__(self, merges, specials):
        b2u = bytes_to_unicode()
        self.b2u = b2u
        self.u2b = {v: k for k, v in b2u.items()}
        self.vocab = [b2u[b] for b in range(256)]
        ids = {t: i for i, t in enumerate(self.vocab)}
        self.merges = merges
        for a, b in merges:
            if a + b not in ids:
                ids[a + b] = len(self.vocab)
                self.vocab.append(a + b)
        self.special = {}
        for s in specials:
            self.special[s] = len(self.vocab)
            self.vocab.append(s)
        self.ids = ids
        self.rank = {m: i for i, m in enumerate(merges)}
        self.cache = {}

    @classmethod
    def train(cls, docs, vocab_size, specials):
        b2u = bytes_to_unicode()
        counts = Counter()
        for d in docs:
            counts.update(PRE.findall(d))
        words = [[b2u[b] for b in w.encode("utf-8")] for w in counts]
        freq = list(counts.values())
        pairs = defaultdict(int)
        where = defaultdict(set)
        for wi, w in enumerate(words):
            for p in zip(w, w[1:]):
                pairs[p] += freq[wi]
                where[p].add(wi)
        merges, known = [], set(b2u.values())
        target = vocab_size - len(specials)
        while len(known) < target and pairs:
            # Ties broken by the pair itself, so the result does not depend on dict order.
            best = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))[0]
            if pairs[best] < 2:
                break
            merges.append(best)
            known.add(best[0] + best[1])
            for wi in list(where[best]):
                w = words[wi]
                for p in zip(w, w[1:]):
                    pairs[p] -= freq[wi]
                    if pairs[p] <= 0:
                        del pairs[p]
                nw, i = [], 0
                while i < len(w):
                    if i + 1 < len(w) and (w[i], w[i + 1]) == best:
                        nw.append(w[i] + w[i + 1])
                        i += 2
                    else:
                        nw.append(w[i])
                        i += 1
                words[wi] = nw
                for p in zip(nw, nw[1:]):
                    pairs[p] += freq[wi]
                    where[p].add(wi)
            del where[best]
        return cls(merges, specials)

    def _word(self, w):
        """GPT-2's rule, as llama.cpp applies it: repeatedly merge the lowest-ranked adjacent pair."""
        syms = [self.b2u[b] for b in w.encode("utf-8")]
        while len(syms) > 1:
            best, bi = None, -1
            for i in range(len(syms) - 1):
                r = self.rank.get((syms[i], syms[i + 1]))
                if r is not None and (best is None or r < best):
                    best, bi = r, i
            if best is None:
                break
            a, b = syms[bi], syms[bi + 1]
            out, i = [], 0
            while i < len(syms):
                if i + 1 < len(syms) and syms[i] == a and syms[i + 1] == b:
                    out.append(a + b)
                    i += 2
                else:
                    out.append(syms[i])
                    i += 1
            syms = out
        return [self.ids[s] for s in syms]

    def encode(self, text):
        out = []
        for w in PRE.findall(text):
            ids = self.cache.get(w)
            if ids is None:
                ids = self._word(w)
                self.cache[w] = ids
            out += ids
        return out

    def decode(self, ids):
        inv = {v: k for k, v in self.special.items()}
        bs = bytearray()
        for i in ids:
            if i in inv:
                bs += inv[i].encode()
            else:
                bs += bytes(self.u2b[c] for c in self.vocab[i])
        return bs.decode("utf-8", errors="replace")

    def gguf_tokens(self):
        # token_type: 1 normal, 3 control (llama.cpp never emits control tokens' text when detokenizing
        # unless asked, and never produces them from plain text).
        types = [1] * len(self.vocab)
        for i in self.special.values():
            types[i] = 3
        return list(self.vocab), types

    def gguf_merges(self):
        return [f"{a} {b}" for a, b in self.merges]

    def to_json(self):
        return {"type": "byte-level-bpe", "pre_tokenizer": PRE.pattern, "vocab_size": len(self.vocab),
                "special": self.special, "merges": self.gguf_merges()}
