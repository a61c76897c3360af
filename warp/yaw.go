package warp

// DefaultYawThreshold is the |face68.Shape.YawRatio| above which a side variant is
// used. On a cylinder head model the ratio reads about 0.13 at 15°, 0.25 at
// 25° and 0.34 at 30° of turn, so side variants (drawn for 28°) take over
// from about 25°: below that the frontal template, bent by the piecewise
// fit, still looks right; beyond it a frontal mask shows its far ear loop and
// unforeshortened pleats on a cheek that is turning away.
const DefaultYawThreshold = 0.25

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
