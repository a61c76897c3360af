package model

import (
	"fmt"

	"github.com/sugarme/gotch/ts"

	"github.com/occfer/occfer/model/ffranet"
)

// ffraNet is FFRA-Net (spec sections 2-6): ResNet-18 with the multi-scale and
// local-attention branches after layer3 (or layer2), fused with X; with both
// branches off it is torchvision's ResNet-18.
type ffraNet struct {
	cfg                        ffranet.Config
	stem                       *stem
	layer1, layer2, layer3, l4 *stage
	ms                         *multiScale
	la                         *localAttention
	fuse                       *fusion
	fc                         *linear
}

func newFFRANet(b *builder, cfg ffranet.Config) (*ffraNet, error) {
	n := &ffraNet{cfg: cfg}
	var err error
	if n.stem, err = newStem(b); err != nil {
		return nil, err
	}
	if n.layer1, err = newStage(b, "layer1", 64, 64, 1); err != nil {
		return nil, err
	}
	if n.layer2, err = newStage(b, "layer2", 64, 128, 2); err != nil {
		return nil, err
	}
	if n.layer3, err = newStage(b, "layer3", 128, 256, 2); err != nil {
		return nil, err
	}
	if n.l4, err = newStage(b, "layer4", 256, 512, 2); err != nil {
		return nil, err
	}
	gamma := float32(1)
	if cfg.ZeroInitLastBN {
		gamma = 0
	}
	ch := cfg.ModuleChannels()
	if cfg.MultiScale {
		if n.ms, err = newMultiScale(b, ch, gamma); err != nil {
			return nil, err
		}
	}
	if cfg.LocalAttention {
		if n.la, err = newLocalAttention(b, ch, int64(cfg.SAGroups), cfg.SharedLA, gamma); err != nil {
			return nil, err
		}
	}
	if cfg.MultiScale && cfg.LocalAttention && cfg.Fusion == ffranet.FusionConcat {
		if n.fuse, err = newConcatFusion(b, ch); err != nil {
			return nil, err
		}
	}
	if n.fc, err = newLinear(b, "fc", 512, int64(cfg.NumClasses)); err != nil {
		return nil, err
	}
	return n, nil
}

func (n *ffraNet) featureLayer() string { return "layer4" }
func (n *ffraNet) linearHead() *linear  { return n.fc }

func (n *ffraNet) headFrom(p *pass, features *ts.Tensor) (*ts.Tensor, error) {
	return gapLinear(p, features, n.fc, 0)
}

func (n *ffraNet) forward(p *pass, x *ts.Tensor) (logits, features *ts.Tensor, err error) {
	y, err := n.stem.forward(p, x)
	if err != nil {
		return nil, nil, err
	}
	for _, st := range []*stage{n.layer1, n.layer2, n.layer3} {
		z, err := st.forward(p, y)
		drop(y)
		if err != nil {
			return nil, nil, err
		}
		y = z
		if st.name == n.cfg.Insert && n.cfg.HasModule() {
			if y, err = n.module(p, y); err != nil {
				return nil, nil, err
			}
		}
	}
	features, err = n.l4.forward(p, y)
	drop(y)
	if err != nil {
		return nil, nil, err
	}
	return finishForward(n, p, features)
}

// module runs the branches on X and fuses them (spec 5); it consumes x.
func (n *ffraNet) module(p *pass, x *ts.Tensor) (*ts.Tensor, error) {
	var yms, yla *ts.Tensor
	var err error
	if n.ms != nil {
		if yms, err = n.ms.forward(p, x); err != nil {
			drop(x)
			return nil, err
		}
	}
	if n.la != nil {
		if yla, err = n.la.forward(p, x); err != nil {
			drop(x, yms)
			return nil, err
		}
	}
	y, err := n.fuseBranches(p, x, yms, yla)
	drop(x, yms, yla)
	if err != nil {
		return nil, err
	}
	return y, p.record("fuse", "Fusion("+n.fusionName()+")", y)
}

func (n *ffraNet) fusionName() string {
	switch {
	case n.ms != nil && n.la != nil:
		return n.cfg.Fusion
	case n.ms != nil:
		return "ms+x"
	default:
		return "la+x"
	}
}

// fuseBranches computes Y from X and the branch outputs (either may be nil);
// it consumes none of them.
func (n *ffraNet) fuseBranches(p *pass, x, yms, yla *ts.Tensor) (*ts.Tensor, error) {
	var mixed *ts.Tensor
	var err error
	switch {
	case yms != nil && yla != nil && n.cfg.Fusion == ffranet.FusionConcat:
		mixed, err = n.fuse.forward(p, yla, yms)
	case yms != nil && yla != nil && n.cfg.Fusion == ffranet.FusionWeighted:
		mixed, err = weightedSum(yla, n.cfg.Lambda, yms, 1-n.cfg.Lambda)
	case yms != nil && yla != nil:
		mixed, err = yla.Add(yms, false)
	case yms != nil:
		mixed, err = yms.ShallowClone()
	default:
		mixed, err = yla.ShallowClone()
	}
	if err != nil {
		return nil, fmt.Errorf("fusion: %w", err)
	}
	y, err := mixed.Add(x, true)
	if err != nil {
		return nil, fmt.Errorf("fusion residual: %w", err)
	}
	return y, nil
}

// weightedSum returns wa*a + wb*b without consuming a or b.
func weightedSum(a *ts.Tensor, wa float64, b *ts.Tensor, wb float64) (*ts.Tensor, error) {
	sa := ts.FloatScalar(wa)
	sb := ts.FloatScalar(wb)
	ta, err := a.MulScalar(sa, false)
	if err != nil {
		return nil, err
	}
	tb, err := b.MulScalar(sb, false)
	if err != nil {
		drop(ta)
		return nil, err
	}
	out, err := ta.Add(tb, true)
	drop(tb)
	return out, err
}

// fusion is the concat variant: BN(conv1x1(cat[Y_la, Y_ms])) (+X by the caller).
type fusion struct {
	conv *conv2d
	bn   *batchNorm2d
}

func newConcatFusion(b *builder, ch int64) (*fusion, error) {
	c, err := newConv(b, "fuse.conv", 2*ch, ch, 1, 1, 0)
	if err != nil {
		return nil, err
	}
	n, err := newBN(b, "fuse.bn", ch, 1)
	if err != nil {
		return nil, err
	}
	return &fusion{conv: c, bn: n}, nil
}

func (f *fusion) forward(p *pass, yla, yms *ts.Tensor) (*ts.Tensor, error) {
	cat, err := ts.Cat([]*ts.Tensor{yla, yms}, 1)
	if err != nil {
		return nil, err
	}
	out, err := convBN(p, f.conv, f.bn, cat)
	drop(cat)
	return out, err
}
