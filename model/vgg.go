package model

import (
	"fmt"

	"github.com/sugarme/gotch/ts"

	"github.com/occfer/occfer/model/ffranet"
)

// vgg16Layers is torchvision's configuration "D": output channels of each
// 3x3 conv (padding 1, bias, ReLU), 0 for a 2x2 max pool. Module indices in
// features count the ReLUs and pools too (conv k at features.{index}).
var vgg16Layers = []int64{64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0}

// vgg16Dropout is torchvision's default dropout probability in the classifier.
const vgg16Dropout = 0.5

// vggNet is torchvision's vgg16 (no BatchNorm): features, AdaptiveAvgPool2d
// to 7x7, classifier Linear(25088,4096)-ReLU-Dropout-Linear(4096,4096)-ReLU-
// Dropout-Linear(4096,classes) at classifier.0/.3/.6.
type vggNet struct {
	convs    []*conv2d // in order; a nil entry is a max pool
	names    []string  // features.{index} of each conv's ReLU or of the pool
	fc1, fc2 *linear
	fc3      *linear
}

func newVGG16(b *builder, cfg ffranet.Config) (*vggNet, error) {
	n := &vggNet{}
	in, idx := int64(3), 0
	for _, out := range vgg16Layers {
		if out == 0 {
			n.convs, n.names = append(n.convs, nil), append(n.names, fmt.Sprintf("features.%d", idx))
			idx++
			continue
		}
		c, err := newConvG(b, fmt.Sprintf("features.%d", idx), in, out, 3, 1, 1, 1, true)
		if err != nil {
			return nil, err
		}
		n.convs, n.names = append(n.convs, c), append(n.names, fmt.Sprintf("features.%d", idx+1))
		in, idx = out, idx+2
	}
	var err error
	if n.fc1, err = newLinearNormal(b, "classifier.0", 512*7*7, 4096); err != nil {
		return nil, err
	}
	if n.fc2, err = newLinearNormal(b, "classifier.3", 4096, 4096); err != nil {
		return nil, err
	}
	if n.fc3, err = newLinearNormal(b, "classifier.6", 4096, int64(cfg.NumClasses)); err != nil {
		return nil, err
	}
	return n, nil
}

// featureLayer is the ReLU after conv5_3: the last conv output, before the
// final max pool (14x14 at 224 input).
func (n *vggNet) featureLayer() string { return n.names[len(n.names)-2] }
func (n *vggNet) linearHead() *linear  { return nil }

func (n *vggNet) forward(p *pass, x *ts.Tensor) (logits, features *ts.Tensor, err error) {
	y := x
	last := len(n.convs) - 1 // the final pool belongs to the head
	for i, c := range n.convs[:last] {
		z, err := vggLayer(p, c, y, n.names[i])
		if y != x {
			drop(y)
		}
		if err != nil {
			return nil, nil, err
		}
		y = z
	}
	return finishForward(n, p, y)
}

// vggLayer is conv+ReLU (c non-nil) or a 2x2 max pool; it does not consume x.
func vggLayer(p *pass, c *conv2d, x *ts.Tensor, name string) (*ts.Tensor, error) {
	if c == nil {
		y, err := x.MaxPool2d([]int64{2, 2}, []int64{2, 2}, []int64{0, 0}, []int64{1, 1}, false, false)
		if err != nil {
			return nil, fmt.Errorf("%s maxpool: %w", name, err)
		}
		return y, p.record(name, "MaxPool2d", y)
	}
	y, err := c.forward(p, x)
	if err != nil {
		return nil, err
	}
	if y, err = relu(y, c.name); err != nil {
		return nil, err
	}
	return y, p.record(c.name, "Conv2d+ReLU", y)
}

// headFrom is features.30 (max pool), avgpool to 7x7, flatten, classifier.
func (n *vggNet) headFrom(p *pass, features *ts.Tensor) (*ts.Tensor, error) {
	pooled, err := vggLayer(p, nil, features, n.names[len(n.names)-1])
	if err != nil {
		return nil, err
	}
	avg, err := pooled.AdaptiveAvgPool2d([]int64{7, 7}, true)
	if err != nil {
		return nil, fmt.Errorf("avgpool: %w", err)
	}
	if err := p.record("avgpool", "AdaptiveAvgPool2d", avg); err != nil {
		drop(avg)
		return nil, err
	}
	y, err := avg.Flatten(1, -1, true)
	if err != nil {
		return nil, fmt.Errorf("flatten: %w", err)
	}
	for _, fc := range []*linear{n.fc1, n.fc2} {
		z, err := fc.forward(p, y)
		drop(y)
		if err != nil {
			return nil, err
		}
		if z, err = relu(z, fc.name); err != nil {
			return nil, err
		}
		if y, err = dropout(p, z, vgg16Dropout, fc.name); err != nil {
			return nil, err
		}
	}
	out, err := n.fc3.forward(p, y)
	drop(y)
	if err != nil {
		return nil, err
	}
	return out, p.record("classifier", "Sequential", out)
}
