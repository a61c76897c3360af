package face68

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

func TestRegions(t *testing.T) {
	s := loadAstronautRef(t)
	face := s.FaceRegion()
	if len(face) != 27 || face[0] != s[JawFirst] || face[16] != s[JawLast] || face[17] != s[LeftBrowLast] || face[26] != s[RightBrowFirst] {
		t.Fatalf("face polygon of %d points does not run jaw 0-16 then brows 26-17", len(face))
	}
	for _, p := range []Point{s.RightEye(), s.LeftEye(), s[NoseTip], Centroid(s[60:68])} {
		if !inside(p, face) {
			t.Errorf("%v outside the face polygon", p)
		}
	}
	if inside(Point{s[JawFirst].X - 5, s[NoseTip].Y}, face) {
		t.Error("a point left of the jaw is inside the face polygon")
	}
	eyes := s.EyeRegions()
	for k, first := range []int{RightEyeFirst, LeftEyeFirst} {
		raw := s[first : first+6]
		c := Centroid(raw)
		if len(eyes[k]) != 6 || !inside(c, eyes[k]) {
			t.Fatalf("eye %d: %d points, centre inside: %v", k, len(eyes[k]), inside(c, eyes[k]))
		}
		for i, p := range eyes[k] {
			// 1.5 times as far from the centroid, in the same direction
			if d, want := Distance(p, c), 1.5*Distance(raw[i], c); math.Abs(d-want) > 1e-9 {
				t.Errorf("eye %d point %d is %v from the centre, want %v", k, i, d, want)
			}
		}
	}
	mouth := s.MouthRegion()
	if len(mouth) != 12 || !inside(Centroid(s[60:68]), mouth) || inside(s[NoseTip], mouth) {
		t.Error("mouth polygon wrong")
	}
	mouth[0].X = -1
	if s[OuterLipFirst].X == -1 {
		t.Error("MouthRegion shares memory with the shape")
	}
}
