package face68

import "math"

// YawRatio returns a roll-invariant yaw ratio in [-1, 1] from the landmarks:
// (dL − dR) / (dL + dR), where dL and dR are the distances from the nose tip (30) to the
// image-left (1, 2, 3) and image-right (13, 14, 15) face contour, measured along the eye
// axis. 0 is frontal; positive means the nose points toward image right (the subject turned
// to their left). On a cylinder head model it reads about sin(yaw): 0.13 at 15°, 0.25 at
// 25°, 0.34 at 30° of turn; it is a ratio, not an angle (face3d.FitPose gives the angle),
// and it depends on the jaw convention of the landmarks. Degenerate shapes (eyes on one
// point, nose outside the contour on both sides) read 0.
func (s Shape) YawRatio() float64 {
	le, re := s.RightEye(), s.LeftEye() // image left, image right
	ux, uy := re.X-le.X, re.Y-le.Y
	n := math.Hypot(ux, uy)
	if n == 0 {
		return 0
	}
	ux, uy = ux/n, uy/n
	proj := func(p Point) float64 { return p.X*ux + p.Y*uy }
	nose := proj(s[NoseTip])
	dl := nose - (proj(s[1])+proj(s[2])+proj(s[3]))/3
	dr := (proj(s[13])+proj(s[14])+proj(s[15]))/3 - nose
	dl, dr = math.Max(dl, 0), math.Max(dr, 0)
	if dl+dr == 0 {
		return 0
	}
	return (dl - dr) / (dl + dr)
}
