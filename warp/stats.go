package warp

import "math"

// Image statistics that drive realistic compositing. All work on a luma
// plane (BT.601 weights in 8-bit fixed point) over pixel spans.

func luma(b, g, r uint8) int32 { return (29*int32(b) + 150*int32(g) + 77*int32(r) + 128) >> 8 }

// faceStats summarises the face region of the image before the overlay is
// drawn.
type faceStats struct {
	mean        float64 // mean luma inside the face polygon
	left, right float64 // mean luma of the halves either side of the nose line
	edgeWidth   float64 // see edgeWidth; 0 when unknown
	noise       float64 // noise σ in luma levels (Immerkær), 0 when unknown
}

// measureFace scans the face polygon of a continuous BGR image.
func measureFace(pix []uint8, w, h int, face *Shape) faceStats {
	var st faceStats
	// nose line: bridge top (27) to nose tip (30); left/right is relative to
	// its direction so roll does not mix the halves.
	a, b := face[27], face[30]
	var n, nl, nr int
	var sum, suml, sumr float64
	var eg, el, noiseSum float64
	var ne, nn int
	at := func(x, y int) int32 {
		o := (y*w + x) * 3
		return luma(pix[o], pix[o+1], pix[o+2])
	}
	scanPolygon(FacePolygon(face), w, h, func(y, x0, x1 int) {
		for x := x0; x < x1; x++ {
			v := float64(at(x, y))
			sum += v
			n++
			if cross(b.X-a.X, b.Y-a.Y, float64(x)-a.X, float64(y)-a.Y) > 0 {
				suml += v // with y down, positive cross is image-left of a downward nose line
				nl++
			} else {
				sumr += v
				nr++
			}
			if x < 1 || y < 1 || x >= w-1 || y >= h-1 {
				continue
			}
			c := at(x, y)
			l, r, u, d := at(x-1, y), at(x+1, y), at(x, y-1), at(x, y+1)
			gx, gy := float64(r-c), float64(d-c)
			lap := float64(l + r + u + d - 4*c)
			eg += gx*gx + gy*gy
			el += lap * lap
			ne++
			// Immerkær's operator on flat-ish pixels only: edges and texture
			// would otherwise read as noise.
			if math.Abs(gx) < 12 && math.Abs(gy) < 12 {
				ul, ur, dl, dr := at(x-1, y-1), at(x+1, y-1), at(x-1, y+1), at(x+1, y+1)
				k := float64(ul+ur+dl+dr) - 2*float64(l+r+u+d) + 4*float64(c)
				noiseSum += math.Abs(k)
				nn++
			}
		}
	})
	if n == 0 {
		return st
	}
	st.mean = sum / float64(n)
	st.left, st.right = st.mean, st.mean
	if nl > 0 {
		st.left = suml / float64(nl)
	}
	if nr > 0 {
		st.right = sumr / float64(nr)
	}
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

// alphaEdgeWidth measures the edge width of a warped overlay from its alpha
// channel (stride 4, alpha at offset 3): the outline is what makes a pasted
// overlay look crisper than the photo around it.
func alphaEdgeWidth(bgra []uint8, w, h int) float64 {
	var eg, el float64
	n := 0
	for y := 1; y < h-1; y++ {
		for x := 1; x < w-1; x++ {
			o := (y*w + x) * 4
			c := int32(bgra[o+3])
			l, r := int32(bgra[o-4+3]), int32(bgra[o+4+3])
			u, d := int32(bgra[o-4*w+3]), int32(bgra[o+4*w+3])
			gx, gy := float64(r-c), float64(d-c)
			if gx == 0 && gy == 0 && l == c && u == c {
				continue
			}
			lap := float64(l + r + u + d - 4*c)
			eg += gx*gx + gy*gy
			el += lap * lap
			n++
		}
	}
	return edgeWidth(eg, el, n)
}
