"""Raw float32 tensor files (little-endian, no header; the shape is given by the
caller), as the Go tests of model/ write and read them (model/helpers_test.go)."""
import torch


def write_f32(path, t):
    with open(path, "wb") as f:
        f.write(t.detach().contiguous().float().numpy().tobytes())


def read_f32(path, shape):
    with open(path, "rb") as f:
        return torch.frombuffer(bytearray(f.read()), dtype=torch.float32).reshape(shape).clone()
