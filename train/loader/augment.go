package loader

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// ImageNet statistics (spec section 10): the MS-Celeb ResNet-18 was trained with them, and
// every RAF-DB anchor except MA-Net and DACL normalises with them.
var (
	Mean = [3]float32{0.485, 0.456, 0.406}
	Std  = [3]float32{0.229, 0.224, 0.225}
)

// Aug is the training augmentation, modelled on the SCN / MA-Net RAF-DB recipes (spec
// section 10). Every step can be switched off; with all off a training image is treated like
// an evaluation image (resize the whole image to the input size).
type Aug struct {
	// Crop enables torchvision's RandomResizedCrop: a box covering a random fraction
	// [ScaleMin,ScaleMax] of the area with aspect ratio in [RatioMin,RatioMax] (sampled
	// log-uniformly), 10 tries, then a centre crop. MA-Net: scale 0.08..1, ratio 3/4..4/3.
	Crop               bool
	ScaleMin, ScaleMax float64
	RatioMin, RatioMax float64
	// Flip mirrors horizontally with probability 1/2 (all anchors).
	Flip bool
	// Brightness, Contrast, Saturation: torchvision ColorJitter strengths (factor drawn from
	// [max(0,1-s), 1+s]), applied in a random order; 0 disables each. Not used by the anchors.
	Brightness, Contrast, Saturation float64
	// EraseP is torchvision RandomErasing's probability (0 disables); the erased box covers
	// EraseScaleMin..EraseScaleMax of the area with aspect 0.3..3.3 and is set to 0 after
	// normalisation (the mean colour). SCN/RUL/EAC: p 0.5, scale 0.02..0.25.
	EraseP                       float64
	EraseScaleMin, EraseScaleMax float64
}

// DefaultAug is the spec's recommended reproduction recipe: RandomResizedCrop + horizontal
// flip, no colour jitter, no erasing (erasing is an opt-in, e.g. --erase 0.5).
func DefaultAug() Aug {
	return Aug{
		Crop: true, ScaleMin: 0.08, ScaleMax: 1, RatioMin: 3.0 / 4, RatioMax: 4.0 / 3,
		Flip:          true,
		EraseScaleMin: 0.02, EraseScaleMax: 0.25,
	}
}

// Validate rejects settings that would make the sampling loops meaningless.
func (a Aug) Validate() error {
	if a.Crop {
		if !(a.ScaleMin > 0 && a.ScaleMin <= a.ScaleMax && a.ScaleMax <= 1) { // NaN fails too
			return fmt.Errorf("crop scale range [%g,%g] must satisfy 0 < min <= max <= 1", a.ScaleMin, a.ScaleMax)
		}
		if !(a.RatioMin > 0 && a.RatioMin <= a.RatioMax) || math.IsInf(a.RatioMax, 0) {
			return fmt.Errorf("crop ratio range [%g,%g] must satisfy 0 < min <= max", a.RatioMin, a.RatioMax)
		}
	}
	for _, v := range []struct {
		name string
		v    float64
	}{{"brightness", a.Brightness}, {"contrast", a.Contrast}, {"saturation", a.Saturation}} {
		if !(v.v >= 0) || math.IsInf(v.v, 0) {
			return fmt.Errorf("colour jitter %s %g must be finite and >= 0", v.name, v.v)
		}
	}
	if !(a.EraseP >= 0 && a.EraseP <= 1) {
		return fmt.Errorf("erase probability %g must be in [0,1]", a.EraseP)
	}
	if a.EraseP > 0 && !(a.EraseScaleMin > 0 && a.EraseScaleMin <= a.EraseScaleMax && a.EraseScaleMax < 1) {
		return fmt.Errorf("erase scale range [%g,%g] must satisfy 0 < min <= max < 1", a.EraseScaleMin, a.EraseScaleMax)
	}
	return nil
}

// Scratch is per-worker reusable memory.
type Scratch struct{ buf []float32 }

// Transform writes the network input for src into dst (len 3*size*size, CHW, normalised).
// aug == nil is the evaluation transform (whole image resized to size). rng must be the
// item's own generator; the draws happen in a fixed order, so the result depends only on
// (src, aug, rng seed).
func Transform(src *RGB, size int, aug *Aug, rng *rand.Rand, dst []float32, s *Scratch) {
	box := Box{0, 0, float64(src.W), float64(src.H)}
	flip := false
	if aug != nil {
		if aug.Crop {
			box = randomResizedCrop(src.W, src.H, aug, rng)
		}
		if aug.Flip {
			flip = rng.IntN(2) == 1
		}
	}
	s.buf = ResizeCHW(src, box, size, flip, dst, s.buf)
	if aug != nil && (aug.Brightness > 0 || aug.Contrast > 0 || aug.Saturation > 0) {
		colorJitter(dst, size, aug, rng)
	}
	Normalize(dst, size)
	if aug != nil && aug.EraseP > 0 && rng.Float64() < aug.EraseP {
		randomErase(dst, size, aug, rng)
	}
}

