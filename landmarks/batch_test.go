package landmarks

import (
	"image"
	"strings"
	"testing"

	"gocv.io/x/gocv"
)

// TestPredictBatchMatchesSingle: every face of a batch gets, to the bit, the
// shape PredictInBox gives it alone, whatever else is in the batch: faces of
// several images (a 512 px photo, 100 px crops, an ROI that is not
// continuous), more faces than one evaluator call takes (maxBatch), and bad
// jobs, which get their own error without disturbing the rest.
func TestPredictBatchMatchesSingle(t *testing.T) {
	img, f := astronautFace(t)
	p := testPredictor(t)
	roi := img.Region(image.Rect(100, 20, 400, 300))
	defer roi.Close()
	gray := gocv.NewMatWithSize(100, 100, gocv.MatTypeCV8UC1)
	defer gray.Close()

	var good []FaceBox
	for i := range 10 {
		crop, _ := alignedCrop(t, img, f.Points, 100, 0.02*float64(i%5-2), 0.9+0.025*float64(i%8))
		good = append(good, FaceBox{Img: crop, Box: DefaultAlignedBox.Rect(100, 100)})
	}
	good = append(good,
		FaceBox{Img: img, Box: f.Box}, FaceBox{Img: img, Box: f.Box.Add(image.Pt(9, -7))}, FaceBox{Img: img, Box: image.Rect(-30, 440, 60, 530)},
		FaceBox{Img: roi, Box: f.Box.Sub(image.Pt(100, 20))})
	var jobs []FaceBox
	for len(jobs) < maxBatch+20 {
		jobs = append(jobs, good[len(jobs)%len(good)])
	}
	bad := map[int]string{
		3:  "empty face box",
		50: "CV_8UC3",
		77: "empty image",
	}
	jobs[3].Box = image.Rectangle{}
	jobs[50].Img = gray
	jobs[77].Img = gocv.NewMat()
	defer jobs[77].Img.Close()

	shapes, errs := p.PredictBatch(jobs)
	if len(shapes) != len(jobs) || len(errs) != len(jobs) {
		t.Fatalf("%d shapes, %d errors for %d jobs", len(shapes), len(errs), len(jobs))
	}
	for i, j := range jobs {
		if want, ok := bad[i]; ok {
			if errs[i] == nil || !strings.Contains(errs[i].Error(), want) {
				t.Errorf("job %d: error %v, want one saying %q", i, errs[i], want)
			}
			continue
		}
		if errs[i] != nil {
			t.Fatalf("job %d: %v", i, errs[i])
		}
		alone, err := p.PredictInBox(j.Img, j.Box)
		if err != nil {
			t.Fatal(err)
		}
		for k := range alone {
			if shapes[i][k] != alone[k] {
				t.Errorf("job %d (box %v) point %d: batch gives %v, alone %v", i, j.Box, k, shapes[i][k], alone[k])
				break
			}
		}
		if shapes[i] == shapes[(i+1)%len(shapes)] && i%len(good) != (i+1)%len(good) {
			t.Errorf("jobs %d and %d: different faces, same shape", i, i+1)
		}
	}
}

// TestPredictBatchClosed: a closed predictor fails every job with ErrClosed.
func TestPredictBatchClosed(t *testing.T) {
	p, err := Open("")
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
	img := gocv.NewMatWithSize(100, 100, gocv.MatTypeCV8UC3)
	defer img.Close()
	_, errs := p.PredictBatch([]FaceBox{{Img: img, Box: DefaultAlignedBox.Rect(100, 100)}, {Img: img, Box: image.Rect(0, 0, 50, 50)}})
	for i, err := range errs {
		if err != ErrClosed {
			t.Errorf("job %d: %v, want ErrClosed", i, err)
		}
	}
}
