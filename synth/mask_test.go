package synth

import (
	"math"

	"github.com/occfer/occfer/landmarks/face68"
)

// hullMask blacks out the convex hull of the given landmarks, grown by grow pixels so the
// anti-aliased edge and JPEG ringing go too.
func hullMask(idx []int, grow float64) func(sampleImg) *grayImg {
	return func(s sampleImg) *grayImg {
		pts := make([]face68.Point, len(idx))
		for i, k := range idx {
			pts[i] = s.lm[k]
		}
		hull := face68.ConvexHull(pts)
		g := s.gray
		out := &grayImg{g.w, g.h, append([]float64{}, g.v...), append([]float64{}, g.red...)}
		for y := range g.h {
			for x := range g.w {
				if insideGrown(hull, face68.Point{X: float64(x), Y: float64(y)}, grow) {
					out.v[y*g.w+x], out.red[y*g.w+x] = 0, 0
				}
			}
		}
		return out
	}
}

func span(a, b int) []int {
	var s []int
	for i := a; i <= b; i++ {
		s = append(s, i)
	}
	return s
}

// insideGrown reports whether q lies inside the convex polygon h or within grow of its edge.
func insideGrown(h []face68.Point, q face68.Point, grow float64) bool {
	lo, hi := h[0], h[0]
	for _, p := range h {
		lo = face68.Point{X: min(lo.X, p.X), Y: min(lo.Y, p.Y)}
		hi = face68.Point{X: max(hi.X, p.X), Y: max(hi.Y, p.Y)}
	}
	if q.X < lo.X-grow || q.Y < lo.Y-grow || q.X > hi.X+grow || q.Y > hi.Y+grow {
		return false
	}
	inside := true
	minD := math.Inf(1)
	for i := range h {
		a, b := h[i], h[(i+1)%len(h)]
		ex, ey := b.X-a.X, b.Y-a.Y
		if ex*(q.Y-a.Y)-ey*(q.X-a.X) < 0 {
			inside = false
		}
		l2 := ex*ex + ey*ey
		t := 0.0
		if l2 > 0 {
			t = math.Max(0, math.Min(1, ((q.X-a.X)*ex+(q.Y-a.Y)*ey)/l2))
		}
		minD = math.Min(minD, math.Hypot(q.X-a.X-t*ex, q.Y-a.Y-t*ey))
	}
	return inside || minD <= grow
}
