package warp

import (
	"math"
	"sync"

	"github.com/occfer/occfer/landmarks/face68"
)

// Image statistics that drive realistic compositing. All work on a luma
// plane (BT.601 weights in 8-bit fixed point) over pixel spans.

func luma(b, g, r uint8) int32 { return (29*int32(b) + 150*int32(g) + 77*int32(r) + 128) >> 8 }

// faceStats summarises the face region of the image before the overlay is
// drawn.
type faceStats struct {
	mean      float64 // mean luma inside the face polygon
	edgeWidth float64 // see edgeWidth; 0 when unknown
	noise     float64 // noise σ in luma levels (Immerkær), 0 when unknown
}

// lumaPool recycles the luma planes of measureFace, so Apply on a stream of
// same-sized crops does not allocate one per call.
var lumaPool = sync.Pool{New: func() any { return new([]int32) }}

// measureFace scans the face polygon of a continuous BGR image. Luma is
// computed once per pixel of the polygon's bounding box (plus a one-pixel
// border for the derivative stencils) and the stencils read that plane.
func measureFace(pix []uint8, w, h int, face *face68.Shape) faceStats {
	var st faceStats
	poly := face.FaceRegion()
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range poly {
		minX, maxX = math.Min(minX, p.X), math.Max(maxX, p.X)
		minY, maxY = math.Min(minY, p.Y), math.Max(maxY, p.Y)
	}
	x0, y0 := max(0, int(math.Floor(minX))-1), max(0, int(math.Floor(minY))-1)
	x1, y1 := min(w, int(math.Ceil(maxX))+2), min(h, int(math.Ceil(maxY))+2)
	if x1-x0 < 3 || y1-y0 < 3 {
		return st
	}
	bw, bh := x1-x0, y1-y0
	bufp := lumaPool.Get().(*[]int32)
	defer lumaPool.Put(bufp)
	if cap(*bufp) < bw*bh {
		*bufp = make([]int32, bw*bh)
	}
	lp := (*bufp)[:bw*bh]
	for y := 0; y < bh; y++ {
		row := pix[((y+y0)*w+x0)*3:]
		out := lp[y*bw : (y+1)*bw]
		for x := range out {
			out[x] = luma(row[3*x], row[3*x+1], row[3*x+2])
		}
	}
	var n int
	var sum float64
	var eg, el, noiseSum float64
	var ne, nn int
	scanPolygon(poly, w, h, func(y, xa, xb int) {
		by := y - y0
		edge := by < 1 || by >= bh-1
		for x := xa; x < xb; x++ {
			bx := x - x0
			o := by*bw + bx
			c := lp[o]
			v := float64(c)
			sum += v
			n++
			if edge || bx < 1 || bx >= bw-1 {
				continue
			}
			l, r, u, d := lp[o-1], lp[o+1], lp[o-bw], lp[o+bw]
			gx, gy := r-c, d-c
			lap := l + r + u + d - 4*c
			eg += float64(gx*gx + gy*gy)
			el += float64(lap * lap)
			ne++
			// Immerkær's operator on flat-ish pixels only: edges and texture
			// would otherwise read as noise.
			if gx < 12 && gx > -12 && gy < 12 && gy > -12 {
				k := lp[o-bw-1] + lp[o-bw+1] + lp[o+bw-1] + lp[o+bw+1] - 2*(l+r+u+d) + 4*c
				if k < 0 {
					k = -k
				}
				noiseSum += float64(k)
				nn++
			}
		}
	})
	if n == 0 {
		return st
	}
	st.mean = sum / float64(n)
	st.edgeWidth = edgeWidth(eg, el, ne)
	if nn > 16 {
		st.noise = math.Sqrt(math.Pi/2) * noiseSum / (6 * float64(nn))
	}
	return st
}

// edgeWidth turns gradient and Laplacian energies into a blur scale in
// pixels. For a step edge blurred by a Gaussian of σ, ∫g′² / ∫g² = 1/(2σ²),
// so √(Eg / 2El) recovers σ (about 0.5 for a perfectly crisp pixel edge).
// Unlike the raw variance of the Laplacian it does not depend on contrast, so
// a high-contrast overlay and a low-contrast face compare fairly.
func edgeWidth(eg, el float64, n int) float64 {
	if n < 16 || el <= 0 || eg <= 0 {
		return 0
	}
	return math.Sqrt(eg / (2 * el))
}
