package landmarks

import (
	"errors"
	"image"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/landmarks/face68"
)

func TestOpenMissingModel(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.dat")
	_, err := Open(missing)
	if err == nil || !strings.Contains(err.Error(), missing) || !strings.Contains(err.Error(), "libdlib-data") {
		t.Fatalf("err = %v, want one naming %s and libdlib-data", err, missing)
	}
}

func TestOpenNotAModel(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.dat")
	if err := os.WriteFile(bad, []byte("not a dlib model"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Open(bad)
	if err == nil || !strings.Contains(err.Error(), bad) {
		t.Fatalf("err = %v, want a load error naming %s", err, bad)
	}
}

func near(a, b image.Rectangle, tol int) bool {
	abs := func(v int) int { return max(v, -v) }
	return abs(a.Min.X-b.Min.X) <= tol && abs(a.Min.Y-b.Min.Y) <= tol &&
		abs(a.Max.X-b.Max.X) <= tol && abs(a.Max.Y-b.Max.Y) <= tol
}

func TestDetectAstronaut(t *testing.T) {
	_, f := astronautFace(t)
	// dlib (and its Python binding) reports [(179, 83) (266, 170)] inclusive.
	if want := image.Rect(179, 83, 267, 171); !near(f.Box, want, 2) {
		t.Errorf("box %v, want about %v", f.Box, want)
	}
	if f.Score <= 0 || f.Source != SourceDetected {
		t.Errorf("score %v source %q", f.Score, f.Source)
	}
	s := f.Points
	re, le := s.RightEye(), s.LeftEye()
	nose := s[face68.NoseTip]
	mouth := face68.Centroid(s[face68.OuterLipFirst : face68.OuterLipLast+1])
	if !(re.X < le.X) {
		t.Errorf("right eye %v not left of left eye %v in the image", re, le)
	}
	if !(math.Max(re.Y, le.Y) < nose.Y && nose.Y < mouth.Y && mouth.Y < s[8].Y) {
		t.Errorf("eyes %v %v, nose %v, mouth %v, chin %v not top to bottom", re, le, nose, mouth, s[8])
	}
	for _, e := range []face68.Point{re, le} {
		if !image.Pt(int(e.X), int(e.Y)).In(f.Box) {
			t.Errorf("eye centre %v outside box %v", e, f.Box)
		}
	}
	if iod := s.InterOcular(); iod < 0.35*float64(f.Box.Dx()) || iod > 0.6*float64(f.Box.Dx()) {
		t.Errorf("inter-ocular %v for a %d px box", iod, f.Box.Dx())
	}
	if nose.X < re.X || nose.X > le.X {
		t.Errorf("nose tip %v not between the eyes", nose)
	}
	if r := s.Roll(); r < 0 || r > 8 {
		t.Errorf("roll %v, want the slight clockwise tilt (0..8 degrees)", r)
	}
	if y := s.YawRatio(); math.Abs(y) > 0.17 { // about sin(10°): within 10° of frontal
		t.Errorf("yaw ratio %v for a frontal face", y)
	}
}

func TestPredictInBoxMatchesDetect(t *testing.T) {
	img, f := astronautFace(t)
	s, err := testPredictor(t).PredictInBox(img, f.Box)
	if err != nil {
		t.Fatal(err)
	}
	if s != f.Points {
		t.Errorf("PredictInBox differs from Detect's landmarks in the same box")
	}
	if _, err := testPredictor(t).PredictInBox(img, image.Rectangle{}); err == nil {
		t.Error("empty box accepted")
	}
}

// TestDetectSmallFace: at 0.3x the face is ~26 px, below the HOG window, so
// only the upsampled pass finds it.
func TestDetectSmallFace(t *testing.T) {
	img, big := astronautFace(t)
	small := gocv.NewMat()
	defer small.Close()
	gocv.Resize(img, &small, image.Point{}, 0.3, 0.3, gocv.InterpolationArea)
	p := testPredictor(t)

	buf, _, err := matBuffer(small)
	if err != nil {
		t.Fatal(err)
	}
	det, _ := p.getDetector()
	raw, err := detectRaw(det, buf, 0, 0, nil)
	p.putDetector(det)
	if err != nil || len(raw) != 0 {
		t.Fatalf("without upsampling: %v %v, want no face", raw, err)
	}

	faces, err := p.Detect(small)
	if err != nil || len(faces) != 1 {
		t.Fatalf("Detect: %d faces, %v; want 1", len(faces), err)
	}
	// The upsampled pass has coarser scales, so its box is larger than
	// 0.3 x (179,83)-(267,171) = (54,25)-(80,51); its centre must agree.
	c := faces[0].Box.Min.Add(faces[0].Box.Max).Div(2)
	if d := c.Sub(image.Pt(67, 38)); max(d.X, -d.X, d.Y, -d.Y) > 5 {
		t.Errorf("box %v centred at %v, want about (67,38)", faces[0].Box, c)
	}
	var scaled face68.Shape
	for i, q := range big.Points {
		scaled[i] = face68.Point{X: q.X * 0.3, Y: q.Y * 0.3}
	}
	e := meanError(faces[0].Points, scaled)
	t.Logf("small face: box %v, mean error %.3f of the inter-ocular distance", faces[0].Box, e)
	if e > 0.15 {
		t.Errorf("mean landmark error %.3f of the inter-ocular distance, want < 0.15", e)
	}
}

// DetectFaces gives Detect's faces, in Detect's order, without landmarks:
// on the astronaut at full size, on a 0.3x copy (found by the upsampled
// pass, so not with nativeOnly), and none on a blank image. Filled in by
// PredictBatch they are Detect's faces, points included.
func TestDetectFacesMatchesDetect(t *testing.T) {
	img, _ := astronautFace(t)
	small := gocv.NewMat()
	defer small.Close()
	gocv.Resize(img, &small, image.Point{}, 0.3, 0.3, gocv.InterpolationArea)
	blank := gocv.NewMatWithSize(120, 160, gocv.MatTypeCV8UC3)
	defer blank.Close()
	p := testPredictor(t)
	for name, m := range map[string]gocv.Mat{"full": img, "small": small, "blank": blank} {
		want, err := p.Detect(m)
		if err != nil {
			t.Fatal(err)
		}
		faces, err := p.DetectFaces(m, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(faces) != len(want) {
			t.Fatalf("%s: %d faces, Detect found %d", name, len(faces), len(want))
		}
		var jobs []FaceBox
		for _, f := range faces {
			jobs = append(jobs, FaceBox{Img: m, Box: f.Box})
		}
		shapes, errs := p.PredictBatch(jobs)
		for i := range faces {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			faces[i].Points = shapes[i]
			if faces[i] != want[i] {
				t.Errorf("%s: face %d is %+v, Detect's is %+v", name, i, faces[i], want[i])
			}
		}
		native, err := p.DetectFaces(m, true)
		if err != nil {
			t.Fatal(err)
		}
		wantNative := map[string]int{"full": 1, "small": 0, "blank": 0}[name]
		if len(native) != wantNative {
			t.Errorf("%s: native pass found %d faces, want %d", name, len(native), wantNative)
		}
		if name != "blank" && len(faces) != 1 {
			t.Errorf("%s: %d faces, want 1", name, len(faces))
		}
	}
}

func TestDetectNoFace(t *testing.T) {
	blank := gocv.NewMatWithSize(120, 160, gocv.MatTypeCV8UC3)
	defer blank.Close()
	faces, err := testPredictor(t).Detect(blank)
	if err != nil || len(faces) != 0 {
		t.Fatalf("blank image: %v, %v; want no faces", faces, err)
	}
}

// TestDetectTinyImage: images smaller than the HOG window are not errors.
func TestDetectTinyImage(t *testing.T) {
	for _, n := range []int{1, 7, 30} {
		tiny := gocv.NewMatWithSize(n, n, gocv.MatTypeCV8UC3)
		faces, err := testPredictor(t).Detect(tiny)
		tiny.Close()
		if err != nil || len(faces) != 0 {
			t.Errorf("%dx%d: %v, %v", n, n, faces, err)
		}
	}
}

func TestDetectBadImage(t *testing.T) {
	p := testPredictor(t)
	empty := gocv.NewMat()
	defer empty.Close()
	if _, err := p.Detect(empty); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty Mat: %v", err)
	}
	gray := gocv.NewMatWithSize(50, 50, gocv.MatTypeCV8U)
	defer gray.Close()
	if _, err := p.Detect(gray); err == nil || !strings.Contains(err.Error(), "BGR") {
		t.Errorf("gray Mat: %v", err)
	}
}

// TestDetectROI: a region of a larger Mat (non-continuous rows) gives the
// same face as the whole image. The region starts at the origin because HOG
// cells are anchored there: a shifted region would legitimately move the box
// by a few pixels.
func TestDetectROI(t *testing.T) {
	img, f := astronautFace(t)
	roi := img.Region(image.Rect(0, 0, 400, 400))
	defer roi.Close()
	if roi.IsContinuous() {
		t.Fatal("ROI unexpectedly continuous; the test would not exercise the clone path")
	}
	faces, err := testPredictor(t).Detect(roi)
	if err != nil || len(faces) != 1 {
		t.Fatalf("%d faces, %v", len(faces), err)
	}
	if faces[0].Box != f.Box || faces[0].Points != f.Points {
		t.Errorf("ROI face %v differs from the whole-image face %v", faces[0].Box, f.Box)
	}
}

// TestConcurrentDetect: many goroutines share one Predictor; every result
// must equal the sequential one (run with -race).
func TestConcurrentDetect(t *testing.T) {
	img, want := astronautFace(t)
	crop, _ := alignedCrop(t, img, want.Points, 100, 0, 1)
	p := testPredictor(t)
	wantCrop, err := p.Detect(crop)
	if err != nil || len(wantCrop) != 1 {
		t.Fatal(len(wantCrop), err)
	}
	const workers, rounds = 8, 6
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				in, ref := crop, wantCrop[0]
				if (w+r)%3 == 0 {
					in, ref = img, want
				}
				got, err := p.Detect(in)
				switch {
				case err != nil:
					errs <- err
				case len(got) != 1 || got[0] != ref:
					errs <- errors.New("concurrent result differs from the sequential one")
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestClose(t *testing.T) {
	p, err := Open(DefaultModelPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	img := readImage(t, astronautPath)
	if _, err := p.Detect(img); !errors.Is(err, ErrClosed) {
		t.Errorf("Detect after Close: %v", err)
	}
	if _, err := p.PredictInBox(img, image.Rect(0, 0, 10, 10)); !errors.Is(err, ErrClosed) {
		t.Errorf("PredictInBox after Close: %v", err)
	}
}

// TestFastPredictorMatchesDlib: the flattened evaluator (fast_predictor.h)
// gives the landmarks of dlib's own shape_predictor (exactly, once rounded
// half up as dlib rounds them into integer points) for boxes on,
// around and off the face, in the full image and in an aligned crop.
func TestFastPredictorMatchesDlib(t *testing.T) {
	img, f := astronautFace(t)
	crop, _ := alignedCrop(t, img, f.Points, 100, 0, 1)
	p := testPredictor(t)
	for _, c := range []struct {
		img   gocv.Mat
		boxes []image.Rectangle
	}{
		{img, []image.Rectangle{f.Box, f.Box.Add(image.Pt(9, -7)), f.Box.Inset(-15), f.Box.Inset(20), image.Rect(0, 0, 80, 80), image.Rect(-30, 440, 60, 530)}},
		{crop, []image.Rectangle{DefaultAlignedBox.Rect(100, 100), image.Rect(5, 5, 95, 95)}},
	} {
		buf, _, err := matBuffer(c.img)
		if err != nil {
			t.Fatal(err)
		}
		want, err := referencePredict(DefaultModelPath, buf, c.boxes)
		if err != nil {
			t.Fatal(err)
		}
		for i, box := range c.boxes {
			got, err := p.PredictInBox(c.img, box)
			if err != nil {
				t.Fatal(err)
			}
			for k := range got {
				r := face68.Point{X: math.Floor(got[k].X + 0.5), Y: math.Floor(got[k].Y + 0.5)}
				if r != want[i][k] {
					t.Errorf("box %v point %d: %v rounds to %v, dlib gives %v", box, k, got[k], r, want[i][k])
				}
			}
			if got == want[i] {
				t.Errorf("box %v: all 68 points integral; sub-pixel output lost", box)
			}
		}
	}
}
