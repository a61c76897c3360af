package occlusion

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"
)

// donorFunc returns the pixels of a patch of size w x h cut from another image of the
// dataset (BGR, stride 3*w) and that image's rel path, chosen with rng. ok is false when the
// dataset has no usable donor; the occluder then falls back to noise.
type donorFunc func(rng *rand.Rand, w, h int) (pix []uint8, rel string, ok bool)

// drawRandom draws MinCount..MaxCount occluders over face on cv, using only rng, and returns
// what it drew in drawing order.
func drawRandom(cv *canvas, face image.Rectangle, rng *rand.Rand, cfg RandomConfig, donor donorFunc) []Occluder {
	n := cfg.MinCount + rng.IntN(cfg.MaxCount-cfg.MinCount+1)
	out := make([]Occluder, 0, n)
	for i := 0; i < n; i++ {
		typ := cfg.Types[rng.IntN(len(cfg.Types))]
		box := occluderBox(face, rng, cfg)
		occ := Occluder{Type: typ}
		var layers []layer
		switch typ {
		case OccSolid:
			c := randomColour(rng)
			occ.Color = hexColour(c)
			layers = []layer{{rect(box), solid(c)}}
		case OccPatch:
			pix, rel, ok := donor(rng, box.Dx(), box.Dy())
			if ok {
				occ.Donor = rel
				layers = []layer{{rect(box), bufferFill(box, pix)}}
				break
			}
			occ.Type = OccNoise // a one-image dataset has nothing to cut from
			fallthrough
		case OccNoise:
			layers = []layer{{rect(box), bufferFill(box, noisePixels(rng, box.Dx(), box.Dy()))}}
		case OccHand:
			layers, occ.Color = handLayers(box, rng)
		case OccCup:
			layers, occ.Color = cupLayers(box, rng)
		case OccPhone:
			layers, occ.Color = phoneLayers(box, rng)
		case OccHair:
			layers, occ.Color = hairLayers(box, rng)
		case OccScarf:
			layers, occ.Color = scarfLayers(box, rng)
		}
		cv.paint(box, layers)
		occ.Box = clipBox(box, cv.w, cv.h)
		out = append(out, occ)
	}
	return out
}

// occluderBox draws a box whose area is a uniform fraction of the face box's, with an aspect
// ratio log-uniform in [1/2, 2], placed uniformly so that it lies inside the face box.
func occluderBox(face image.Rectangle, rng *rand.Rand, cfg RandomConfig) image.Rectangle {
	fw, fh := float64(face.Dx()), float64(face.Dy())
	area := fw * fh * (cfg.MinArea + rng.Float64()*(cfg.MaxArea-cfg.MinArea))
	aspect := math.Exp((rng.Float64()*2 - 1) * math.Ln2)
	w := math.Max(2, math.Min(fw, math.Sqrt(area*aspect)))
	h := math.Max(2, math.Min(fh, math.Sqrt(area/aspect)))
	x0 := float64(face.Min.X) + rng.Float64()*math.Max(0, fw-w)
	y0 := float64(face.Min.Y) + rng.Float64()*math.Max(0, fh-h)
	return image.Rect(int(math.Round(x0)), int(math.Round(y0)), int(math.Round(x0+w)), int(math.Round(y0+h)))
}

func clipBox(b image.Rectangle, w, h int) [4]int {
	b = b.Intersect(image.Rect(0, 0, w, h))
	return [4]int{b.Min.X, b.Min.Y, b.Max.X, b.Max.Y}
}

func randomColour(rng *rand.Rand) bgr {
	return bgr{uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256))}
}

func hexColour(c bgr) string { return fmt.Sprintf("#%02x%02x%02x", c[2], c[1], c[0]) }

func noisePixels(rng *rand.Rand, w, h int) []uint8 {
	pix := make([]uint8, 3*w*h)
	for i := range pix {
		pix[i] = uint8(rng.IntN(256))
	}
	return pix
}

// bufferFill reads a BGR buffer laid over box.
func bufferFill(box image.Rectangle, pix []uint8) func(x, y int) bgr {
	w := box.Dx()
	return func(x, y int) bgr {
		o := 3 * ((y-box.Min.Y)*w + (x - box.Min.X))
		return bgr{pix[o], pix[o+1], pix[o+2]}
	}
}

// grain adds a fixed per-pixel variation of +-amp to a colour, so drawn objects are not
// perfectly flat (flat fills are trivially easy for a network to spot and ignore). It hashes
// the pixel position, so it needs no RNG state.
func grain(c bgr, amp int) func(x, y int) bgr {
	return func(x, y int) bgr {
		h := uint32(x)*0x9E3779B1 ^ uint32(y)*0x85EBCA77
		h ^= h >> 15
		d := int(h%uint32(2*amp+1)) - amp
		return bgr{clamp8(int(c[0]) + d), clamp8(int(c[1]) + d), clamp8(int(c[2]) + d)}
	}
}

func clamp8(v int) uint8 {
	if v < 0 {
		return 0
	}
	if v > 255 {
		return 255
	}
	return uint8(v)
}

func jitter(c bgr, rng *rand.Rand, amp int) bgr {
	return bgr{clamp8(int(c[0]) + rng.IntN(2*amp+1) - amp), clamp8(int(c[1]) + rng.IntN(2*amp+1) - amp), clamp8(int(c[2]) + rng.IntN(2*amp+1) - amp)}
}

func darker(c bgr, f float64) bgr {
	return bgr{uint8(float64(c[0]) * f), uint8(float64(c[1]) * f), uint8(float64(c[2]) * f)}
}
