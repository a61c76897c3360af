package train

import (
	"math"

	"github.com/occfer/occfer/train/loader"
)

// CAM is a class activation map, as in FFRA-Net's Fig. 6: for the networks whose head is
// global average pooling then a linear layer (ResNets, FFRA-Net, MobileNetV2) the fc weights
// of one class times the last conv feature map, summed over channels (Zhou et al. 2016), so
// the map's mean plus the class bias is that class's logit; for VGG-16 Grad-CAM on
// features.29 (model.ClassActivation says which: Method and Layer).
type CAM struct {
	Class  int       // class the map explains
	W, H   int       // map size (7x7 at 224 input, 4x4 at 112; VGG-16: 14x14 / 7x7)
	Map    []float32 // row-major H x W
	Probs  []float32 // softmax over classes for the image
	Layer  string    // feature layer the map is computed on
	Method string    // "cam" or "grad-cam"
}

// ClassActivation computes the CAM of img for class (or the predicted class when class < 0).
func (p *Predictor) ClassActivation(img *loader.RGB, class int) (c *CAM, err error) {
	defer recovered("class activation map", &err)
	x, err := p.input([]*loader.RGB{img})
	if err != nil {
		return nil, err
	}
	defer x.Drop()
	a, err := p.Model.ClassActivation(x, class)
	if err != nil {
		return nil, err
	}
	return &CAM{Class: a.Class, W: a.W, H: a.H, Map: a.Map, Probs: softmax(a.Logits), Layer: a.Layer, Method: a.Method}, nil
}

// softmax in float64 (the logits of one image).
func softmax(logits []float32) []float32 {
	maxv := math.Inf(-1)
	for _, v := range logits {
		maxv = math.Max(maxv, float64(v))
	}
	var sum float64
	e := make([]float64, len(logits))
	for i, v := range logits {
		e[i] = math.Exp(float64(v) - maxv)
		sum += e[i]
	}
	out := make([]float32, len(logits))
	for i := range e {
		out[i] = float32(e[i] / sum)
	}
	return out
}
