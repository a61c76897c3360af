package landmarks

import (
	"math"
	"testing"
)

// inside is the even-odd point-in-polygon test.
func inside(p Point, poly []Point) bool {
	in := false
	for i, j := 0, len(poly)-1; i < len(poly); j, i = i, i+1 {
		a, b := poly[i], poly[j]
		if (a.Y > p.Y) != (b.Y > p.Y) && p.X < (b.X-a.X)*(p.Y-a.Y)/(b.Y-a.Y)+a.X {
			in = !in
		}
	}
	return in
}

func area2(poly []Point) float64 {
	var s float64
	for i, j := 0, len(poly)-1; i < len(poly); j, i = i, i+1 {
		s += poly[j].X*poly[i].Y - poly[i].X*poly[j].Y
	}
	return math.Abs(s) / 2
}

func TestRegions(t *testing.T) {
	_, s := loadAstronautRef(t)
	face := s.FaceRegion()
	if len(face) != 27 {
		t.Fatalf("face polygon has %d points", len(face))
	}
	for _, p := range []Point{s.RightEye(), s.LeftEye(), s[NoseTip], mean(s[60:68])} {
		if !inside(p, face) {
			t.Errorf("%v outside the face polygon", p)
		}
	}
	if inside(Point{s[JawFirst].X - 5, s[NoseTip].Y}, face) {
		t.Error("a point left of the jaw is inside the face polygon")
	}
	iod := s.InterOcular()
	for name, eye := range map[string]struct {
		poly   []Point
		raw    []Point
		centre Point
	}{
		"right": {s.RightEyeRegion(), s[RightEyeFirst : RightEyeLast+1], s.RightEye()},
		"left":  {s.LeftEyeRegion(), s[LeftEyeFirst : LeftEyeLast+1], s.LeftEye()},
	} {
		if len(eye.poly) != 6 || !inside(eye.centre, eye.poly) {
			t.Errorf("%s eye: %d points, centre inside: %v", name, len(eye.poly), inside(eye.centre, eye.poly))
		}
		for i, p := range eye.poly {
			if d := dist(p, eye.raw[i]); math.Abs(d-EyeDilation*iod) > 1e-9 {
				t.Errorf("%s eye point %d moved %v, want %v", name, i, d, EyeDilation*iod)
			}
		}
		if area2(eye.poly) <= area2(eye.raw) {
			t.Errorf("%s eye region not larger than the contour", name)
		}
	}
	mouth := s.MouthRegion()
	if len(mouth) != 12 || !inside(mean(s[60:68]), mouth) || inside(s[NoseTip], mouth) {
		t.Error("mouth polygon wrong")
	}
	ip := ImagePoints(mouth)
	if ip[0].X != int(math.Round(mouth[0].X)) || ip[0].Y != int(math.Round(mouth[0].Y)) {
		t.Errorf("ImagePoints %v for %v", ip[0], mouth[0])
	}
}
