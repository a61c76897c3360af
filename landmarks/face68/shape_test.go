package face68

import (
	"image"
	"math"
	"testing"
)

func TestShapeBox(t *testing.T) {
	var s Shape
	for i := range s {
		s[i] = Point{10.5 + float64(i%7), 20 + float64(i%5)*2.5}
	}
	if got, want := s.Box(), image.Rect(10, 20, 17, 31); got != want {
		t.Errorf("Box = %v, want %v", got, want)
	}
}

func TestMirrorIndex(t *testing.T) {
	for i, j := range mirrorIndex {
		if mirrorIndex[j] != i {
			t.Fatalf("mirrorIndex not an involution at %d", i)
		}
	}
	s := loadAstronautRef(t)
	mm := s.Mirror(512).Mirror(512)
	for i := range s {
		if Distance(mm[i], s[i]) > 1e-9 {
			t.Fatalf("Mirror twice moves point %d from %v to %v", i, s[i], mm[i])
		}
	}
	if m := s.Mirror(512); m[JawLast].X != 511-s[JawFirst].X || m[JawLast].Y != s[JawFirst].Y {
		t.Errorf("Mirror: jaw end %v, want the mirrored jaw start of %v", m[JawLast], s[JawFirst])
	}
}

func TestRoll(t *testing.T) {
	s := loadAstronautRef(t)
	base := s.Roll()
	for _, deg := range []float64{-30, 15, 60} {
		if got := rotated(s, s[NoseTip], deg).Roll(); math.Abs(got-(base+deg)) > 1e-6 {
			t.Errorf("rotated by %v: roll %v, want %v", deg, got, base+deg)
		}
	}
	if got := s.Mirror(512).Roll(); math.Abs(got+base) > 1e-9 {
		t.Errorf("mirrored roll %v, want %v", got, -base)
	}
}

func TestCentroidAndEyes(t *testing.T) {
	var s Shape
	for i := RightEyeFirst; i <= LeftEyeLast; i++ {
		s[i] = Point{float64(i), float64(2 * i)}
	}
	if got, want := s.RightEye(), (Point{38.5, 77}); got != want {
		t.Errorf("RightEye %v, want %v", got, want)
	}
	if got, want := s.LeftEye(), (Point{44.5, 89}); got != want {
		t.Errorf("LeftEye %v, want %v", got, want)
	}
	if got, want := s.InterOcular(), math.Hypot(6, 12); got != want {
		t.Errorf("InterOcular %v, want %v", got, want)
	}
}
