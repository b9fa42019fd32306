"""Minimal GGUF v3 writer: header, KV metadata, tensor infos, 32-byte aligned data (F32, F16, Q8_0).

Layout as ggml reads it: every integer little-endian, strings as u64 length + UTF-8 bytes, tensor
dims innermost first (ggml's ne[0]), each tensor's data at an offset that is a multiple of ALIGN.
"""
import struct

import numpy as np

GGUF_U32, GGUF_I32, GGUF_F32, GGUF_BOOL, GGUF_STR, GGUF_ARR = 4, 5, 6, 7, 8, 9
GGML_F32, GGML_F16, GGML_Q8_0 = 0, 1, 8
ALIGN = 32


def _s(b: bytes):
    return struct.pack("<Q", len(b)) + b


def _kv(key, vtype, value):
    out = _s(key.encode()) + struct.pack("<I", vtype)
    if vtype == GGUF_STR:
        return out + _s(value.encode("utf-8"))
    if vtype == GGUF_U32:
        return out + struct.pack("<I", value)
    if vtype == GGUF_I32:
        return out + struct.pack("<i", value)
    if vtype == GGUF_F32:
        return out + struct.pack("<f", value)
    if vtype == GGUF_BOOL:
        return out + struct.pack("<?", value)
    raise ValueError(vtype)


def _kv_arr(key, etype, values):
    out = _s(key.encode()) + struct.pack("<IIQ", GGUF_ARR, etype, len(values))
    if etype == GGUF_STR:
        return out + b"".join(_s(v.encode("utf-8")) for v in values)
    if etype == GGUF_I32:
        return out + np.asarray(values, dtype="<i4").tobytes()
    raise ValueError(etype)


def quantize_q8_0(a: np.ndarray) -> bytes:
    """ggml's reference Q8_0: per 32 values one f16 scale d = amax/127 and 32 int8 round(x/d)."""
    blocks = a.astype(np.float32).reshape(-1, 32)
    d = np.abs(blocks).max(axis=1) / 127.0
    inv = np.where(d > 0, 1.0 / np.where(d > 0, d, 1.0), 0.0)
    q = np.clip(np.round(blocks * inv[:, None]), -127, 127).astype(np.int8)
    rec = np.zeros(len(blocks), dtype=[("d", "<f2"), ("qs", "i1", (32,))])
    rec["d"] = d.astype(np.float16)
    rec["qs"] = q
    return rec.tobytes()


def write_gguf(path, kvs, tensors, qtype):
    """tensors: list of (name, np.ndarray in torch layout). 1-D tensors are written F32."""
    infos, blobs, offset = [], [], 0
    for name, arr in tensors:
        if arr.ndim == 1:
            t, data = GGML_F32, arr.astype("<f4").tobytes()
        elif qtype == "q8_0" and arr.shape[-1] % 32 == 0:
            t, data = GGML_Q8_0, quantize_q8_0(arr)
        else:
            t, data = GGML_F16, arr.astype("<f2").tobytes()
        dims = list(reversed(arr.shape))  # ggml ne[0] is the innermost (contiguous) dimension
        infos.append(_s(name.encode()) + struct.pack("<I", len(dims)) + struct.pack(f"<{len(dims)}Q", *dims)
                     + struct.pack("<IQ", t, offset))
        pad = (-len(data)) % ALIGN
        blobs.append(data + b"\0" * pad)
        offset += len(data) + pad
    header = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(kvs)) + b"".join(kvs) + b"".join(infos)
    header += b"\0" * ((-len(header)) % ALIGN)
    with open(path, "wb") as fh:
        fh.write(header)
        for b in blobs:
            fh.write(b)
