package warp

import "math"

// DefaultYawThreshold is the |EstimateYaw| above which a side variant is
// used. On a cylinder head model the ratio reads about 0.13 at 15°, 0.25 at
// 25° and 0.34 at 30° of turn, so side variants (drawn for 28°) take over
// from about 25°: below that the frontal template, bent by the piecewise
// fit, still looks right; beyond it a frontal mask shows its far ear loop and
// unforeshortened pleats on a cheek that is turning away.
const DefaultYawThreshold = 0.25

// EstimateYaw returns a roll-invariant yaw ratio in [-1, 1] from the
// landmarks: (dL − dR) / (dL + dR), where dL and dR are the distances from
// the nose tip (30) to the left (image-left: 1, 2, 3) and right (13, 14, 15)
// face contour, measured along the eye axis. 0 is frontal; positive means the
// nose points toward image right (the subject turned to their left).
func EstimateYaw(s *Shape) float64 {
	le := centroid(s[36:42])
	re := centroid(s[42:48])
	ux, uy := re.X-le.X, re.Y-le.Y
	n := math.Hypot(ux, uy)
	if n == 0 {
		return 0
	}
	ux, uy = ux/n, uy/n
	proj := func(p Point) float64 { return p.X*ux + p.Y*uy }
	nose := proj(s[30])
	dl := nose - (proj(s[1])+proj(s[2])+proj(s[3]))/3
	dr := (proj(s[13])+proj(s[14])+proj(s[15]))/3 - nose
	dl, dr = math.Max(dl, 0), math.Max(dr, 0)
	if dl+dr == 0 {
		return 0
	}
	return (dl - dr) / (dl + dr)
}

// VariantForYaw names the variant for a yaw ratio and threshold.
func VariantForYaw(yaw, threshold float64) string {
	switch {
	case yaw > threshold:
		return VariantRight
	case yaw < -threshold:
		return VariantLeft
	}
	return VariantFrontal
}

// pickVariant returns t's sibling for the yaw, or t when that variant was not
// loaded.
func (t *Template) pickVariant(yaw, threshold float64) *Template {
	if v, ok := t.variants[VariantForYaw(yaw, threshold)]; ok {
		return v
	}
	return t
}

func centroid(pts []Point) Point {
	var c Point
	for _, p := range pts {
		c.X += p.X
		c.Y += p.Y
	}
	c.X /= float64(len(pts))
	c.Y /= float64(len(pts))
	return c
}
