"""Minimal safetensors reader/writer (the format: 8-byte LE header length,
JSON header, raw LE data), for machines without the safetensors package.
load() refuses what safetensors.torch.load_file refuses (header over 100 MB
or past the end, byte lengths that do not match dtype and shape, tensors
that do not tile the data section), so the Go side's files are checked
against the reference format's rules, not only against this reader."""
import json
import struct

import torch

_DT = {"F32": torch.float32, "F64": torch.float64, "F16": torch.float16,
       "I64": torch.int64, "I32": torch.int32, "U8": torch.uint8}
_NAME = {v: k for k, v in _DT.items()}


def load(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    if n > 100_000_000 or 8 + n > len(raw):
        raise ValueError(f"{path}: header length {n} invalid for {len(raw)} bytes")
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__", {})
    data = raw[8 + n:]
    end = 0
    for name, info in sorted(header.items(), key=lambda kv: tuple(kv[1]["data_offsets"])):
        b, e = info["data_offsets"]
        size = torch.empty(0, dtype=_DT[info["dtype"]]).element_size()
        numel = 1
        for d in info["shape"]:
            numel *= d
        if b != end or e > len(data) or e - b != size * numel:
            raise ValueError(f"{path}: tensor {name}: offsets [{b},{e}] invalid")
        end = e
    if end != len(data):
        raise ValueError(f"{path}: {len(data) - end} bytes after the last tensor")
    out = {}
    for name, info in header.items():
        b, e = info["data_offsets"]
        t = torch.frombuffer(bytearray(data[b:e]), dtype=_DT[info["dtype"]]) if e > b else torch.empty(0, dtype=_DT[info["dtype"]])
        out[name] = t.reshape(info["shape"]).clone()
    return out, meta


def save(path, tensors, meta=None):
    header, blobs, off = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().cpu()
        b = t.numpy().tobytes()
        header[name] = {"dtype": _NAME[t.dtype], "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        off += len(b)
        blobs.append(b)
    if meta:
        header["__metadata__"] = meta
    hj = json.dumps(header).encode()
    hj += b" " * ((8 - len(hj) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hj)))
        f.write(hj)
        for b in blobs:
            f.write(b)
