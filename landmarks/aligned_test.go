package landmarks

import (
	"image"
	"image/color"
	"math"
	"testing"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/landmarks/face68"
)

func TestAlignedBoxRect(t *testing.T) {
	b := AlignedBox{0.13, 0.21, 0.87, 0.95}
	if got, want := b.Rect(100, 100), image.Rect(13, 21, 87, 95); got != want {
		t.Errorf("Rect(100,100) = %v, want %v", got, want)
	}
	if got, want := b.Rect(200, 50), image.Rect(26, 11, 174, 48); got != want {
		t.Errorf("Rect(200,50) = %v, want %v", got, want)
	}
	if got := AlignedBoxOf(image.Rect(13, 21, 87, 95), 100, 100); got != b {
		t.Errorf("AlignedBoxOf = %+v, want %+v", got, b)
	}
	for _, bad := range []AlignedBox{{0.5, 0, 0.4, 1}, {0, 0.5, 1, 0.5}, {math.NaN(), 0, 1, 1}} {
		if bad.Valid() {
			t.Errorf("%+v reported valid", bad)
		}
	}
}

func TestCalibrateAlignedBox(t *testing.T) {
	var boxes []AlignedBox
	for i := range MinCalibrationBoxes - 1 {
		d := float64(i%5) * 0.01 // 0..0.04, median 0.02
		boxes = append(boxes, AlignedBox{0.1 + d, 0.2 + d, 0.8 + d, 0.9 + d})
	}
	if _, ok := CalibrateAlignedBox(boxes); ok {
		t.Fatalf("%d boxes accepted, minimum is %d", len(boxes), MinCalibrationBoxes)
	}
	// Invalid boxes do not count towards the minimum.
	if _, ok := CalibrateAlignedBox(append(boxes, AlignedBox{1, 1, 0, 0})); ok {
		t.Fatal("an invalid box counted towards the minimum")
	}
	// One outlier (a wrong detection) must not move the median.
	boxes = append(boxes, AlignedBox{0.9, 0.9, 5, 5})
	got, ok := CalibrateAlignedBox(boxes)
	if !ok {
		t.Fatal("not calibrated")
	}
	want := AlignedBox{0.12, 0.22, 0.82, 0.92}
	for i, v := range [4][2]float64{{got.X0, want.X0}, {got.Y0, want.Y0}, {got.X1, want.X1}, {got.Y1, want.Y1}} {
		if math.Abs(v[0]-v[1]) > 1e-9 {
			t.Errorf("coordinate %d = %v, want %v", i, v[0], v[1])
		}
	}
}

// TestDefaultAlignedBoxCalibration redoes the measurement behind
// DefaultAlignedBox: dlib's boxes on 18 RAF-DB-style 100x100 crops of the
// astronaut (shifted, scaled, mirrored).
func TestDefaultAlignedBoxCalibration(t *testing.T) {
	img, f := astronautFace(t)
	p := testPredictor(t)
	var boxes []AlignedBox
	for _, dx := range []float64{-0.03, 0, 0.03} {
		for _, scale := range []float64{0.9, 1, 1.1} {
			crop, _ := alignedCrop(t, img, f.Points, 100, dx, scale)
			flipped := gocv.NewMat()
			defer flipped.Close()
			gocv.Flip(crop, &flipped, 1)
			for _, in := range []gocv.Mat{crop, flipped} {
				faces, err := p.Detect(in)
				if err != nil || len(faces) == 0 {
					t.Fatalf("crop dx=%v scale=%v: %d faces, %v", dx, scale, len(faces), err)
				}
				boxes = append(boxes, AlignedBoxOf(faces[0].Box, 100, 100))
			}
		}
	}
	got, ok := CalibrateAlignedBox(boxes)
	if !ok {
		t.Fatalf("%d boxes not enough", len(boxes))
	}
	d := DefaultAlignedBox
	if math.Abs(got.X0-d.X0) > 0.005 || math.Abs(got.Y0-d.Y0) > 0.005 || math.Abs(got.X1-d.X1) > 0.005 || math.Abs(got.Y1-d.Y1) > 0.005 {
		t.Errorf("calibrated %+v, DefaultAlignedBox is %+v", got, d)
	}
}

