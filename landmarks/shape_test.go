package landmarks

import (
	"image"
	"math"
	"testing"

	"gocv.io/x/gocv"
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
	_, s := loadAstronautRef(t)
	mm := s.Mirror(512).Mirror(512)
	for i := range s {
		if dist(mm[i], s[i]) > 1e-9 {
			t.Fatalf("Mirror twice moves point %d from %v to %v", i, s[i], mm[i])
		}
	}
	if m := s.Mirror(512); m[JawLast].X != 511-s[JawFirst].X || m[JawLast].Y != s[JawFirst].Y {
		t.Errorf("Mirror: jaw end %v, want the mirrored jaw start of %v", m[JawLast], s[JawFirst])
	}
}

// TestMirrorMatchesFlippedDetection: the landmarks dlib finds on the flipped
// image are the mirror of the original ones.
func TestMirrorMatchesFlippedDetection(t *testing.T) {
	img, f := astronautFace(t)
	flipped := gocv.NewMat()
	defer flipped.Close()
	gocv.Flip(img, &flipped, 1)
	faces, err := testPredictor(t).Detect(flipped)
	if err != nil || len(faces) != 1 {
		t.Fatalf("%d faces, %v", len(faces), err)
	}
	m := f.Points.Mirror(img.Cols())
	e := meanError(faces[0].Points, m)
	t.Logf("flipped detection vs Mirror: mean error %.3f", e)
	if e > 0.06 {
		t.Errorf("mean error %.3f of the inter-ocular distance between flipped detection and Mirror", e)
	}
	if math.Abs(faces[0].Points.Roll()+f.Points.Roll()) > 2 {
		t.Errorf("roll %v on the flipped image, original %v", faces[0].Points.Roll(), f.Points.Roll())
	}
}

func TestRollAndYaw(t *testing.T) {
	_, s := loadAstronautRef(t)
	base := s.Roll()
	c := s[NoseTip]
	rot := func(deg float64) Shape {
		r := deg * math.Pi / 180
		tf := similarity{a: math.Cos(r), b: math.Sin(r)}
		tf.tx = c.X - (tf.a*c.X - tf.b*c.Y)
		tf.ty = c.Y - (tf.b*c.X + tf.a*c.Y)
		return tf.shape(s)
	}
	for _, deg := range []float64{-30, 15, 60} {
		r := rot(deg)
		if got := r.Roll(); math.Abs(got-(base+deg)) > 1e-6 {
			t.Errorf("rotated by %v: roll %v, want %v", deg, got, base+deg)
		}
		// Yaw is measured along the jaw line, so roll must not change it.
		if math.Abs(r.Yaw()-s.Yaw()) > 1e-6 {
			t.Errorf("rotated by %v: yaw %v, unrotated %v", deg, r.Yaw(), s.Yaw())
		}
	}
	// Nose tip moved toward image right by a quarter of the jaw width: face
	// turned toward image right, positive yaw, asin(0.5) = 30 degrees.
	turned := s
	half := dist(s[JawFirst], s[JawLast]) / 2
	mid := Point{(s[JawFirst].X + s[JawLast].X) / 2, (s[JawFirst].Y + s[JawLast].Y) / 2}
	ux, uy := (s[JawLast].X-s[JawFirst].X)/(2*half), (s[JawLast].Y-s[JawFirst].Y)/(2*half)
	turned[NoseTip] = Point{mid.X + 0.5*half*ux, mid.Y + 0.5*half*uy}
	if y := turned.Yaw(); math.Abs(y-30) > 1e-6 {
		t.Errorf("yaw %v, want 30", y)
	}
	if y := turned.Mirror(512).Yaw(); math.Abs(y+30) > 1e-6 {
		t.Errorf("mirrored yaw %v, want -30", y)
	}
}
