package audit

import (
	"image"
	"math"
	"sort"

	"golang.org/x/image/vector"

	"github.com/occfer/occfer/landmarks"
)

// weights is the area of a polygon that falls in each pixel of a rectangle, in 1/255 of a
// pixel: pixel (X, Y) of the image covers [X-0.5, X+0.5) x [Y-0.5, Y+0.5) in landmark
// coordinates (pixel centres at integers, as dlib and OpenCV count). The rectangle holds the
// whole polygon even where it leaves the image, so the parts of a region that the image cuts
// off still count in its area (and, not being in any mask, as visible).
type weights struct {
	rect image.Rectangle // pixels the polygon touches, in image coordinates
	a    []uint8         // row-major over rect: 0 = outside, 255 = pixel fully inside
}

// rasterize computes the exact area coverage of each pixel by poly with
// golang.org/x/image/vector (analytic anti-aliasing, quantised to 8 bits per pixel; the
// non-zero winding rule for self-crossing outlines). Fewer than 3 points, or an outline
// with a non-finite coordinate, give empty weights.
func rasterize(poly []landmarks.Point) weights {
	if len(poly) < 3 {
		return weights{}
	}
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for _, p := range poly {
		if math.IsNaN(p.X) || math.IsNaN(p.Y) || math.IsInf(p.X, 0) || math.IsInf(p.Y, 0) {
			return weights{}
		}
		minX, maxX = math.Min(minX, p.X), math.Max(maxX, p.X)
		minY, maxY = math.Min(minY, p.Y), math.Max(maxY, p.Y)
	}
	// Shift by half a pixel: the rasterizer's pixel (i, j) covers [i, i+1).
	r := image.Rect(int(math.Floor(minX+0.5)), int(math.Floor(minY+0.5)),
		int(math.Ceil(maxX+0.5)), int(math.Ceil(maxY+0.5)))
	if r.Dx() <= 0 || r.Dy() <= 0 || r.Dx()*r.Dy() > 1<<26 {
		return weights{}
	}
	z := vector.NewRasterizer(r.Dx(), r.Dy())
	ox, oy := float64(r.Min.X)-0.5, float64(r.Min.Y)-0.5
	z.MoveTo(float32(poly[0].X-ox), float32(poly[0].Y-oy))
	for _, p := range poly[1:] {
		z.LineTo(float32(p.X-ox), float32(p.Y-oy))
	}
	z.ClosePath()
	dst := image.NewAlpha(image.Rect(0, 0, r.Dx(), r.Dy()))
	z.Draw(dst, dst.Bounds(), image.Opaque, image.Point{})
	return weights{rect: r, a: dst.Pix}
}

// covered sums the weights of w over the whole polygon (total) and over its pixels that are
// occluded in m (hit), both in 1/255 pixel units.
func (w weights) covered(m *Mask) (hit, total int) {
	for y := w.rect.Min.Y; y < w.rect.Max.Y; y++ {
		row := w.a[(y-w.rect.Min.Y)*w.rect.Dx():]
		for x := w.rect.Min.X; x < w.rect.Max.X; x++ {
			a := int(row[x-w.rect.Min.X])
			total += a
			if a != 0 && m.Occluded(x, y) {
				hit += a
			}
		}
	}
	return hit, total
}

// at is the weight of pixel (x, y) (0 outside the rectangle).
func (w weights) at(x, y int) uint8 {
	if !(image.Point{x, y}).In(w.rect) {
		return 0
	}
	return w.a[(y-w.rect.Min.Y)*w.rect.Dx()+x-w.rect.Min.X]
}

// convexHull returns the convex hull of pts counter-clockwise in image coordinates (y down),
// without collinear points (Andrew's monotone chain).
func convexHull(pts []landmarks.Point) []landmarks.Point {
	p := append([]landmarks.Point(nil), pts...)
	sort.Slice(p, func(i, j int) bool {
		if p[i].X != p[j].X {
			return p[i].X < p[j].X
		}
		return p[i].Y < p[j].Y
	})
	if len(p) < 3 {
		return p
	}
	cross := func(o, a, b landmarks.Point) float64 {
		return (a.X-o.X)*(b.Y-o.Y) - (a.Y-o.Y)*(b.X-o.X)
	}
	hull := make([]landmarks.Point, 0, 2*len(p))
	for _, q := range p { // lower chain
		for len(hull) >= 2 && cross(hull[len(hull)-2], hull[len(hull)-1], q) <= 0 {
			hull = hull[:len(hull)-1]
		}
		hull = append(hull, q)
	}
	lower := len(hull) + 1
	for i := len(p) - 2; i >= 0; i-- { // upper chain
		q := p[i]
		for len(hull) >= lower && cross(hull[len(hull)-2], hull[len(hull)-1], q) <= 0 {
			hull = hull[:len(hull)-1]
		}
		hull = append(hull, q)
	}
	return hull[:len(hull)-1]
}

// centroid is the area centroid of a simple polygon; for a degenerate (zero-area) one, the
// mean of its points.
func centroid(poly []landmarks.Point) landmarks.Point {
	var a, cx, cy float64
	for i := range poly {
		p, q := poly[i], poly[(i+1)%len(poly)]
		c := p.X*q.Y - q.X*p.Y
		a += c
		cx += (p.X + q.X) * c
		cy += (p.Y + q.Y) * c
	}
	if math.Abs(a) < 1e-12 {
		var m landmarks.Point
		for _, p := range poly {
			m.X += p.X
			m.Y += p.Y
		}
		n := float64(max(1, len(poly)))
		return landmarks.Point{X: m.X / n, Y: m.Y / n}
	}
	return landmarks.Point{X: cx / (3 * a), Y: cy / (3 * a)}
}

// scaleAbout scales poly by k about c.
func scaleAbout(poly []landmarks.Point, c landmarks.Point, k float64) []landmarks.Point {
	out := make([]landmarks.Point, len(poly))
	for i, p := range poly {
		out[i] = landmarks.Point{X: c.X + k*(p.X-c.X), Y: c.Y + k*(p.Y-c.Y)}
	}
	return out
}

// FaceRegion is the region that counts as "the face" for spill: the convex hull of the 68
// landmarks scaled by 1.1 about its area centroid (issue 8's definition: the hull enlarged
// 10% about its centre; 10% in length, so 21% in area).
func FaceRegion(s *landmarks.Shape) []landmarks.Point {
	h := convexHull(s[:])
	return scaleAbout(h, centroid(h), FaceRegionScale)
}

// FaceRegionScale is the linear factor of FaceRegion.
const FaceRegionScale = 1.1
