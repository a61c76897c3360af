"""torchvision reference for the baseline architectures (model/baseline_ref_test.go).

  tvref.py make  --arch A --classes N --size S --out DIR [--seed N] [--imagenet]
      DIR/weights.pth   torch.save(state_dict) of torchvision.models.A(num_classes=N)
                        with every parameter and BN buffer randomised
      DIR/imagenet.pth  (--imagenet) the same backbone with torchvision's 1000-class
                        head: the layout of torchvision's ImageNet weight files; every
                        name behind --prefix P when given (a wrapper such as "encoder.")
      DIR/input.f32     fixed input [2,3,S,S], raw float32 LE
      DIR/logits_eval.f32  eval-mode logits of weights.pth on the input
      DIR/spec.json     {"names": [[name, shape], ...] (num_batches_tracked excluded),
                         "params": trainable scalars with N classes,
                         "params_1000": with torchvision's 1000 classes}
  tvref.py check --arch A --classes N --size S --ckpt FILE --input FILE --logits FILE [--tol T]
      loads a safetensors checkpoint written by Go strictly into torchvision's model,
      runs eval mode on the input and compares with the Go logits:
      max |torch - go| <= tol * max(1, max |go logit|). Prints JSON {"max_diff", "params"}.
"""
import argparse
import json
import os
import sys

import torch
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stfile  # noqa: E402
from f32file import read_f32, write_f32  # noqa: E402


def build(arch, classes):
    return getattr(torchvision.models, arch)(weights=None, num_classes=classes)


def params(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def randomize(model, gen):
    """Random values for every parameter and BN buffer (BN at its init would be
    an identity and hide a wrong running-statistics mapping)."""
    with torch.no_grad():
        for name, p in model.state_dict().items():
            if name.endswith("num_batches_tracked"):
                continue
            if name.endswith("running_var"):
                p.copy_(torch.rand(p.shape, generator=gen) + 0.5)
            elif name.endswith("running_mean") or name.endswith(".bias"):
                p.copy_((torch.rand(p.shape, generator=gen) - 0.5) * 0.4)
            elif p.dim() == 1:
                p.copy_(torch.rand(p.shape, generator=gen) + 0.5)
            else:
                fan_in = p[0].numel()
                p.copy_(torch.randn(p.shape, generator=gen) * (2.0 / fan_in) ** 0.5)


def cmd_make(a):
    os.makedirs(a.out, exist_ok=True)
    gen = torch.Generator().manual_seed(a.seed)
    model = build(a.arch, a.classes)
    randomize(model, gen)
    model.eval()
    x = torch.randn(2, 3, a.size, a.size, generator=gen)
    with torch.no_grad():
        logits = model(x)
    sd = model.state_dict()
    torch.save(sd, os.path.join(a.out, "weights.pth"))
    write_f32(os.path.join(a.out, "input.f32"), x)
    write_f32(os.path.join(a.out, "logits_eval.f32"), logits)
    wide = build(a.arch, 1000)
    spec = {"names": [[k, list(v.shape)] for k, v in sd.items() if not k.endswith("num_batches_tracked")],
            "params": params(model), "params_1000": params(wide)}
    if a.imagenet:
        head = {"vgg16": "classifier.6.", "mobilenet_v2": "classifier.1."}.get(a.arch, "fc.")
        full = {k: v for k, v in sd.items() if not k.startswith(head)}
        for k, v in wide.state_dict().items():
            if k.startswith(head):
                full[k] = torch.randn(v.shape, generator=gen) * 0.01
        full = {a.prefix + k: v for k, v in full.items()}
        torch.save(full, os.path.join(a.out, "imagenet.pth"))
    with open(os.path.join(a.out, "spec.json"), "w") as f:
        json.dump(spec, f)


def cmd_check(a):
    tensors, meta = stfile.load(a.ckpt)
    cfg = json.loads(meta["config"])
    if cfg.get("arch", "") not in (a.arch, "") or cfg["num_classes"] != a.classes:
        raise SystemExit("metadata arch %r / %d classes, expected %s / %d" % (cfg.get("arch"), cfg["num_classes"], a.arch, a.classes))
    model = build(a.arch, a.classes)
    model.load_state_dict(tensors, strict=True)  # same names and shapes, nothing missing or extra
    model.eval()
    x = read_f32(a.input, (2, 3, a.size, a.size))
    want = read_f32(a.logits, (2, a.classes))
    with torch.no_grad():
        got = model(x)
    diff = (got - want).abs().max().item()
    scale = max(1.0, want.abs().max().item())
    print(json.dumps({"max_diff": diff, "max_abs_logit": want.abs().max().item(), "params": params(model)}))
    if not diff <= a.tol * scale:
        raise SystemExit("logits differ by %.3g > tol %.3g x %.3g" % (diff, a.tol, scale))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("make", "check"):
        s = sub.add_parser(name)
        s.add_argument("--arch", required=True)
        s.add_argument("--classes", type=int, required=True)
        s.add_argument("--size", type=int, required=True)
        if name == "make":
            s.add_argument("--out", required=True)
            s.add_argument("--seed", type=int, default=1)
            s.add_argument("--imagenet", action="store_true")
            s.add_argument("--prefix", default="")
        else:
            s.add_argument("--ckpt", required=True)
            s.add_argument("--input", required=True)
            s.add_argument("--logits", required=True)
            s.add_argument("--tol", type=float, default=1e-4)
    a = p.parse_args()
    torch.set_num_threads(2)
    {"make": cmd_make, "check": cmd_check}[a.cmd](a)


if __name__ == "__main__":
    main()
