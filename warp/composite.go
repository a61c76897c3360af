package warp

import (
	"image"
	"math"
	"math/rand/v2"

	"github.com/occfer/occfer/landmarks/face68"
)

// shading is the overlay's colour gain: gain·(1 + slope·u), with u the signed
// position across the face (−1 image-left contour … +1 right) along the eye
// axis, so an overlay on a face lit from one side is lit from that side too.
type shading struct {
	gain, slope    float64
	ox, oy, ux, uy float64 // u = ((x,y) − o)·(ux,uy)
}

func newShading(st faceStats, face *face68.Shape) shading {
	s := shading{gain: clamp(st.mean/skinReferenceLuma, minGain, maxGain)}
	if st.left+st.right > 0 {
		s.slope = clamp((st.right-st.left)/(st.right+st.left), -maxShading, maxShading)
	}
	le, re := face.RightEye(), face.LeftEye() // image left, image right
	ax, ay := re.X-le.X, re.Y-le.Y
	n := math.Hypot(ax, ay)
	half := math.Hypot(face[16].X-face[0].X, face[16].Y-face[0].Y) / 2
	if n == 0 || half == 0 {
		s.slope = 0
		return s
	}
	s.ox, s.oy = face[30].X, face[30].Y
	s.ux, s.uy = ax/n/half, ay/n/half
	return s
}

func (s shading) at(x, y int) float64 {
	u := clamp((float64(x)-s.ox)*s.ux+(float64(y)-s.oy)*s.uy, -1, 1)
	return s.gain * (1 + s.slope*u)
}

// composite blends the premultiplied BGRA overlay (roi-sized) over the BGR
// image: out = P·gain + n·α + dst·(1 − α), and marks α ≥ ½ in mask. Noise is
// luma-only (one draw per drawn pixel, in row-major order, so the rng
// sequence is deterministic).
func composite(pix []uint8, w int, ov []uint8, roi image.Rectangle, sh shading, noise float64, rng *rand.Rand, mask Mask) {
	rw := roi.Dx()
	for y := 0; y < roi.Dy(); y++ {
		iy := y + roi.Min.Y
		orow := ov[y*rw*4 : (y+1)*rw*4]
		drow := pix[(iy*w+roi.Min.X)*3:]
		mrow := mask.Pix[iy*w+roi.Min.X:]
		for x := 0; x < rw; x++ {
			A := orow[4*x+3]
			if A == 0 {
				continue
			}
			a := float64(A) * (1.0 / 255)
			g := sh.gain
			if sh.slope != 0 {
				g = sh.at(x+roi.Min.X, iy)
			}
			n := 0.0
			if noise > 0 {
				n = noise * rng.NormFloat64() * a
			}
			d := drow[3*x : 3*x+3]
			for c := 0; c < 3; c++ {
				d[c] = to8(brighten(float64(orow[4*x+c]), a, g) + n + float64(d[c])*(1-a))
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

// brighten applies gain g to a premultiplied value p of alpha a. Dimming
// scales; brightening lifts toward white instead (c' = 255 − (255 − c)/g) so a
// white mask on a bright face keeps its folds rather than clipping flat.
func brighten(p, a, g float64) float64 {
	if g <= 1 {
		return p * g
	}
	return 255*a - (255*a-p)/g
}

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
