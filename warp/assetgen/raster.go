package assetgen

import (
	"image"
	"math"
)

// rgba is a straight-alpha colour with components in [0, 1].
type rgba struct{ r, g, b, a float64 }

func rgb(r, g, b float64) rgba { return rgba{r, g, b, 1} }

// hex builds an opaque colour from 0xRRGGBB.
func hex(v uint32) rgba {
	return rgb(float64(v>>16&255)/255, float64(v>>8&255)/255, float64(v&255)/255)
}

func (c rgba) scale(k float64) rgba { return rgba{c.r * k, c.g * k, c.b * k, c.a} }
func (c rgba) alpha(a float64) rgba { return rgba{c.r, c.g, c.b, c.a * a} }

func mix(a, b rgba, t float64) rgba {
	return rgba{a.r + (b.r-a.r)*t, a.g + (b.g-a.g)*t, a.b + (b.b-a.b)*t, a.a + (b.a-a.a)*t}
}

// over composites top over bottom (straight alpha in and out).
func over(top, bottom rgba) rgba {
	a := top.a + bottom.a*(1-top.a)
	if a <= 0 {
		return rgba{}
	}
	k := bottom.a * (1 - top.a)
	return rgba{(top.r*top.a + bottom.r*k) / a, (top.g*top.a + bottom.g*k) / a, (top.b*top.a + bottom.b*k) / a, a}
}

// scene is a picture as a function of a template-pixel position.
type scene func(x, y float64) rgba

// supersample is the per-axis sample count. 3×3 stratified samples give
// 10 alpha levels on an edge, plenty once the template is scaled down.
const supersample = 3

// render evaluates s on a w×h pixel grid (pixel (i, j) spans [i−½, i+½]).
// Every pixel first gets its centre sample; pixels whose 3×3 neighbourhood of
// centre samples is flat (no component differs by half a level) keep it,
// and the rest — edges, stitches, pattern boundaries — are supersampled
// supersample² times and averaged in premultiplied space. The centre is one
// of those samples, so flat areas come out as full supersampling would
// render them, at a fraction of the cost.
func render(w, h int, s scene) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	centre := make([]rgba, w*h)
	for j := 0; j < h; j++ {
		for i := 0; i < w; i++ {
			centre[j*w+i] = premul(s(float64(i), float64(j)))
		}
	}
	const n = supersample
	for j := 0; j < h; j++ {
		for i := 0; i < w; i++ {
			c := centre[j*w+i]
			if !flat(centre, w, h, i, j) {
				c = rgba{}
				for sy := 0; sy < n; sy++ {
					for sx := 0; sx < n; sx++ {
						x := float64(i) - 0.5 + (float64(sx)+0.5)/n
						y := float64(j) - 0.5 + (float64(sy)+0.5)/n
						p := premul(s(x, y))
						c.r, c.g, c.b, c.a = c.r+p.r, c.g+p.g, c.b+p.b, c.a+p.a
					}
				}
				c = rgba{c.r / (n * n), c.g / (n * n), c.b / (n * n), c.a / (n * n)}
			}
			if c.a <= 0 {
				continue
			}
			o := j*img.Stride + 4*i
			img.Pix[o] = to8(c.r / c.a)
			img.Pix[o+1] = to8(c.g / c.a)
			img.Pix[o+2] = to8(c.b / c.a)
			img.Pix[o+3] = to8(c.a)
		}
	}
	return img
}

func premul(c rgba) rgba { return rgba{c.r * c.a, c.g * c.a, c.b * c.a, c.a} }

// flatTol is half an 8-bit level.
const flatTol = 0.5 / 255

// flat reports whether the centre samples around (i, j) all match it.
func flat(centre []rgba, w, h, i, j int) bool {
	c := centre[j*w+i]
	for dj := -1; dj <= 1; dj++ {
		for di := -1; di <= 1; di++ {
			x, y := i+di, j+dj
			if x < 0 || y < 0 || x >= w || y >= h {
				continue
			}
			o := centre[y*w+x]
			if math.Abs(o.r-c.r) > flatTol || math.Abs(o.g-c.g) > flatTol ||
				math.Abs(o.b-c.b) > flatTol || math.Abs(o.a-c.a) > flatTol {
				return false
			}
		}
	}
	return true
}

func to8(v float64) uint8 { return uint8(math.Round(clamp01(v) * 255)) }

func clamp01(v float64) float64 { return math.Min(math.Max(v, 0), 1) }

// smoothstep is the cubic Hermite ramp from 0 at e0 to 1 at e1.
func smoothstep(e0, e1, x float64) float64 {
	t := clamp01((x - e0) / (e1 - e0))
	return t * t * (3 - 2*t)
}

// band is 1 inside [lo, hi] with soft edges of width soft.
func band(x, lo, hi, soft float64) float64 {
	return smoothstep(lo-soft, lo, x) * (1 - smoothstep(hi, hi+soft, x))
}

// segDist is the distance from p to segment ab.
func segDist(px, py, ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	t := clamp01(((px-ax)*dx + (py-ay)*dy) / (dx*dx + dy*dy))
	return math.Hypot(px-ax-t*dx, py-ay-t*dy)
}

// quadDist approximates the distance from p to the quadratic Bézier a-c-b by
// sampling it as a polyline (fine for the short strap curves drawn here).
func quadDist(px, py, ax, ay, cx, cy, bx, by float64) float64 {
	const steps = 12
	best := math.Inf(1)
	qx, qy := ax, ay
	for k := 1; k <= steps; k++ {
		t := float64(k) / steps
		u := 1 - t
		nx := u*u*ax + 2*u*t*cx + t*t*bx
		ny := u*u*ay + 2*u*t*cy + t*t*by
		best = math.Min(best, segDist(px, py, qx, qy, nx, ny))
		qx, qy = nx, ny
	}
	return best
}
