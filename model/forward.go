package model

import (
	"fmt"

	"github.com/sugarme/gotch/ts"
)

// Forward runs the model on x [B,3,H,W] and returns logits [B,classes].
// train selects BatchNorm's batch statistics (and updates its running stats)
// and switches dropout on (VGG-16, MobileNetV2); wrap eval calls in ts.NoGrad
// or use Predict when no gradient is needed.
// x is not consumed; the caller drops the result.
func (m *Model) Forward(x *ts.Tensor, train bool) (*ts.Tensor, error) {
	logits, feat, err := m.ForwardFeatures(x, train)
	if err != nil {
		return nil, err
	}
	drop(feat)
	return logits, nil
}

// ForwardFeatures also returns the last conv feature map before the head
// ([B,C,h,w]; see FeatureLayer). For the networks whose head is global
// average pooling then one linear layer (all but VGG-16), a class activation
// map for class k is sum_c W[k,c] * features[:,c], W the classifier's weight.
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
		p.masks = newMaskSource(m.seed, m.batchesTracked)
	}
	return m.net.forward(p, x)
}

// gapLinear is global average pool -> flatten -> fc, the head of the ResNets,
// FFRA-Net and (after its dropout) MobileNetV2. It does not consume z.
func gapLinear(p *pass, z *ts.Tensor, fc *linear, dropP float64) (*ts.Tensor, error) {
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
	if dropP > 0 {
		if flat, err = dropout(p, flat, dropP, fc.name+" input"); err != nil {
			return nil, err
		}
	}
	out, err := fc.forward(p, flat)
	drop(flat)
	if err != nil {
		return nil, err
	}
	return out, p.record(fc.name, "Linear", out)
}
