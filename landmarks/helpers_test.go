package landmarks

import (
	"flag"
	"image"
	"math"
	"sync"
	"testing"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/imageio"
	"github.com/occfer/occfer/landmarks/face68"
)

var update = flag.Bool("update", false, "rewrite testdata/landmarks/astronaut.json from dlib's output")

const astronautPath = "../testdata/astronaut.png"

var (
	sharedOnce sync.Once
	sharedP    *Predictor
	sharedErr  error
)

// testPredictor loads the model once for the whole test binary (it takes
// about two seconds); tests must not Close it.
func testPredictor(tb testing.TB) *Predictor {
	tb.Helper()
	sharedOnce.Do(func() { sharedP, sharedErr = Open(DefaultModelPath) })
	if sharedErr != nil {
		tb.Fatal(sharedErr)
	}
	return sharedP
}

func readImage(tb testing.TB, path string) gocv.Mat {
	tb.Helper()
	img := gocv.IMRead(path, gocv.IMReadColor)
	if img.Empty() {
		tb.Fatalf("cannot read %s", path)
	}
	tb.Cleanup(func() { img.Close() })
	return img
}

// astronautFace detects the one face of the fixture.
func astronautFace(tb testing.TB) (gocv.Mat, Face) {
	tb.Helper()
	img := readImage(tb, astronautPath)
	faces, err := testPredictor(tb).Detect(img)
	if err != nil {
		tb.Fatal(err)
	}
	if len(faces) != 1 {
		tb.Fatalf("astronaut: %d faces, want 1", len(faces))
	}
	return img, faces[0]
}

// alignedCrop makes a RAF-DB-style aligned crop of the face with landmarks s:
// eye line level, eye midpoint at (0.5+dx, 0.38) and mouth centre at height
// 0.75 of a size x size image, times scale around the eye midpoint. It
// returns the crop and the map from image to crop coordinates.
func alignedCrop(tb testing.TB, img gocv.Mat, s face68.Shape, size int, dx, scale float64) (gocv.Mat, cropMap) {
	tb.Helper()
	const eyeY, mouthY = 0.38, 0.75
	r, l := s.RightEye(), s.LeftEye()
	em := face68.Point{X: (r.X + l.X) / 2, Y: (r.Y + l.Y) / 2}
	mm := face68.Centroid(s[face68.OuterLipFirst : face68.OuterLipLast+1])
	ang := math.Atan2(l.Y-r.Y, l.X-r.X)
	k := (mouthY - eyeY) * float64(size) / face68.Distance(mm, em) * scale
	t := cropMap{a: math.Cos(-ang) * k, b: math.Sin(-ang) * k}
	t.tx = (0.5+dx)*float64(size) - (t.a*em.X - t.b*em.Y)
	t.ty = eyeY*float64(size) - (t.b*em.X + t.a*em.Y)
	m := [3][3]float64{{t.a, -t.b, t.tx}, {t.b, t.a, t.ty}, {0, 0, 1}}
	out, err := imageio.Warp(img, m, image.Pt(size, size), gocv.InterpolationArea, gocv.BorderReplicate)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { out.Close() })
	return out, t
}

// cropMap is the similarity x' = a*x - b*y + tx, y' = b*x + a*y + ty that alignedCrop
// applies to the image.
type cropMap struct{ a, b, tx, ty float64 }

// shape maps every landmark of s.
func (t cropMap) shape(s face68.Shape) face68.Shape {
	var o face68.Shape
	for i, p := range s {
		o[i] = face68.Point{X: t.a*p.X - t.b*p.Y + t.tx, Y: t.b*p.X + t.a*p.Y + t.ty}
	}
	return o
}

// meanError is the mean point distance divided by the inter-ocular distance of want.
func meanError(got, want face68.Shape) float64 {
	var sum float64
	for i := range got {
		sum += face68.Distance(got[i], want[i])
	}
	return sum / float64(len(got)) / want.InterOcular()
}
