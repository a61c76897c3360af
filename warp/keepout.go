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
// overlay ov (roi-sized), with coverage anti-aliasing along the cut. The far eye's region
// (the narrower outline in the image) also reaches drop near-eye widths further down
// (farEyeDrop; 0 for none). Why: a mask's top edge runs under the eyes. On a head turned and
// tilted up, the far eye hides behind the nose, and landmarks place it where the mask's nose
// bridge is seen; without the cut the mask would cover the eye as annotated, and datasets
// measure occlusion against annotations.
func keepOutEyes(ov []uint8, roi image.Rectangle, face *face68.Shape, drop float64) {
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
	// eye widths corner to corner; the far eye is the foreshortened one
	wr, wl := dist(face[36], face[39]), dist(face[42], face[45])
	drop *= math.Max(wr, wl) // in pixels
	for i, eye := range [][]face68.Point{face[36:42], face[42:48]} {
		d := dilate(eye, eyeKeepOut)
		if far := (i == 0) == (wr < wl); far && drop > 0 {
			// the outline and the same moved down: their hull is the margin
			for _, p := range d[:len(d):len(d)] {
				d = append(d, face68.Point{X: p.X - drop*ux, Y: p.Y - drop*uy})
			}
		}
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

// dist is the distance between two points, in their units.
func dist(a, b face68.Point) float64 { return math.Hypot(a.X-b.X, a.Y-b.Y) }

// The far eye's extra margin (farEyeDrop). Landmarkers place the far eye of a turned face too
// high: against the human re-annotation of AFLW2000-3D (Bulat and Tzimiropoulos 2017;
// docs/occlude.md, "Landmarkers"), FaceMesh's far eye at 45-60 deg of fitted yaw lies above the
// annotated one by 0.37 of the near eye's width or more in a tenth of the faces (0.63 at 60-90
// deg), while the near eye stays within 0.04 below to 0.13 above. A mask cut under the
// landmarked far eye then hides the lower half of the real one. So the far eye's keep-out
// reaches further down, by farEyeMargin near-eye widths from farEyeFullYaw deg of yaw on,
// ramped from none at farEyeMinYaw. 0.6 from 20 to 50 deg passed the most masks (0.4: 2 fewer
// faces of 250; 0.8: the same) and cost none of them a nose point. Only for FaceMesh's
// landmarks (Options.FarEyeMargin): with the annotation as the landmarks file the far eye is
// where it is, and there the margin took the far nostril off 2 masks of 250 near profile.
const (
	farEyeMargin  = 0.6
	farEyeMinYaw  = 20.0
	farEyeFullYaw = 50.0
)

// farEyeDrop is how far below its landmarked outline the far eye's keep-out reaches, in
// near-eye widths, at a fitted yaw of yaw degrees (either sign).
func farEyeDrop(yaw float64) float64 {
	a := math.Abs(yaw)
	if a <= farEyeMinYaw {
		return 0
	}
	return farEyeMargin * math.Min(1, (a-farEyeMinYaw)/(farEyeFullYaw-farEyeMinYaw))
}
