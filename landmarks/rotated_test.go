package landmarks

import (
	"image"
	"image/color"
	"math"
	"testing"

	"gocv.io/x/gocv"
)

// rolledAstronaut is testdata/astronaut.png rotated by deg (counter-clockwise on screen)
// about its centre, and where the centre of the upright face's HOG box lands.
func rolledAstronaut(t *testing.T, deg float64) (gocv.Mat, image.Point, int) {
	t.Helper()
	src, face := astronautFace(t)
	c := image.Pt(src.Cols()/2, src.Rows()/2)
	rm := gocv.GetRotationMatrix2D(c, deg, 1)
	defer rm.Close()
	out := gocv.NewMat()
	gocv.WarpAffineWithParams(src, &out, rm, image.Pt(src.Cols(), src.Rows()), gocv.InterpolationLinear, gocv.BorderReplicate, color.RGBA{})
	fx := float64(face.Box.Min.X+face.Box.Max.X-1) / 2
	fy := float64(face.Box.Min.Y+face.Box.Max.Y-1) / 2
	x := rm.GetDoubleAt(0, 0)*fx + rm.GetDoubleAt(0, 1)*fy + rm.GetDoubleAt(0, 2)
	y := rm.GetDoubleAt(1, 0)*fx + rm.GetDoubleAt(1, 1)*fy + rm.GetDoubleAt(1, 2)
	return out, image.Pt(int(math.Round(x)), int(math.Round(y))), face.Box.Dx()
}

func TestDetectFacesRotated(t *testing.T) {
	p := testPredictor(t)
	// Rolled by 60 deg, the face is beyond HOG's range upright; rotating the image back by
	// either angle's opposite finds it (the other angle turns it to 120 deg: nothing).
	for _, deg := range []float64{-60, 60} {
		img, want, side := rolledAstronaut(t, deg)
		defer img.Close()
		upright, err := p.DetectFaces(img, false)
		if err != nil || len(upright) != 0 {
			t.Fatalf("%v deg: upright HOG found %v (%v); the fixture should defeat it", deg, upright, err)
		}
		faces, err := p.DetectFacesRotated(img, []float64{-60, 60})
		if err != nil {
			t.Fatal(err)
		}
		if len(faces) != 1 {
			t.Fatalf("%v deg: %d faces, want 1: %v", deg, len(faces), faces)
		}
		f := faces[0]
		got := image.Pt((f.Box.Min.X+f.Box.Max.X-1)/2, (f.Box.Min.Y+f.Box.Max.Y-1)/2)
		d := math.Hypot(float64(got.X-want.X), float64(got.Y-want.Y))
		if d > 0.2*float64(side) || f.Box.Dx() != f.Box.Dy() || f.Box.Dx() < side*2/3 || f.Box.Dx() > side*3/2 ||
			f.Detector != DetectorHOGRotated || f.Source != SourceDetected || f.Score < 0 {
			t.Errorf("%v deg: face %+v centred at %v, want a rotated-HOG box of about %d px centred within %.0f px of %v",
				deg, f, got, side, 0.2*float64(side), want)
		}
	}
}

func TestDetectFacesFloor(t *testing.T) {
	p := testPredictor(t)
	img, face := astronautFace(t)
	same, err := p.DetectFacesFloor(img, 0)
	if err != nil || len(same) != 1 || same[0].Box != face.Box || same[0].Score != face.Score {
		t.Errorf("floor 0: %v (%v), want the upright detection %v score %.4f", same, err, face.Box, face.Score)
	}
	if _, err := p.DetectFacesFloor(img, 0.1); err == nil {
		t.Error("floor 0.1: no error")
	}
	turned := turnedAstronaut(t, false)
	defer turned.Close()
	weak, err := p.DetectFacesFloor(turned, -0.6)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range weak {
		if f.Score < -0.6 || f.Score >= 0 || f.Detector != DetectorHOG {
			t.Errorf("turned fixture: detection %v score %.3f, want a HOG score in [-0.6, 0) (nothing scores 0 there)", f.Box, f.Score)
		}
		c := image.Pt((f.Box.Min.X+f.Box.Max.X)/2, (f.Box.Min.Y+f.Box.Max.Y)/2)
		found = found || math.Hypot(float64(c.X-256), float64(c.Y-250)) < 15
	}
	if !found {
		t.Errorf("turned fixture, floor -0.6: %d detections, none centred within 15 px of the face at (256, 250)", len(weak))
	}
}
