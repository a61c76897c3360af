package occlusion

import (
	"math"
	"math/rand/v2"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/landmarks"
	"github.com/occfer/occfer/warp"
)

// overlay draws template t (or its yaw variant) on face f with warp's realistic compositing,
// adds what it covered to the canvas mask, and records template and transform.
func (r *runner) overlay(img gocv.Mat, cv *canvas, f landmarks.Face, t *warp.Template, rng *rand.Rand, fr FaceRecord) (FaceRecord, error) {
	res, err := warp.Apply(img, f.Points, t, warp.DefaultOptions(), rng)
	if err != nil {
		return fr, err
	}
	for i, v := range res.Mask.Pix {
		if v >= 128 {
			cv.occ.Pix[i] = 255
		}
	}
	drawn := res.Template
	fr.Template = &TemplateInfo{Name: drawn.Name, Style: drawn.Style, Color: drawn.Colour,
		Texture: templateTexture(drawn), Variant: drawn.Variant}
	// The drawn transforms: one 3x3, or the left and right halves of a piecewise fit.
	for _, m := range res.Pieces {
		for _, row := range m {
			for _, v := range row {
				fr.Transform = append(fr.Transform, round6(v))
			}
		}
	}
	return fr, nil
}

func round6(v float64) float64 { return math.Round(v*1e6) / 1e6 }
