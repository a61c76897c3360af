package face68

import (
	"math"
	"testing"
)

func TestYawRatio(t *testing.T) {
	s := loadAstronautRef(t)
	if y := s.YawRatio(); math.Abs(y) > 0.1 {
		t.Errorf("frontal fixture: yaw ratio %.3f, want |yaw| ≤ 0.1", y)
	}
	// Slide the nose tip along the eye axis toward image right (+) or left (-): the ratio
	// takes the sign of the shift, flips under Mirror and ignores roll.
	re, le := s.RightEye(), s.LeftEye()
	ux, uy := (le.X-re.X)/s.InterOcular(), (le.Y-re.Y)/s.InterOcular()
	for _, shift := range []float64{-0.4, -0.2, 0.2, 0.4} {
		turned := s
		d := shift * s.InterOcular()
		turned[NoseTip] = Point{s[NoseTip].X + d*ux, s[NoseTip].Y + d*uy}
		y := turned.YawRatio()
		if math.Signbit(y) != math.Signbit(shift) || math.Abs(y) < 0.1 {
			t.Errorf("nose shifted by %+.1f IOD: ratio %.3f, want the sign of the shift and |ratio| ≥ 0.1", shift, y)
		}
		if ym := turned.Mirror(512).YawRatio(); math.Abs(ym+y) > 1e-9 {
			t.Errorf("shift %+.1f: mirrored ratio %.4f, want %.4f", shift, ym, -y)
		}
		if yr := rotated(turned, Centroid(turned[:]), 18).YawRatio(); math.Abs(yr-y) > 1e-9 {
			t.Errorf("shift %+.1f: ratio %.4f after an 18° roll, want %.4f", shift, yr, y)
		}
	}
	var flat Shape
	if y := flat.YawRatio(); y != 0 {
		t.Errorf("all points at the origin: ratio %v, want 0", y)
	}
}
