"""Writes the small torch.save files of testdata/torchfile (the fuzz seeds and reader fixtures
of model/pth.go): a state_dict with a 2x3 float32 weight, a 3-element bias, a 0-dim int64
BatchNorm counter and a transposed (non-contiguous) 3x2 view, in the zip format (torch >= 1.6)
and the legacy format, plus a training checkpoint {"epoch": 3, "state_dict": ...}.

    /usr/bin/python3 testdata/torchref/tinypth.py testdata/torchfile
"""
import collections
import sys

import torch

out = sys.argv[1]
w = torch.arange(6, dtype=torch.float32).reshape(2, 3) / 4
sd = collections.OrderedDict()
sd["fc.weight"] = w
sd["fc.bias"] = torch.tensor([0.5, -1.0, 2.0])
sd["bn.num_batches_tracked"] = torch.tensor(7)
sd["proj.weight"] = w.t()  # a view: stride (1, 3)
torch.save(sd, f"{out}/tiny_zip.pth")
torch.save(sd, f"{out}/tiny_legacy.pth", _use_new_zipfile_serialization=False)
torch.save({"epoch": 3, "state_dict": sd}, f"{out}/tiny_ckpt.pth")
