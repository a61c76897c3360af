package synth

import (
	"image"
	"image/color"
	"image/draw"
	"math"

	"golang.org/x/image/vector"

	"github.com/occfer/occfer/landmarks/face68"
)

// canvas fills canonical-coordinate polygons into an RGBA image through the pose transform.
// vector.Rasterizer computes exact pixel coverage, which is the anti-aliasing.
type canvas struct {
	img  *image.RGBA
	ras  *vector.Rasterizer
	pose func(face68.Point) face68.Point
	// clip, when set, limits fill to where it covers (a turned head's features to its
	// outline).
	clip *image.Alpha
}

func newCanvas(size int, pose func(face68.Point) face68.Point) *canvas {
	return &canvas{
		img:  image.NewRGBA(image.Rect(0, 0, size, size)),
		ras:  vector.NewRasterizer(size, size),
		pose: pose,
	}
}

// trace loads the posed polygon into the rasterizer, sized to the polygon's pixel bounding
// box: the rasterizer's cost is proportional to its area, and a brow covers 1% of the image.
// It returns the box, in image coordinates, that Draw must target; empty when the polygon
// misses the image.
func (c *canvas) trace(pts []face68.Point) image.Rectangle { return c.traceWith(pts, c.pose) }

// traceWith is trace with the given transform (the identity for image coordinates).
func (c *canvas) traceWith(pts []face68.Point, pose func(face68.Point) face68.Point) image.Rectangle {
	b := c.img.Bounds()
	lim := float64(4 * (b.Dx() + b.Dy()))
	q := make([]face68.Point, len(pts))
	lo, hi := face68.Point{X: math.Inf(1), Y: math.Inf(1)}, face68.Point{X: math.Inf(-1), Y: math.Inf(-1)}
	for i, p := range pts {
		p = pose(p)
		// The rasterizer divides by zero on NaN; keep any bad point finite and near the image.
		q[i] = face68.Point{X: finite(p.X, lim), Y: finite(p.Y, lim)}
		lo = face68.Point{X: math.Min(lo.X, q[i].X), Y: math.Min(lo.Y, q[i].Y)}
		hi = face68.Point{X: math.Max(hi.X, q[i].X), Y: math.Max(hi.Y, q[i].Y)}
	}
	box := image.Rect(int(math.Floor(lo.X)), int(math.Floor(lo.Y)), int(math.Ceil(hi.X))+1, int(math.Ceil(hi.Y))+1).Intersect(b)
	if box.Empty() {
		return box
	}
	c.ras.Reset(box.Dx(), box.Dy())
	ox, oy := float64(box.Min.X), float64(box.Min.Y)
	for i, p := range q {
		if i == 0 {
			c.ras.MoveTo(float32(p.X-ox), float32(p.Y-oy))
		} else {
			c.ras.LineTo(float32(p.X-ox), float32(p.Y-oy))
		}
	}
	c.ras.ClosePath()
	return box
}

func toNRGBA(col rgb, alpha float64) color.NRGBA {
	cl := func(v float64) uint8 { return uint8(math.Round(math.Max(0, math.Min(255, v)))) }
	return color.NRGBA{cl(col.R), cl(col.G), cl(col.B), cl(alpha * 255)}
}

// fill paints a polygon with colour col at opacity alpha.
func (c *canvas) fill(pts []face68.Point, col rgb, alpha float64) {
	if len(pts) < 3 {
		return
	}
	if c.clip != nil {
		c.fillClippedAlpha(pts, col, alpha, c.clip)
		return
	}
	if box := c.trace(pts); !box.Empty() {
		c.ras.Draw(c.img, box, image.NewUniform(toNRGBA(col, alpha)), image.Point{})
	}
}

