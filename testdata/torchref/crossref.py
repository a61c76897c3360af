"""Cross-framework reference for the Go model tests (model/crossref_test.go).

  crossref.py make  --cases V:S[,V:S...] --out DIR [--seed N]
      for each case writes into DIR/V-S/:
             weights.pth      torch.save(state_dict) of a randomised model
             DIR/msceleb.pth      {'state_dict': 'module.'-prefixed backbone +
                                  fc [1000,512] + feature.*} (spec 8 layout b)
             DIR/msceleb_legacy.pth  the same state_dict in the legacy (pre-1.6) format
             DIR/input.f32        fixed input [2,3,S,S], raw float32 LE
             DIR/logits_eval.f32  reference logits, eval mode
             DIR/logits_train.f32 reference logits, train mode (batch stats)
             DIR/names.json       state_dict names (num_batches_tracked excluded)
  crossref.py check --variant V --ckpt FILE --input FILE --logits FILE [--tol T]
      loads a safetensors checkpoint written by Go strictly into the PyTorch
      model, runs eval mode on the input and compares with the Go logits:
      max |torch - go| <= tol * max(1, max |go logit|).
"""
import argparse
import copy
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ffra_torch  # noqa: E402
import stfile  # noqa: E402
from f32file import read_f32, write_f32  # noqa: E402


def cmd_make(a):
    for case in a.cases.split(","):
        variant, size = case.split(":")
        make_case(variant, int(size), os.path.join(a.out, "%s-%s" % (variant, size)), a.seed)


def make_case(variant, size, out, seed):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    model = ffra_torch.build(variant)
    ffra_torch.randomize(model, gen)
    model.eval()
    x = torch.randn(2, 3, size, size, generator=gen)
    with torch.no_grad():
        eval_logits = model(x)
        trained = copy.deepcopy(model).train()
        train_logits = trained(x)
    os.makedirs(out, exist_ok=True)
    sd = model.state_dict()
    torch.save(sd, os.path.join(out, "weights.pth"))
    ms = {"module." + k: v for k, v in sd.items()
          if not k.startswith(("fc.", "ms.", "la.", "fuse."))}
    ms["module.fc.weight"] = torch.randn(1000, 512, generator=gen)
    ms["module.fc.bias"] = torch.randn(1000, generator=gen)
    ms["module.feature.weight"] = torch.randn(256, 512, generator=gen)
    ms["module.feature.bias"] = torch.randn(256, generator=gen)
    torch.save({"state_dict": ms, "epoch": 3, "arch": "resnet18"}, os.path.join(out, "msceleb.pth"))
    # the pre-1.6 format many published MS-Celeb checkpoints still use
    torch.save({"state_dict": ms}, os.path.join(out, "msceleb_legacy.pth"), _use_new_zipfile_serialization=False)
    write_f32(os.path.join(out, "input.f32"), x)
    write_f32(os.path.join(out, "logits_eval.f32"), eval_logits)
    write_f32(os.path.join(out, "logits_train.f32"), train_logits)
    names = [k for k in sd if not k.endswith("num_batches_tracked")]
    with open(os.path.join(out, "names.json"), "w") as f:
        json.dump(names, f)


def cmd_check(a):
    tensors, meta = stfile.load(a.ckpt)
    cfg = json.loads(meta["config"])
    classes = json.loads(meta["classes"])
    if cfg["variant"] != a.variant:
        raise SystemExit("metadata variant %r, expected %r" % (cfg["variant"], a.variant))
    if len(classes) != cfg["num_classes"]:
        raise SystemExit("metadata has %d classes for %d outputs" % (len(classes), cfg["num_classes"]))
    model = ffra_torch.build(a.variant)
    model.load_state_dict(tensors, strict=True)  # same names, shapes, and nothing missing or extra
    model.eval()
    size = int(a.size)
    x = read_f32(a.input, (2, 3, size, size))
    want = read_f32(a.logits, (2, cfg["num_classes"]))
    with torch.no_grad():
        got = model(x)
    diff = (got - want).abs().max().item()
    scale = max(1.0, want.abs().max().item())  # tolerance is relative to the largest logit
    print("max |torch - go| = %.3g over %d logits (max |logit| %.3g)" % (diff, want.numel(), scale))
    if not diff <= a.tol * scale:
        raise SystemExit("logits differ by %.3g > tol %.3g x %.3g" % (diff, a.tol, scale))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("make")
    m.add_argument("--cases", required=True)
    m.add_argument("--out", required=True)
    m.add_argument("--seed", type=int, default=1)
    c = sub.add_parser("check")
    c.add_argument("--variant", required=True)
    c.add_argument("--size", required=True)
    c.add_argument("--ckpt", required=True)
    c.add_argument("--input", required=True)
    c.add_argument("--logits", required=True)
    c.add_argument("--tol", type=float, default=1e-4)
    a = p.parse_args()
    torch.set_num_threads(2)
    {"make": cmd_make, "check": cmd_check}[a.cmd](a)


if __name__ == "__main__":
    main()
