"""FFRA-Net in PyTorch, written from /work/shared/docs/ffra-spec.md with the
spec's parameter names (section 11), as the reference for the Go model.

Variants mirror model.ConfigFor in Go: resnet18, ffra, ffra-add, ffra-concat,
ffra-ms, ffra-la, ffra-shared-la, ffra-layer2, ffra-zero-init.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision


def config_for(variant):
    c = dict(num_classes=7, multi_scale=True, local_attention=True, fusion="weighted",
             lam=0.6, insert="layer3", shared_la=False, zero_init=False, sa_groups=8)
    extra = {
        "resnet18": dict(multi_scale=False, local_attention=False),
        "ffra": {},
        "ffra-add": dict(fusion="add"),
        "ffra-concat": dict(fusion="concat"),
        "ffra-ms": dict(local_attention=False),
        "ffra-la": dict(multi_scale=False),
        "ffra-shared-la": dict(shared_la=True),
        "ffra-layer2": dict(insert="layer2"),
        "ffra-zero-init": dict(zero_init=True),
    }
    if variant not in extra:
        raise SystemExit("unknown variant %r" % variant)
    c.update(extra[variant])
    return c


class CBR(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


class SALayer(nn.Module):
    """wofmanaf/SA-Net sa_layer (spec 4.1)."""

    def __init__(self, channel, groups=8):
        super().__init__()
        self.groups = groups
        half = channel // (2 * groups)
        self.cweight = nn.Parameter(torch.zeros(1, half, 1, 1))
        self.cbias = nn.Parameter(torch.ones(1, half, 1, 1))
        self.sweight = nn.Parameter(torch.zeros(1, half, 1, 1))
        self.sbias = nn.Parameter(torch.ones(1, half, 1, 1))
        self.gn = nn.GroupNorm(half, half)

    @staticmethod
    def channel_shuffle(x, groups):
        b, c, h, w = x.shape
        x = x.reshape(b, groups, -1, h, w).permute(0, 2, 1, 3, 4)
        return x.reshape(b, -1, h, w)

    def forward(self, x):
        b, c, h, w = x.shape
        x = x.reshape(b * self.groups, -1, h, w)
        x0, x1 = x.chunk(2, dim=1)
        xn = x0.mean(dim=(2, 3), keepdim=True)
        xn = x0 * torch.sigmoid(self.cweight * xn + self.cbias)
        xs = self.gn(x1)
        xs = x1 * torch.sigmoid(self.sweight * xs + self.sbias)
        out = torch.cat([xn, xs], dim=1).reshape(b, -1, h, w)
        return self.channel_shuffle(out, 2)


class LAPart(nn.Module):
    def __init__(self, ch, groups):
        super().__init__()
        self.conv = nn.Conv2d(ch, ch, 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(ch)
        self.sa = SALayer(ch, groups)

    def forward(self, x):
        return self.sa(F.relu(self.bn(self.conv(x))))


class MultiScale(nn.Module):
    def __init__(self, ch):
        super().__init__()
        w = ch // 4
        self.w = w
        self.convs = nn.ModuleList([CBR(w, w) for _ in range(4)])

    def forward(self, x):
        xs = torch.split(x, self.w, dim=1)
        ys = []
        for i, p in enumerate(self.convs):
            ys.append(p(xs[i] if i == 0 else xs[i] + ys[-1]))
        return torch.cat(ys, dim=1)


class LocalAttention(nn.Module):
    def __init__(self, ch, groups, shared):
        super().__init__()
        self.conv_s = CBR(ch, ch)
        self.parts = nn.ModuleList([LAPart(ch, groups) for _ in range(1 if shared else 4)])

    def forward(self, x):
        s = self.conv_s(x)
        h, w = s.shape[2], s.shape[3]
        s = F.pad(s, (0, w % 2, 0, h % 2))  # spec 4.3: zero-pad bottom/right to even
        ph, pw = s.shape[2] // 2, s.shape[3] // 2
        quads = [s[:, :, :ph, :pw], s[:, :, :ph, pw:], s[:, :, ph:, :pw], s[:, :, ph:, pw:]]
        ys = []
        for i, q in enumerate(quads):
            p = self.parts[i if len(self.parts) == 4 else 0]
            ys.append(p(q if i == 0 else q + ys[-1]))
        top = torch.cat([ys[0], ys[1]], dim=3)
        bottom = torch.cat([ys[2], ys[3]], dim=3)
        return torch.cat([top, bottom], dim=2)[:, :, :h, :w]


class Fuse(nn.Module):
    def __init__(self, ch):
        super().__init__()
        self.conv = nn.Conv2d(2 * ch, ch, 1, bias=False)
        self.bn = nn.BatchNorm2d(ch)

    def forward(self, yla, yms):
        return self.bn(self.conv(torch.cat([yla, yms], dim=1)))


class FFRANet(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        r = torchvision.models.resnet18(num_classes=cfg["num_classes"])
        for name in ["conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4", "avgpool", "fc"]:
            setattr(self, name, getattr(r, name))
        ch = 128 if cfg["insert"] == "layer2" else 256
        self.ms = MultiScale(ch) if cfg["multi_scale"] else None
        self.la = LocalAttention(ch, cfg["sa_groups"], cfg["shared_la"]) if cfg["local_attention"] else None
        both = self.ms is not None and self.la is not None
        self.fuse = Fuse(ch) if both and cfg["fusion"] == "concat" else None
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        if cfg["zero_init"]:
            for cbr in (list(self.ms.convs) if self.ms else []):
                nn.init.zeros_(cbr.bn.weight)
            for part in (list(self.la.parts) if self.la else []):
                nn.init.zeros_(part.bn.weight)

    def module(self, x):
        yms = self.ms(x) if self.ms is not None else None
        yla = self.la(x) if self.la is not None else None
        if yms is not None and yla is not None:
            f = self.cfg["fusion"]
            if f == "concat":
                mixed = self.fuse(yla, yms)
            elif f == "weighted":
                mixed = self.cfg["lam"] * yla + (1 - self.cfg["lam"]) * yms
            else:
                mixed = yla + yms
        elif yms is not None:
            mixed = yms
        elif yla is not None:
            mixed = yla
        else:
            return x
        return mixed + x

    def features(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer1(x)
        x = self.layer2(x)
        if self.cfg["insert"] == "layer2":
            x = self.module(x)
        x = self.layer3(x)
        if self.cfg["insert"] == "layer3":
            x = self.module(x)
        return self.layer4(x)

    def forward(self, x):
        return self.fc(torch.flatten(self.avgpool(self.features(x)), 1))


def build(variant):
    return FFRANet(config_for(variant))


def randomize(model, gen):
    """Random values for every parameter and BN buffer, so that no branch of
    the comparison is trivially zero or identity (SA gates start at 0/1)."""
    with torch.no_grad():
        for name, p in model.state_dict().items():
            if name.endswith("num_batches_tracked"):
                continue
            if name.endswith("running_var"):
                p.copy_(torch.rand(p.shape, generator=gen) + 0.5)
            elif name.endswith("running_mean") or name.endswith(".bias") or name.endswith("cbias") or name.endswith("sbias"):
                p.copy_((torch.rand(p.shape, generator=gen) - 0.5) * 0.4)
            elif p.dim() == 1 or name.endswith("cweight") or name.endswith("sweight"):
                p.copy_(torch.rand(p.shape, generator=gen) + 0.5)
            else:
                fan_in = p[0].numel()
                p.copy_(torch.randn(p.shape, generator=gen) * (2.0 / fan_in) ** 0.5)