// TestPredictAlignedCrop: on an aligned crop the fallback (no detection)
// must land close to the full image's landmarks mapped into the crop.
func TestPredictAlignedCrop(t *testing.T) {
	img, f := astronautFace(t)
	p := testPredictor(t)
	for _, c := range []struct{ dx, scale float64 }{{0, 1}, {0.03, 1}, {0, 0.9}, {-0.03, 1.1}} {
		crop, tf := alignedCrop(t, img, f.Points, 100, c.dx, c.scale)
		want := tf.shape(f.Points)
		got, err := p.PredictAligned(crop, DefaultAlignedBox)
		if err != nil {
			t.Fatal(err)
		}
		if got.Source != SourceAlignedFallback || got.Box != image.Rect(13, 21, 86, 94) {
			t.Errorf("source %q box %v", got.Source, got.Box)
		}
		e := meanError(got.Points, want)
		t.Logf("crop %+v: mean error %.3f of the inter-ocular distance", c, e)
		if e > 0.06 {
			t.Errorf("crop %+v: mean error %.3f of the inter-ocular distance, want < 0.06", c, e)
		}
	}
}

// TestDetectAlignedFallback: a crop whose lower face is hidden under a mask
// defeats HOG, so DetectAligned must fall back; the eyes, which are still
// visible, must be found where they are.
func TestDetectAlignedFallback(t *testing.T) {
	img, f := astronautFace(t)
	crop, tf := alignedCrop(t, img, f.Points, 100, 0, 1)
	gocv.Rectangle(&crop, image.Rect(0, 55, 100, 100), color.RGBA{200, 200, 200, 0}, -1)
	p := testPredictor(t)
	if faces, err := p.Detect(crop); err != nil || len(faces) != 0 {
		t.Fatalf("masked crop: %d faces detected, %v; the test needs a crop HOG misses", len(faces), err)
	}
	faces, err := p.DetectAligned(crop, DefaultAlignedBox)
	if err != nil || len(faces) != 1 {
		t.Fatalf("%d faces, %v", len(faces), err)
	}
	got, want := faces[0].Points, tf.shape(f.Points)
	if faces[0].Source != SourceAlignedFallback {
		t.Errorf("source %q", faces[0].Source)
	}
	iod := want.InterOcular()
	for _, e := range [][2]face68.Point{{got.RightEye(), want.RightEye()}, {got.LeftEye(), want.LeftEye()}} {
		d := face68.Distance(e[0], e[1])
		t.Logf("masked crop: eye error %.3f of the inter-ocular distance", d/iod)
		if d > 0.1*iod {
			t.Errorf("eye at %v, want %v (%.2f of the inter-ocular distance off)", e[0], e[1], d/iod)
		}
	}
	// A crop HOG does find keeps the detected face.
	clean, _ := alignedCrop(t, img, f.Points, 100, 0, 1)
	faces, err = p.DetectAligned(clean, DefaultAlignedBox)
	if err != nil || len(faces) != 1 || faces[0].Source != SourceDetected {
		t.Fatalf("clean crop: %v, %v", faces, err)
	}
	if _, err := p.PredictAligned(clean, AlignedBox{0.5, 0.5, 0.1, 0.1}); err == nil {
		t.Error("invalid aligned box accepted")
	}
}

// TestDetectAlignedNative: no upsampled pass; a crop HOG misses (lower face
// masked) takes the box, with exactly PredictAligned's landmarks, and a clean
// aligned crop is detected at native scale.
func TestDetectAlignedNative(t *testing.T) {
	img, f := astronautFace(t)
	p := testPredictor(t)
	masked, _ := alignedCrop(t, img, f.Points, 100, 0, 1)
	gocv.Rectangle(&masked, image.Rect(0, 55, 100, 100), color.RGBA{200, 200, 200, 0}, -1)
	faces, err := p.DetectAlignedNative(masked, DefaultAlignedBox)
	if err != nil || len(faces) != 1 || faces[0].Source != SourceAlignedFallback {
		t.Fatalf("masked crop: %d faces, %v; want the aligned fallback", len(faces), err)
	}
	want, err := p.PredictAligned(masked, DefaultAlignedBox)
	if err != nil || want.Points != faces[0].Points || want.Box != faces[0].Box {
		t.Errorf("fallback differs from PredictAligned (%v)", err)
	}
	clean, _ := alignedCrop(t, img, f.Points, 100, 0, 1)
	faces, err = p.DetectAlignedNative(clean, DefaultAlignedBox)
	if err != nil || len(faces) != 1 || faces[0].Source != SourceDetected {
		t.Fatalf("clean crop: %d faces, %v; want a detection", len(faces), err)
	}
	if _, err := p.DetectAlignedNative(clean, AlignedBox{0.5, 0.5, 0.1, 0.1}); err == nil {
		t.Error("invalid aligned box accepted")
	}
}
