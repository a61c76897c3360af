"""Soft-target cross-entropy reference for model/loss_test.go.

  softce.py B K
      reads B*K logits then B*K target probabilities (float32 little-endian) from stdin and
      prints, as JSON, torch.nn.functional.cross_entropy(logits, probs) with reduction
      "mean" and "sum", and the gradient of the mean loss with respect to the logits.
"""
import json
import sys

import torch
import torch.nn.functional as F


def main():
    b, k = int(sys.argv[1]), int(sys.argv[2])
    raw = sys.stdin.buffer.read()
    vals = torch.frombuffer(bytearray(raw), dtype=torch.float32)
    logits = vals[: b * k].reshape(b, k).clone().requires_grad_(True)
    probs = vals[b * k:].reshape(b, k).clone()
    mean = F.cross_entropy(logits, probs)
    total = F.cross_entropy(logits, probs, reduction="sum")
    mean.backward()
    print(json.dumps({"mean": mean.item(), "sum": total.item(), "grad": logits.grad.reshape(-1).tolist()}))


if __name__ == "__main__":
    main()
