package model

import (
	"fmt"

	"github.com/occfer/occfer/internal/scores"
	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"
)

// Class activation map methods (ActivationMap.Method).
const (
	// MethodCAM is Zhou et al. 2016: sum_c W[k,c] * A_c for a head that is
	// global average pooling then one linear layer W; the map's mean plus the
	// class bias is exactly the class logit (FFRA-Net paper, Fig. 6).
	MethodCAM = "cam"
	// MethodGradCAM is Selvaraju et al. 2017: sum_c alpha_c * A_c with alpha_c
	// the spatial mean of d logit_k / d A_c, for heads that are not linear in
	// the pooled features (VGG-16's three-layer classifier). For a linear head
	// it equals CAM divided by h*w.
	MethodGradCAM = "grad-cam"
)

// ActivationMap is the class activation map of one image.
type ActivationMap struct {
	Class  int       // the class explained
	Layer  string    // the feature layer (FeatureLayer)
	Method string    // MethodCAM or MethodGradCAM
	W, H   int       // map size: the feature map's (7x7 at 224 for the ResNets and MobileNetV2, 14x14 for VGG-16)
	Map    []float32 // row-major H x W, signed (callers clamp negative evidence)
	Logits []float32 // the image's logits [classes]
}

// ClassActivation computes the map of x [1,3,S,S] for class (the predicted
// class when class < 0) in eval mode. Parameter gradients are not touched.
func (m *Model) ClassActivation(x *ts.Tensor, class int) (a *ActivationMap, err error) {
	defer recoverInto(&err, "class activation map")
	shape, err := x.Size()
	if err != nil || len(shape) != 4 || shape[0] != 1 {
		return nil, fmt.Errorf("class activation map: want one image [1,3,S,S], got %v (%v)", shape, err)
	}
	var logits, feat *ts.Tensor
	if err := noGrad(func() error {
		logits, feat, err = m.run(&pass{}, x)
		return err
	}); err != nil {
		return nil, err
	}
	defer drop(logits, feat)
	a = &ActivationMap{Layer: m.net.featureLayer(), Class: class}
	if a.Logits, err = hostValues(logits); err != nil {
		return nil, fmt.Errorf("class activation map: %w", err)
	}
	if class < 0 {
		a.Class = scores.Argmax(a.Logits)
	} else if class >= len(a.Logits) {
		return nil, fmt.Errorf("class activation map: class %d out of range (%d classes)", class, len(a.Logits))
	}
	dims, err := feat.Size()
	if err != nil {
		return nil, fmt.Errorf("class activation map: %w", err)
	}
	ch, h, w := int(dims[1]), int(dims[2]), int(dims[3])
	a.H, a.W = h, w
	var weights []float32 // one per channel
	if fc := m.net.linearHead(); fc != nil {
		a.Method = MethodCAM
		all, err := hostValues(fc.w)
		if err != nil {
			return nil, fmt.Errorf("class activation map: %w", err)
		}
		weights = all[a.Class*ch : (a.Class+1)*ch]
	} else {
		a.Method = MethodGradCAM
		if weights, err = m.gradCAMWeights(feat, a.Class); err != nil {
			return nil, err
		}
	}
	fh, err := hostValues(feat)
	if err != nil {
		return nil, fmt.Errorf("class activation map: %w", err)
	}
	a.Map = make([]float32, h*w)
	for k := 0; k < ch; k++ {
		plane := fh[k*h*w : (k+1)*h*w]
		for i, v := range plane {
			a.Map[i] += weights[k] * v
		}
	}
	return a, nil
}

// gradCAMWeights returns alpha_c = mean_hw d logit_class / d A_c, running the
// head on a detached copy of the features with torch.autograd.grad semantics
// (no gradient is accumulated into parameters).
func (m *Model) gradCAMWeights(feat *ts.Tensor, class int) (alpha []float32, err error) {
	err = withGrad(func() error {
		a, err := feat.Detach(false)
		if err != nil {
			return err
		}
		defer drop(a)
		if err := a.RequiresGrad_(true); err != nil {
			return err
		}
		logits, err := m.net.headFrom(&pass{}, a)
		if err != nil {
			return err
		}
		defer drop(logits)
		row, err := logits.Select(0, 0, false)
		if err != nil {
			return err
		}
		defer drop(row)
		sel, err := row.Select(0, int64(class), false)
		if err != nil {
			return err
		}
		defer drop(sel)
		grads, err := ts.RunBackward([]*ts.Tensor{sel}, []*ts.Tensor{a}, false, false)
		if err != nil {
			return err
		}
		defer drop(grads...)
		mean, err := grads[0].MeanDim([]int64{2, 3}, false, gotch.Float, false)
		if err != nil {
			return err
		}
		defer drop(mean)
		alpha, err = hostValues(mean)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("grad-cam: %w", err)
	}
	return alpha, nil
}

// hostValues copies a float32 tensor to a Go slice.
func hostValues(x *ts.Tensor) ([]float32, error) {
	c, err := x.To(gotch.CPU, false)
	if err != nil {
		return nil, err
	}
	defer drop(c)
	c2, err := c.Contiguous(false)
	if err != nil {
		return nil, err
	}
	defer drop(c2)
	n := c2.Numel()
	out := make([]float32, n)
	if n == 0 {
		return out, nil
	}
	if err := c2.CopyData(out, n); err != nil {
		return nil, err
	}
	return out, nil
}