// Normalize maps planar [0,1] RGB to (x-mean)/std in place.
func Normalize(dst []float32, size int) {
	plane := size * size
	for c := 0; c < 3; c++ {
		m, inv := Mean[c], 1/Std[c]
		p := dst[c*plane : (c+1)*plane]
		for i := range p {
			p[i] = (p[i] - m) * inv
		}
	}
}

// randomResizedCrop follows torchvision.transforms.RandomResizedCrop.get_params.
func randomResizedCrop(w, h int, a *Aug, rng *rand.Rand) Box {
	area := float64(w * h)
	lr0, lr1 := math.Log(a.RatioMin), math.Log(a.RatioMax)
	for try := 0; try < 10; try++ {
		target := area * (a.ScaleMin + rng.Float64()*(a.ScaleMax-a.ScaleMin))
		aspect := math.Exp(lr0 + rng.Float64()*(lr1-lr0))
		cw := int(math.Round(math.Sqrt(target * aspect)))
		ch := int(math.Round(math.Sqrt(target / aspect)))
		if cw > 0 && cw <= w && ch > 0 && ch <= h {
			y := rng.IntN(h - ch + 1)
			x := rng.IntN(w - cw + 1)
			return Box{float64(x), float64(y), float64(cw), float64(ch)}
		}
	}
	// Fallback: the largest centred box whose ratio is inside the range.
	ratio := float64(w) / float64(h)
	cw, ch := w, h
	if ratio < a.RatioMin {
		ch = int(math.Round(float64(w) / a.RatioMin))
	} else if ratio > a.RatioMax {
		cw = int(math.Round(float64(h) * a.RatioMax))
	}
	return Box{float64((w - cw) / 2), float64((h - ch) / 2), float64(cw), float64(ch)}
}

// colorJitter applies brightness, contrast and saturation (torchvision semantics, on [0,1]
// values) in a random order.
func colorJitter(d []float32, size int, a *Aug, rng *rand.Rand) {
	plane := size * size
	r, g, b := d[:plane], d[plane:2*plane], d[2*plane:]
	factor := func(s float64) float32 { return float32(math.Max(0, 1-s) + rng.Float64()*(1+s-math.Max(0, 1-s))) }
	gray := func(i int) float32 { return 0.299*r[i] + 0.587*g[i] + 0.114*b[i] }
	for _, op := range rng.Perm(3) {
		switch op {
		case 0:
			if a.Brightness > 0 {
				f := factor(a.Brightness)
				for i := range d {
					d[i] = clamp01(d[i] * f)
				}
			}
		case 1:
			if a.Contrast > 0 {
				f := factor(a.Contrast)
				var sum float64
				for i := 0; i < plane; i++ {
					sum += float64(gray(i))
				}
				m := float32(sum/float64(plane)) * (1 - f)
				for i := range d {
					d[i] = clamp01(d[i]*f + m)
				}
			}
		case 2:
			if a.Saturation > 0 {
				f := factor(a.Saturation)
				for i := 0; i < plane; i++ {
					gy := gray(i) * (1 - f)
					r[i] = clamp01(r[i]*f + gy)
					g[i] = clamp01(g[i]*f + gy)
					b[i] = clamp01(b[i]*f + gy)
				}
			}
		}
	}
}

// randomErase follows torchvision.transforms.RandomErasing (value 0, after normalisation).
func randomErase(d []float32, size int, a *Aug, rng *rand.Rand) {
	area := float64(size * size)
	lr0, lr1 := math.Log(0.3), math.Log(3.3)
	for try := 0; try < 10; try++ {
		target := area * (a.EraseScaleMin + rng.Float64()*(a.EraseScaleMax-a.EraseScaleMin))
		aspect := math.Exp(lr0 + rng.Float64()*(lr1-lr0))
		eh := int(math.Round(math.Sqrt(target * aspect)))
		ew := int(math.Round(math.Sqrt(target / aspect)))
		if eh < size && ew < size && eh > 0 && ew > 0 {
			y0 := rng.IntN(size - eh + 1)
			x0 := rng.IntN(size - ew + 1)
			plane := size * size
			for c := 0; c < 3; c++ {
				for y := y0; y < y0+eh; y++ {
					row := d[c*plane+y*size+x0 : c*plane+y*size+x0+ew]
					for i := range row {
						row[i] = 0
					}
				}
			}
			return
		}
	}
}
