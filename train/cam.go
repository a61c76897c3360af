package train

import (
	"fmt"

	"github.com/occfer/occfer/train/loader"
)

// CAM is a class activation map (Zhou et al. 2016), as in FFRA-Net's Fig. 6: the fc weights
// of one class times the last conv feature map (layer4's output), summed over channels.
// Because the head is global average pooling followed by a linear layer, the map's mean plus
// the class bias is exactly that class's logit.
type CAM struct {
	Class int       // class the map explains
	W, H  int       // map size (7x7 at 224 input, 4x4 at 112)
	Map   []float32 // row-major H x W
	Probs []float32 // softmax over classes for the image
}

// ClassActivation computes the CAM of img for class (or the predicted class when class < 0).
func (p *Predictor) ClassActivation(img *loader.RGB, class int) (c *CAM, err error) {
	defer recovered("class activation map", &err)
	x, err := p.input([]*loader.RGB{img})
	if err != nil {
		return nil, err
	}
	defer x.Drop()
	err = noGrad(func() error {
		logits, feat, err := p.Model.ForwardFeatures(x, false)
		if err != nil {
			return torchErr("forward", err)
		}
		defer logits.Drop()
		defer feat.Drop()
		rows, err := softmaxRows(logits, len(p.Classes))
		if err != nil {
			return err
		}
		c = &CAM{Probs: rows[0], Class: class}
		if class < 0 {
			c.Class = Argmax(rows[0])
		} else if class >= len(p.Classes) {
			return fmt.Errorf("class %d out of range (%d classes)", class, len(p.Classes))
		}
		dims, err := feat.Size()
		if err != nil || len(dims) != 4 {
			return fmt.Errorf("feature map shape %v: %v", dims, err)
		}
		fh, err := toHost(feat) // [1,C,h,w]
		if err != nil {
			return torchErr("features", err)
		}
		wt, err := toHost(p.Model.FCWeight()) // [classes, C]
		if err != nil {
			return torchErr("fc weight", err)
		}
		ch, h, w := int(dims[1]), int(dims[2]), int(dims[3])
		if len(wt) != len(p.Classes)*ch {
			return fmt.Errorf("fc weight has %d values, want %d x %d", len(wt), len(p.Classes), ch)
		}
		c.W, c.H, c.Map = w, h, make([]float32, h*w)
		row := wt[c.Class*ch : (c.Class+1)*ch]
		for k := 0; k < ch; k++ {
			plane := fh[k*h*w : (k+1)*h*w]
			for i, v := range plane {
				c.Map[i] += row[k] * v
			}
		}
		return nil
	})
	return c, err
}
