package warp

import (
	"image"
	"math"

	"github.com/occfer/occfer/landmarks/face68"
)

// eyeKeepOut is how far (as a multiple of each eye outline about its centroid) a mask is kept
// off the eyes: beyond EyePolygons' 1.5, so that after blurring a mask covers none of the eye
// region Coverage measures.
const eyeKeepOut = 1.7

// keepOutEyes cuts a mask below the eyes: the region of each eye outline (36-41, 42-47)
// dilated by eyeKeepOut, and everything above it, is removed from the premultiplied BGRA
// overlay ov (roi-sized), with coverage anti-aliasing along the cut. Why: a mask's top edge
// runs under the eyes. On a head turned and tilted up, the far eye hides behind the nose, and
// landmarks place it where the mask's nose bridge is seen; without the cut the mask would
// cover the eye as annotated, and datasets measure occlusion against annotations.
func keepOutEyes(ov []uint8, roi image.Rectangle, face *face68.Shape) {
	le, re := face68.Centroid(face[36:42]), face68.Centroid(face[42:48])
	// "up" on the face: perpendicular to the eye line, toward the brows
	ex, ey := re.X-le.X, re.Y-le.Y
	n := math.Hypot(ex, ey)
	if n == 0 {
		return
	}
	ux, uy := ey/n, -ex/n
	if mid := face68.Centroid(face[17:27]); (mid.X-le.X)*ux+(mid.Y-le.Y)*uy < 0 {
		ux, uy = -ux, -uy
	}
	for _, eye := range [][]face68.Point{face[36:42], face[42:48]} {
		d := dilate(eye, eyeKeepOut)
		h := 0.0
		for _, p := range d {
			h = math.Max(h, math.Hypot(p.X-d[0].X, p.Y-d[0].Y))
		}
		// the dilated outline and the same shifted up by three of its sizes: their hull is
		// the eye and the forehead above it
		pts := append([]face68.Point(nil), d...)
		for _, p := range d {
			pts = append(pts, face68.Point{X: p.X + 3*h*ux, Y: p.Y + 3*h*uy})
		}
		cutConvex(ov, roi, face68.ConvexHull(pts))
	}
}

// cutConvex multiplies the overlay by 1 − the pixel coverage of convex polygon poly
// (with positive signed area, as face68.ConvexHull returns it).
func cutConvex(ov []uint8, roi image.Rectangle, poly []face68.Point) {
	if len(poly) < 3 {
		return
	}
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range poly {
		minX, maxX = math.Min(minX, p.X), math.Max(maxX, p.X)
		minY, maxY = math.Min(minY, p.Y), math.Max(maxY, p.Y)
	}
	b := image.Rect(int(math.Floor(minX))-1, int(math.Floor(minY))-1, int(math.Ceil(maxX))+2, int(math.Ceil(maxY))+2).Intersect(roi)
	w := roi.Dx()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			o := ((y-roi.Min.Y)*w + x - roi.Min.X) * 4
			if ov[o+3] == 0 {
				continue // nothing of the overlay here (the usual case: a mask under the eyes)
			}
			// signed distance inside the polygon: the smallest over its edges
			d := math.Inf(1)
			for i := range poly {
				a, c := poly[i], poly[(i+1)%len(poly)]
				l := math.Hypot(c.X-a.X, c.Y-a.Y)
				if l == 0 {
					continue
				}
				d = math.Min(d, cross(c.X-a.X, c.Y-a.Y, float64(x)-a.X, float64(y)-a.Y)/l)
			}
			cov := clamp(0.5+d, 0, 1)
			if cov <= 0 {
				continue
			}
			for ch := 0; ch < 4; ch++ {
				ov[o+ch] = uint8(float64(ov[o+ch])*(1-cov) + 0.5)
			}
		}
	}
}

// dilate scales pts by k about their centroid.
func dilate(pts []face68.Point, k float64) []face68.Point {
	c := face68.Centroid(pts)
	out := make([]face68.Point, len(pts))
	for i, p := range pts {
		out[i] = face68.Point{X: c.X + k*(p.X-c.X), Y: c.Y + k*(p.Y-c.Y)}
	}
	return out
}
