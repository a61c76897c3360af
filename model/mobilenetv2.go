package model

import (
	"fmt"

	"github.com/sugarme/gotch/ts"

	"github.com/occfer/occfer/model/ffranet"
)

// mobileNetV2Settings is torchvision's inverted residual setting (Sandler et
// al. 2018, Table 2): expansion t, output channels c, repeats n, first stride s.
var mobileNetV2Settings = [][4]int64{
	{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1},
}

// mobileNetV2Dropout is torchvision's dropout before the classifier.
const mobileNetV2Dropout = 0.2

// convBNAct is torchvision's Conv2dNormActivation with BatchNorm: conv (no
// bias, padding (k-1)/2) -> BN -> ReLU6 (when act), as {name}.0 and {name}.1.
type convBNAct struct {
	conv *conv2d
	bn   *batchNorm2d
	act  bool
}

func newConvBNAct(b *builder, name string, in, out, k, stride, groups int64, act bool) (*convBNAct, error) {
	c, err := newConvG(b, name+".0", in, out, k, stride, (k-1)/2, groups, false)
	if err != nil {
		return nil, err
	}
	n, err := newBN(b, name+".1", out, 1)
	if err != nil {
		return nil, err
	}
	return &convBNAct{conv: c, bn: n, act: act}, nil
}

// forward does not consume x.
func (l *convBNAct) forward(p *pass, x *ts.Tensor) (*ts.Tensor, error) {
	y, err := convBN(p, l.conv, l.bn, x)
	if err != nil || !l.act {
		return y, err
	}
	z, err := y.Relu6(true)
	if err != nil {
		return nil, fmt.Errorf("%s relu6: %w", l.bn.name, err)
	}
	return z, nil
}

// invertedResidual is torchvision's InvertedResidual: [1x1 expand conv-BN-
// ReLU6 when t != 1] -> 3x3 depthwise conv-BN-ReLU6 -> 1x1 projection conv-BN
// (linear bottleneck), plus x when stride 1 and in == out.
type invertedResidual struct {
	name   string
	layers []*convBNAct // the project conv's pair has act false
	res    bool
}

func newInvertedResidual(b *builder, name string, in, out, stride, expand int64) (*invertedResidual, error) {
	hidden := in * expand
	blk := &invertedResidual{name: name, res: stride == 1 && in == out}
	idx := 0
	add := func(l *convBNAct, err error) error {
		if err != nil {
			return err
		}
		blk.layers = append(blk.layers, l)
		idx++
		return nil
	}
	if expand != 1 {
		if err := add(newConvBNAct(b, fmt.Sprintf("%s.conv.%d", name, idx), in, hidden, 1, 1, 1, true)); err != nil {
			return nil, err
		}
	}
	if err := add(newConvBNAct(b, fmt.Sprintf("%s.conv.%d", name, idx), hidden, hidden, 3, stride, hidden, true)); err != nil {
		return nil, err
	}
	// the projection is a bare Conv2d and BatchNorm2d in the Sequential: conv.{idx}, conv.{idx+1}
	c, err := newConvG(b, fmt.Sprintf("%s.conv.%d", name, idx), hidden, out, 1, 1, 0, 1, false)
	if err != nil {
		return nil, err
	}
	n, err := newBN(b, fmt.Sprintf("%s.conv.%d", name, idx+1), out, 1)
	if err != nil {
		return nil, err
	}
	blk.layers = append(blk.layers, &convBNAct{conv: c, bn: n})
	return blk, nil
}

// forward does not consume x.
func (blk *invertedResidual) forward(p *pass, x *ts.Tensor) (*ts.Tensor, error) {
	y := x
	for _, l := range blk.layers {
		z, err := l.forward(p, y)
		if y != x {
			drop(y)
		}
		if err != nil {
			return nil, err
		}
		y = z
	}
	if blk.res {
		var err error
		if y, err = y.Add(x, true); err != nil {
			return nil, fmt.Errorf("%s residual: %w", blk.name, err)
		}
	}
	return y, p.record(blk.name, "InvertedResidual", y)
}

// mobileNetV2 is torchvision's mobilenet_v2: features.0 (3x3/2 conv to 32),
// features.1-17 (inverted residuals), features.18 (1x1 conv to 1280), global
// average pool, classifier Dropout(0.2)-Linear(1280, classes) at classifier.1.
type mobileNetV2 struct {
	first  *convBNAct
	blocks []*invertedResidual
	last   *convBNAct
	fc     *linear
}

func newMobileNetV2(b *builder, cfg ffranet.Config) (*mobileNetV2, error) {
	n := &mobileNetV2{}
	var err error
	if n.first, err = newConvBNAct(b, "features.0", 3, 32, 3, 2, 1, true); err != nil {
		return nil, err
	}
	in, idx := int64(32), 1
	for _, s := range mobileNetV2Settings {
		t, c, reps, stride := s[0], s[1], s[2], s[3]
		for i := int64(0); i < reps; i++ {
			st := int64(1)
			if i == 0 {
				st = stride
			}
			blk, err := newInvertedResidual(b, fmt.Sprintf("features.%d", idx), in, c, st, t)
			if err != nil {
				return nil, err
			}
			n.blocks = append(n.blocks, blk)
			in, idx = c, idx+1
		}
	}
	if n.last, err = newConvBNAct(b, fmt.Sprintf("features.%d", idx), in, 1280, 1, 1, 1, true); err != nil {
		return nil, err
	}
	if n.fc, err = newLinearNormal(b, "classifier.1", 1280, int64(cfg.NumClasses)); err != nil {
		return nil, err
	}
	return n, nil
}

func (n *mobileNetV2) featureLayer() string { return "features.18" }
func (n *mobileNetV2) linearHead() *linear  { return n.fc }

func (n *mobileNetV2) headFrom(p *pass, features *ts.Tensor) (*ts.Tensor, error) {
	return gapLinear(p, features, n.fc, mobileNetV2Dropout)
}

func (n *mobileNetV2) forward(p *pass, x *ts.Tensor) (logits, features *ts.Tensor, err error) {
	y, err := n.first.forward(p, x)
	if err != nil {
		return nil, nil, err
	}
	if err := p.record("features.0", "Conv2dNormActivation", y); err != nil {
		drop(y)
		return nil, nil, err
	}
	for _, blk := range n.blocks {
		z, err := blk.forward(p, y)
		drop(y)
		if err != nil {
			return nil, nil, err
		}
		y = z
	}
	features, err = n.last.forward(p, y)
	drop(y)
	if err != nil {
		return nil, nil, err
	}
	if err := p.record("features.18", "Conv2dNormActivation", features); err != nil {
		drop(features)
		return nil, nil, err
	}
	return finishForward(n, p, features)
}
