package warp

import (
	"image"
	"math/rand/v2"

	"github.com/occfer/occfer/landmarks/face68"
)

// shading is the overlay's colour gain: the global exposure gain (face mean luma against
// skinReferenceLuma) times, where the face's light was measured, its relative illumination
// at the pixel (lightMap, shade.go), so an overlay on a face lit from one side is lit from
// that side too and shaded where the face is.
type shading struct {
	gain  float64
	light *lightMap // nil: the global gain alone
}

func newShading(st faceStats, pix []uint8, w, h int, face *face68.Shape, roi image.Rectangle) shading {
	return shading{gain: clamp(st.mean/skinReferenceLuma, minGain, maxGain), light: newLightMap(pix, w, h, face, roi)}
}

// composite blends the premultiplied BGRA overlay (roi-sized) over the BGR
// image: out = P exposed by the gain (rollOff) + n·α + dst·(1 − α), and marks α ≥ ½ in mask. Noise is
// luma-only (one draw per drawn pixel, in row-major order, so the rng
// sequence is deterministic).
func composite(pix []uint8, w int, ov []uint8, roi image.Rectangle, sh shading, noise float64, rng *rand.Rand, mask Mask) {
	rw := roi.Dx()
	gains := make([]float64, rw)
	for i := range gains {
		gains[i] = sh.gain
	}
	for y := 0; y < roi.Dy(); y++ {
		iy := y + roi.Min.Y
		if sh.light != nil {
			sh.light.row(iy, roi.Min.X, sh.gain, gains)
		}
		orow := ov[y*rw*4 : (y+1)*rw*4]
		drow := pix[(iy*w+roi.Min.X)*3:]
		mrow := mask.Pix[iy*w+roi.Min.X:]
		for x := 0; x < rw; x++ {
			A := orow[4*x+3]
			if A == 0 {
				continue
			}
			a := float64(A) * (1.0 / 255)
			n := 0.0
			if noise > 0 {
				n = noise * rng.NormFloat64() * a
			}
			d := drow[3*x : 3*x+3 : 3*x+3]
			o := orow[4*x : 4*x+3 : 4*x+3]
			g, keep := gains[x], 1-a
			if g <= 1 {
				for c := range 3 {
					d[c] = to8(float64(o[c])*g + n + float64(d[c])*keep)
				}
			} else {
				k := rollOff(g, a)
				for c := range 3 {
					p := float64(o[c])
					d[c] = to8(g*p/(1+k*p) + n + float64(d[c])*keep)
				}
			}
			if A >= 128 {
				mrow[x] = 255
			}
		}
	}
}

// to8 rounds and saturates to a byte.
func to8(v float64) uint8 {
	switch {
	case v <= 0:
		return 0
	case v >= 254.5:
		return 255
	}
	return uint8(v + 0.5)
}

// rollOff is the exposure's highlight term for gain g > 1 at alpha a > 0. The overlay's
// colour c = p/a (p premultiplied) is exposed by g: dimming (g <= 1) scales, p·g, as less
// light does; brightening scales dark colours by g too but rolls highlights off toward white,
// c' = g·c / (1 + (g−1)·c/255) (g·c near black, 255 at white, the identity at g = 1), so a
// white mask on the lit side of a face keeps its folds instead of clipping flat and a black one
// becomes dark gray, not mid gray. Premultiplied, that is g·p / (1 + rollOff(g, a)·p), with the
// division by a taken once per pixel for its three channels.
func rollOff(g, a float64) float64 { return (g - 1) / (255 * a) }

// clamp limits v to [lo, hi] (NaN stays NaN). Plain comparisons, not
// math.Min/Max: it runs per overlay pixel, and those handle signed zeros at a
// cost that showed in profiles.
func clamp(v, lo, hi float64) float64 {
	switch {
	case v < lo:
		return lo
	case v > hi:
		return hi
	}
	return v
}
