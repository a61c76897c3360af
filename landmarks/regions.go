package landmarks

import (
	"image"
	"math"
)

// FaceRegion is the face outline: the jaw (0-16, image left to right) closed
// over the brows (26 back to 17). It ends at the brows, so the forehead is
// not included; callers wanting it should extend the polygon themselves.
func (s Shape) FaceRegion() []Point {
	poly := make([]Point, 0, 27)
	poly = append(poly, s[JawFirst:JawLast+1]...)
	for i := LeftBrowLast; i >= RightBrowFirst; i-- {
		poly = append(poly, s[i])
	}
	return poly
}

// EyeDilation is how far EyeRegion pushes each eye contour point outward
// from the eye centre, as a fraction of the inter-ocular distance: the
// 6-point contour hugs the lid edge, and occluders (sunglasses, eye masks)
// must cover the lashes and the skin around it too.
const EyeDilation = 0.08

// RightEyeRegion is the contour of the image-left eye (36-41), dilated by
// EyeDilation.
func (s Shape) RightEyeRegion() []Point {
	return dilate(s[RightEyeFirst:RightEyeLast+1], EyeDilation*s.InterOcular())
}

// LeftEyeRegion is the contour of the image-right eye (42-47), dilated by
// EyeDilation.
func (s Shape) LeftEyeRegion() []Point {
	return dilate(s[LeftEyeFirst:LeftEyeLast+1], EyeDilation*s.InterOcular())
}

// MouthRegion is the outer lip contour (48-59).
func (s Shape) MouthRegion() []Point {
	return append([]Point(nil), s[OuterLipFirst:OuterLipLast+1]...)
}

// dilate moves each point d pixels away from the centroid of pts.
func dilate(pts []Point, d float64) []Point {
	c := mean(pts)
	out := make([]Point, len(pts))
	for i, p := range pts {
		dx, dy := p.X-c.X, p.Y-c.Y
		n := math.Hypot(dx, dy)
		if n == 0 {
			out[i] = p
			continue
		}
		out[i] = Point{p.X + dx/n*d, p.Y + dy/n*d}
	}
	return out
}

// ImagePoints rounds a polygon to pixel points, the form gocv.FillPoly takes.
func ImagePoints(poly []Point) []image.Point {
	out := make([]image.Point, len(poly))
	for i, p := range poly {
		out[i] = image.Pt(int(math.Round(p.X)), int(math.Round(p.Y)))
	}
	return out
}
