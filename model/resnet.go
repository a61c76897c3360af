package model

import (
	"fmt"

	"github.com/sugarme/gotch/ts"
)

// basicBlock is torchvision's BasicBlock (expansion 1):
// relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)).
type basicBlock struct {
	name       string
	conv1      *conv2d
	bn1        *batchNorm2d
	conv2      *conv2d
	bn2        *batchNorm2d
	downConv   *conv2d // nil for an identity shortcut
	downBN     *batchNorm2d
	downNeeded bool
}

func newBasicBlock(b *builder, name string, in, out, stride int64) (*basicBlock, error) {
	blk := &basicBlock{name: name}
	var err error
	if blk.conv1, err = newConv(b, name+".conv1", in, out, 3, stride, 1); err != nil {
		return nil, err
	}
	if blk.bn1, err = newBN(b, name+".bn1", out, 1); err != nil {
		return nil, err
	}
	if blk.conv2, err = newConv(b, name+".conv2", out, out, 3, 1, 1); err != nil {
		return nil, err
	}
	if blk.bn2, err = newBN(b, name+".bn2", out, 1); err != nil {
		return nil, err
	}
	if stride != 1 || in != out {
		blk.downNeeded = true
		if blk.downConv, err = newConv(b, name+".downsample.0", in, out, 1, stride, 0); err != nil {
			return nil, err
		}
		if blk.downBN, err = newBN(b, name+".downsample.1", out, 1); err != nil {
			return nil, err
		}
	}
	return blk, nil
}

func (blk *basicBlock) forward(p *pass, x *ts.Tensor) (*ts.Tensor, error) {
	y2, err := convBN(p, blk.conv1, blk.bn1, x)
	if err != nil {
		return nil, err
	}
	if y2, err = relu(y2, blk.name); err != nil {
		return nil, err
	}
	y4, err := convBN(p, blk.conv2, blk.bn2, y2)
	drop(y2)
	if err != nil {
		return nil, err
	}
	short := x
	if blk.downNeeded {
		short, err = convBN(p, blk.downConv, blk.downBN, x)
		if err != nil {
			drop(y4)
			return nil, err
		}
		defer drop(short)
	}
	sum, err := y4.Add(short, true)
	if err != nil {
		return nil, fmt.Errorf("%s residual: %w", blk.name, err)
	}
	out, err := relu(sum, blk.name)
	if err != nil {
		return nil, err
	}
	return out, p.record(blk.name, "BasicBlock", out)
}

// resBlock is a residual block (BasicBlock or Bottleneck); forward does not
// consume x.
type resBlock interface {
	forward(p *pass, x *ts.Tensor) (*ts.Tensor, error)
	onnx(e *onnxEmitter, x string) string
}

// stage is torchvision's layerK: residual blocks, the first with the stride.
type stage struct {
	name   string
	blocks []resBlock
}

// newStage is ResNet-18's layerK: two BasicBlocks.
func newStage(b *builder, name string, in, out, stride int64) (*stage, error) {
	first, err := newBasicBlock(b, name+".0", in, out, stride)
	if err != nil {
		return nil, err
	}
	second, err := newBasicBlock(b, name+".1", out, out, 1)
	if err != nil {
		return nil, err
	}
	return &stage{name: name, blocks: []resBlock{first, second}}, nil
}

// forward does not consume x.
func (s *stage) forward(p *pass, x *ts.Tensor) (*ts.Tensor, error) {
	y := x
	for i, blk := range s.blocks {
		z, err := blk.forward(p, y)
		if i > 0 {
			drop(y)
		}
		if err != nil {
			return nil, err
		}
		y = z
	}
	return y, p.record(s.name, "Sequential", y)
}

// stem is conv1 (7x7/2) -> bn1 -> relu -> maxpool (3x3/2, pad 1).
type stem struct {
	conv1 *conv2d
	bn1   *batchNorm2d
}

func newStem(b *builder) (*stem, error) {
	c, err := newConv(b, "conv1", 3, 64, 7, 2, 3)
	if err != nil {
		return nil, err
	}
	n, err := newBN(b, "bn1", 64, 1)
	if err != nil {
		return nil, err
	}
	return &stem{conv1: c, bn1: n}, nil
}

func (s *stem) forward(p *pass, x *ts.Tensor) (*ts.Tensor, error) {
	y, err := s.conv1.forward(p, x)
	if err != nil {
		return nil, err
	}
	if err := p.record("conv1", "Conv2d", y); err != nil {
		drop(y)
		return nil, err
	}
	z, err := s.bn1.forward(p, y)
	drop(y)
	if err != nil {
		return nil, err
	}
	if z, err = relu(z, "bn1"); err != nil {
		return nil, err
	}
	if err := p.record("bn1", "BatchNorm2d+ReLU", z); err != nil {
		drop(z)
		return nil, err
	}
	m, err := z.MaxPool2d([]int64{3, 3}, []int64{2, 2}, []int64{1, 1}, []int64{1, 1}, false, true)
	if err != nil {
		return nil, fmt.Errorf("maxpool: %w", err)
	}
	return m, p.record("maxpool", "MaxPool2d", m)
}
