package model

import (
	"fmt"

	"github.com/sugarme/gotch/ts"

	"github.com/occfer/occfer/model/ffranet"
)

// Forward runs the model on x [B,3,H,W] and returns logits [B,classes].
// train selects BatchNorm's batch statistics (and updates its running stats);
// wrap eval calls in ts.NoGrad or use Predict when no gradient is needed.
// x is not consumed; the caller drops the result.
func (m *Model) Forward(x *ts.Tensor, train bool) (*ts.Tensor, error) {
	logits, feat, err := m.ForwardFeatures(x, train)
	if err != nil {
		return nil, err
	}
	drop(feat)
	return logits, nil
}

// ForwardFeatures also returns the last conv feature map (layer4's output,
// [B,512,h,w], before pooling). A class activation map for class k is
// sum_c FCWeight()[k,c] * features[:,c]: the global average pool is linear.
func (m *Model) ForwardFeatures(x *ts.Tensor, train bool) (logits, features *ts.Tensor, err error) {
	return m.run(&pass{train: train}, x)
}

func (m *Model) run(p *pass, x *ts.Tensor) (logits, features *ts.Tensor, err error) {
	defer recoverInto(&err, "forward")
	shape, err := x.Size()
	if err != nil {
		return nil, nil, fmt.Errorf("forward: input: %w", err)
	}
	if len(shape) != 4 || shape[1] != 3 {
		return nil, nil, fmt.Errorf("forward: input must be [B,3,H,W], got %v", shape)
	}
	if p.train {
		m.batchesTracked++
	}
	y, err := m.stem.forward(p, x)
	if err != nil {
		return nil, nil, err
	}
	for _, st := range []*stage{m.layer1, m.layer2, m.layer3} {
		z, err := st.forward(p, y)
		drop(y)
		if err != nil {
			return nil, nil, err
		}
		y = z
		if st.name == m.cfg.Insert && m.cfg.HasModule() {
			if y, err = m.module(p, y); err != nil {
				return nil, nil, err
			}
		}
	}
	features, err = m.l4.forward(p, y)
	drop(y)
	if err != nil {
		return nil, nil, err
	}
	logits, err = m.head(p, features)
	if err != nil {
		drop(features)
		return nil, nil, err
	}
	return logits, features, nil
}

// head is global average pool -> flatten -> fc. It does not consume z.
func (m *Model) head(p *pass, z *ts.Tensor) (*ts.Tensor, error) {
	pooled, err := z.AdaptiveAvgPool2d([]int64{1, 1}, false)
	if err != nil {
		return nil, fmt.Errorf("avgpool: %w", err)
	}
	if err := p.record("avgpool", "AdaptiveAvgPool2d", pooled); err != nil {
		drop(pooled)
		return nil, err
	}
	flat, err := pooled.Flatten(1, -1, true)
	if err != nil {
		return nil, fmt.Errorf("flatten: %w", err)
	}
	out, err := m.fc.forward(p, flat)
	drop(flat)
	if err != nil {
		return nil, err
	}
	return out, p.record("fc", "Linear", out)
}

// module runs the branches on X and fuses them (spec 5); it consumes x.
func (m *Model) module(p *pass, x *ts.Tensor) (*ts.Tensor, error) {
	var yms, yla *ts.Tensor
	var err error
	if m.ms != nil {
		if yms, err = m.ms.forward(p, x); err != nil {
			drop(x)
			return nil, err
		}
	}
	if m.la != nil {
		if yla, err = m.la.forward(p, x); err != nil {
			drop(x, yms)
			return nil, err
		}
	}
	y, err := m.fuseBranches(p, x, yms, yla)
	drop(x, yms, yla)
	if err != nil {
		return nil, err
	}
	return y, p.record("fuse", "Fusion("+m.fusionName()+")", y)
}

func (m *Model) fusionName() string {
	switch {
	case m.ms != nil && m.la != nil:
		return m.cfg.Fusion
	case m.ms != nil:
		return "ms+x"
	default:
		return "la+x"
	}
}

// fuseBranches computes Y from X and the branch outputs (either may be nil);
// it consumes none of them.
func (m *Model) fuseBranches(p *pass, x, yms, yla *ts.Tensor) (*ts.Tensor, error) {
	var mixed *ts.Tensor
	var err error
	switch {
	case yms != nil && yla != nil && m.cfg.Fusion == ffranet.FusionConcat:
		mixed, err = m.fuse.forward(p, yla, yms)
	case yms != nil && yla != nil && m.cfg.Fusion == ffranet.FusionWeighted:
		mixed, err = weightedSum(yla, m.cfg.Lambda, yms, 1-m.cfg.Lambda)
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
