package warp

import (
	"image"
	"math"

	"github.com/occfer/occfer/landmarks/face68"
)

// The face's light, for shading overlays (issue 8 item 3). A white mask on a face lit from
// one side must be lit from that side too, and darker under the chin than on the nose.
// The light is read from the face itself: its luma, low-pass filtered at a fifth of the face
// size, relative to the face's mean, is the gain the overlay's colour gets at each pixel (on
// top of the global exposure gain). Skin has about one albedo, so that ratio is the
// illumination's; the eyes and the mouth (dark whatever the light) are left out of it.
const (
	lightCells         = 8        // grid cells across the face's larger landmark extent
	lightSigmaCells    = 1.0      // Gaussian σ of the low-pass, cells (1/8 of the face)
	minLight, maxLight = 0.5, 1.5 // bounds of the relative gain
)

// lightMap is the relative illumination on a coarse grid of image pixels: node (i, j) sits at
// image (x0 + i·cell, y0 + j·cell).
type lightMap struct {
	x0, y0, cell float64
	gw, gh       int
	rel          []float32 // gw·gh relative gains in [minLight, maxLight]
	blend        []float64 // row's scratch: one node row blended vertically
}

// newLightMap measures the light of the face in a continuous BGR image over the face and
// the rectangle roi (where the overlay is drawn). It returns nil when the face has too few
// pixels to say anything (the overlay then gets the global gain alone).
func newLightMap(pix []uint8, w, h int, face *face68.Shape, roi image.Rectangle) *lightMap {
	fb := face.Box()
	size := float64(max(fb.Dx(), fb.Dy()))
	if size < 8 {
		return nil
	}
	cell := math.Max(1, size/lightCells)
	area := fb.Union(roi)
	m := &lightMap{x0: float64(area.Min.X), y0: float64(area.Min.Y), cell: cell}
	m.gw = int(math.Ceil(float64(area.Dx())/cell)) + 1
	m.gh = int(math.Ceil(float64(area.Dy())/cell)) + 1
	n := m.gw * m.gh
	buf := make([]float64, 3*n) // sums, weights, blur scratch
	sum, wt, tmp := buf[:n], buf[n:2*n], buf[2*n:]
	inv := 1 / cell
	// Each pixel goes to its nearest node: face pixels count, eye and mouth pixels are
	// taken out again (they lie inside the face polygon). Every other row and column is
	// enough for a map this smooth (σ is 1/8 of the face), at a quarter of the cost.
	add := func(poly []face68.Point, sign float64) {
		scanPolygon(poly, w, h, func(y, xa, xb int) {
			j := int((float64(y)-m.y0)*inv + 0.5)
			if y&1 != 0 || j < 0 || j >= m.gh {
				return
			}
			row := pix[y*w*3:]
			for x := xa + xa&1; x < xb; x += 2 {
				i := int((float64(x)-m.x0)*inv + 0.5)
				if i < 0 || i >= m.gw {
					continue
				}
				sum[j*m.gw+i] += sign * float64(luma(row[3*x], row[3*x+1], row[3*x+2]))
				wt[j*m.gw+i] += sign
			}
		})
	}
	add(face.FaceRegion(), 1)
	eyes := face.EyeRegions()
	add(eyes[0], -1)
	add(eyes[1], -1)
	add(face.MouthRegion(), -1)
	var total, count float64
	for k := range sum {
		if wt[k] <= 0 { // an eye polygon poking out of the face: nothing left there
			sum[k], wt[k] = 0, 0
		}
		total += sum[k]
		count += wt[k]
	}
	if count < 8 || total <= 0 {
		return nil
	}
	mean := total / count
	blurGrid(sum, tmp, m.gw, m.gh, lightSigmaCells)
	blurGrid(wt, tmp, m.gw, m.gh, lightSigmaCells)
	// Normalised convolution: the weighted mean luma around each node. Far from face pixels
	// the weights vanish and eps pulls the estimate to the face mean (gain 1).
	eps := 0.05 * cell * cell / 4 // a twentieth of a full node (a quarter of its pixels are read)
	m.rel = make([]float32, len(sum))
	for k := range sum {
		v := (sum[k] + eps*mean) / (wt[k] + eps) / mean
		m.rel[k] = float32(clamp(v, minLight, maxLight))
	}
	return m
}

// blurGrid convolves g (gw×gh, row-major) in place with a Gaussian of σ nodes, borders
// treated as empty (zero): with the weights blurred alike, that is normalised convolution.
// tmp is scratch of g's length.
func blurGrid(g, tmp []float64, gw, gh int, sigma float64) {
	r := int(math.Ceil(3 * sigma))
	k := make([]float64, 2*r+1)
	for i := range k {
		d := float64(i - r)
		k[i] = math.Exp(-d * d / (2 * sigma * sigma))
	}
	for y := 0; y < gh; y++ {
		for x := 0; x < gw; x++ {
			s := 0.0
			for i := max(-r, -x); i <= r && x+i < gw; i++ {
				s += k[i+r] * g[y*gw+x+i]
			}
			tmp[y*gw+x] = s
		}
	}
	for y := 0; y < gh; y++ {
		for x := 0; x < gw; x++ {
			s := 0.0
			for i := max(-r, -y); i <= r && y+i < gh; i++ {
				s += k[i+r] * tmp[(y+i)*gw+x]
			}
			g[y*gw+x] = s
		}
	}
}

// row fills out[i] with gain times the relative gain at image pixel (x0+i, y), bilinear between nodes:
// the two node rows around y are blended once, then each pixel blends two nodes of that.
func (m *lightMap) row(y, x0 int, gain float64, out []float64) {
	fy := clamp((float64(y)-m.y0)/m.cell, 0, float64(m.gh-1))
	j := min(int(fy), max(m.gh-2, 0))
	ty := fy - float64(j)
	j1 := min(j+1, m.gh-1)
	if cap(m.blend) < m.gw {
		m.blend = make([]float64, m.gw)
	}
	line := m.blend[:m.gw]
	for i := range line {
		line[i] = gain * (float64(m.rel[j*m.gw+i])*(1-ty) + float64(m.rel[j1*m.gw+i])*ty)
	}
	inv := 1 / m.cell
	fx := (float64(x0) - m.x0) * inv
	last := float64(m.gw - 1)
	for k := range out {
		f := clamp(fx, 0, last)
		i := min(int(f), max(m.gw-2, 0))
		t := f - float64(i)
		i1 := min(i+1, m.gw-1)
		out[k] = line[i] + (line[i1]-line[i])*t
		fx += inv
	}
}
