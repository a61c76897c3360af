package model

import (
	"fmt"

	"github.com/sugarme/gotch/ts"

	"github.com/occfer/occfer/model/ffranet"
)

// bottleneck is torchvision's Bottleneck (expansion 4, ResNet v1.5: the
// stride sits on the 3x3 conv): relu(bn3(conv3(relu(bn2(conv2(relu(bn1(
// conv1(x))))))) + shortcut(x)).
type bottleneck struct {
	name                string
	conv1, conv2, conv3 *conv2d
	bn1, bn2, bn3       *batchNorm2d
	downConv            *conv2d // nil for an identity shortcut
	downBN              *batchNorm2d
}

func newBottleneck(b *builder, name string, in, planes, stride int64) (*bottleneck, error) {
	out := 4 * planes
	blk := &bottleneck{name: name}
	var err error
	steps := []func() error{
		func() error { blk.conv1, err = newConv(b, name+".conv1", in, planes, 1, 1, 0); return err },
		func() error { blk.bn1, err = newBN(b, name+".bn1", planes, 1); return err },
		func() error { blk.conv2, err = newConv(b, name+".conv2", planes, planes, 3, stride, 1); return err },
		func() error { blk.bn2, err = newBN(b, name+".bn2", planes, 1); return err },
		func() error { blk.conv3, err = newConv(b, name+".conv3", planes, out, 1, 1, 0); return err },
		func() error { blk.bn3, err = newBN(b, name+".bn3", out, 1); return err },
	}
	if stride != 1 || in != out {
		steps = append(steps,
			func() error { blk.downConv, err = newConv(b, name+".downsample.0", in, out, 1, stride, 0); return err },
			func() error { blk.downBN, err = newBN(b, name+".downsample.1", out, 1); return err })
	}
	for _, s := range steps {
		if err := s(); err != nil {
			return nil, err
		}
	}
	return blk, nil
}

func (blk *bottleneck) forward(p *pass, x *ts.Tensor) (*ts.Tensor, error) {
	y1, err := convBNReLU(p, blk.conv1, blk.bn1, x)
	if err != nil {
		return nil, err
	}
	y2, err := convBNReLU(p, blk.conv2, blk.bn2, y1)
	drop(y1)
	if err != nil {
		return nil, err
	}
	y3, err := convBN(p, blk.conv3, blk.bn3, y2)
	drop(y2)
	if err != nil {
		return nil, err
	}
	short := x
	if blk.downConv != nil {
		if short, err = convBN(p, blk.downConv, blk.downBN, x); err != nil {
			drop(y3)
			return nil, err
		}
		defer drop(short)
	}
	sum, err := y3.Add(short, true)
	if err != nil {
		return nil, fmt.Errorf("%s residual: %w", blk.name, err)
	}
	out, err := relu(sum, blk.name)
	if err != nil {
		return nil, err
	}
	return out, p.record(blk.name, "Bottleneck", out)
}

// resNet50 is torchvision's resnet50: stem, layers [3, 4, 6, 3] of
// Bottlenecks (planes 64..512, 2048 output channels), avgpool, fc.
type resNet50 struct {
	stem   *stem
	layers []*stage
	fc     *linear
}

func newResNet50(b *builder, cfg ffranet.Config) (*resNet50, error) {
	n := &resNet50{}
	var err error
	if n.stem, err = newStem(b); err != nil {
		return nil, err
	}
	in := int64(64)
	for i, spec := range []struct{ planes, blocks, stride int64 }{{64, 3, 1}, {128, 4, 2}, {256, 6, 2}, {512, 3, 2}} {
		st := &stage{name: fmt.Sprintf("layer%d", i+1)}
		for j := int64(0); j < spec.blocks; j++ {
			stride := int64(1)
			if j == 0 {
				stride = spec.stride
			}
			blk, err := newBottleneck(b, fmt.Sprintf("%s.%d", st.name, j), in, spec.planes, stride)
			if err != nil {
				return nil, err
			}
			st.blocks = append(st.blocks, blk)
			in = 4 * spec.planes
		}
		n.layers = append(n.layers, st)
	}
	if n.fc, err = newLinear(b, "fc", in, int64(cfg.NumClasses)); err != nil {
		return nil, err
	}
	return n, nil
}

func (n *resNet50) featureLayer() string { return "layer4" }
func (n *resNet50) linearHead() *linear  { return n.fc }

func (n *resNet50) headFrom(p *pass, features *ts.Tensor) (*ts.Tensor, error) {
	return gapLinear(p, features, n.fc, 0)
}

func (n *resNet50) forward(p *pass, x *ts.Tensor) (logits, features *ts.Tensor, err error) {
	y, err := n.stem.forward(p, x)
	if err != nil {
		return nil, nil, err
	}
	for _, st := range n.layers {
		z, err := st.forward(p, y)
		drop(y)
		if err != nil {
			return nil, nil, err
		}
		y = z
	}
	return finishForward(n, p, y)
}
