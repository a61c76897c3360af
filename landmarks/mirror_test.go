package landmarks

import (
	"math"
	"testing"

	"gocv.io/x/gocv"
)

// TestMirrorMatchesFlippedDetection: the landmarks dlib finds on the flipped
// image are the mirror of the original ones (face68.Shape.Mirror).
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