// fillImage paints a polygon given in image coordinates (continuous, pixel (i, j) covering
// [i, i+1) × [j, j+1)), bypassing the pose: parts of a turned head computed in 3-D.
func (c *canvas) fillImage(pts []face68.Point, col rgb, alpha float64) {
	if len(pts) < 3 {
		return
	}
	if box := c.traceWith(pts, func(p face68.Point) face68.Point { return p }); !box.Empty() {
		c.ras.Draw(c.img, box, image.NewUniform(toNRGBA(col, alpha)), image.Point{})
	}
}

// coverage returns the polygon's per-pixel coverage, used to clip one shape to another
// (iris to the eye opening, teeth to the mouth opening).
func (c *canvas) coverage(pts []face68.Point) *image.Alpha { return c.coverageWith(pts, c.pose) }

// fillClipped paints pts only where clip covers, with the product of both coverages.
func (c *canvas) fillClipped(pts []face68.Point, col rgb, clip *image.Alpha) {
	c.fillClippedAlpha(pts, col, 1, clip)
}

// fillClippedAlpha is fillClipped at opacity alpha.
func (c *canvas) fillClippedAlpha(pts []face68.Point, col rgb, alpha float64, clip *image.Alpha) {
	m := c.coverage(pts)
	for i := range m.Pix {
		m.Pix[i] = uint8((uint16(m.Pix[i])*uint16(clip.Pix[i]) + 127) / 255)
	}
	draw.DrawMask(c.img, c.img.Bounds(), image.NewUniform(toNRGBA(col, alpha)), image.Point{}, m, image.Point{}, draw.Over)
}

// coverageImage is coverage for a polygon in image coordinates.
func (c *canvas) coverageImage(pts []face68.Point) *image.Alpha {
	return c.coverageWith(pts, func(p face68.Point) face68.Point { return p })
}

// coverageWith is coverage with the given transform (see traceWith).
func (c *canvas) coverageWith(pts []face68.Point, pose func(face68.Point) face68.Point) *image.Alpha {
	m := image.NewAlpha(c.img.Bounds())
	if len(pts) < 3 {
		return m
	}
	box := c.traceWith(pts, pose)
	if box.Empty() {
		return m
	}
	c.ras.DrawOp = draw.Src
	c.ras.Draw(m, box, image.Opaque, image.Point{})
	c.ras.DrawOp = draw.Over
	return m
}

// ribbon turns a polyline into a closed band whose width goes linearly from w0 to w1, for
// brows, lid lines and lip seams.
func ribbon(pts []face68.Point, w0, w1 float64) []face68.Point {
	n := len(pts)
	left := make([]face68.Point, n)
	right := make([]face68.Point, n)
	for i := range pts {
		a, b := pts[max(i-1, 0)], pts[min(i+1, n-1)]
		dx, dy := b.X-a.X, b.Y-a.Y
		l := math.Hypot(dx, dy)
		if l == 0 {
			l = 1
		}
		w := (w0 + (w1-w0)*float64(i)/float64(n-1)) / 2
		nx, ny := -dy/l*w, dx/l*w
		left[i] = face68.Point{X: pts[i].X + nx, Y: pts[i].Y + ny}
		right[n-1-i] = face68.Point{X: pts[i].X - nx, Y: pts[i].Y - ny}
	}
	return append(left, right...)
}

// ellipse returns a polygon approximating an axis-aligned ellipse in canonical coordinates.
func ellipse(c face68.Point, rx, ry float64) []face68.Point {
	const n = 40
	pts := make([]face68.Point, n)
	for i := range pts {
		t := 2 * math.Pi * float64(i) / n
		pts[i] = face68.Point{X: c.X + rx*math.Cos(t), Y: c.Y + ry*math.Sin(t)}
	}
	return pts
}

func reversed(pts []face68.Point) []face68.Point {
	out := make([]face68.Point, len(pts))
	for i, p := range pts {
		out[len(pts)-1-i] = p
	}
	return out
}

func finite(v, lim float64) float64 {
	if math.IsNaN(v) {
		return 0
	}
	return math.Max(-lim, math.Min(lim, v))
}
