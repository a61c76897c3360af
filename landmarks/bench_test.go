package landmarks

import (
	"image"
	"sync/atomic"
	"testing"

	"gocv.io/x/gocv"
)

// Run: go test ./landmarks -run '^$' -bench . -benchmem
// One goroutine per op; the runner's throughput on n cores is about n / (ns/op).

// benchFaces times op, which must find want faces; b.Loop starts the clock
// after the caller's setup.
func benchFaces(b *testing.B, want int, op func() ([]Face, error)) {
	for b.Loop() {
		if f, err := op(); err != nil || len(f) != want {
			b.Fatal(len(f), err)
		}
	}
}

// benchFacesParallel is benchFaces with GOMAXPROCS goroutines sharing the
// predictor; op gets a per-call counter (to cycle over inputs).
func benchFacesParallel(b *testing.B, want int, op func(i int) ([]Face, error)) {
	var next atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if f, err := op(int(next.Add(1))); err != nil || len(f) != want {
				b.Error(len(f), err)
				return
			}
		}
	})
}

// oneFace adapts a single-face call to benchFaces.
func oneFace(f Face, err error) ([]Face, error) { return []Face{f}, err }

func BenchmarkDetect512(b *testing.B) {
	img := readImage(b, astronautPath)
	p := testPredictor(b)
	benchFaces(b, 1, func() ([]Face, error) { return p.Detect(img) })
}

func BenchmarkDetectCrop100(b *testing.B) {
	img, face := astronautFace(b)
	crop, _ := alignedCrop(b, img, face.Points, 100, 0, 1)
	p := testPredictor(b)
	benchFaces(b, 1, func() ([]Face, error) { return p.Detect(crop) })
}

// BenchmarkDetectNoFace100 is the worst case of Detect on a crop: nothing
// found at scale 1, so the 2x upsampled pass runs too.
func BenchmarkDetectNoFace100(b *testing.B) {
	blank := gocv.NewMatWithSize(100, 100, gocv.MatTypeCV8UC3)
	defer blank.Close()
	p := testPredictor(b)
	benchFaces(b, 0, func() ([]Face, error) { return p.Detect(blank) })
}

// BenchmarkDetectAlignedFallback100: detection fails (both passes), then the
// predictor runs on the aligned box.
func BenchmarkDetectAlignedFallback100(b *testing.B) {
	blank := gocv.NewMatWithSize(100, 100, gocv.MatTypeCV8UC3)
	defer blank.Close()
	p := testPredictor(b)
	benchFaces(b, 1, func() ([]Face, error) { return p.DetectAligned(blank, DefaultAlignedBox) })
}

// BenchmarkDetectAlignedNativeFallback100 is BenchmarkDetectAlignedFallback100
// without the 2x upsampled pass: one native-scale detection, then the box.
func BenchmarkDetectAlignedNativeFallback100(b *testing.B) {
	blank := gocv.NewMatWithSize(100, 100, gocv.MatTypeCV8UC3)
	defer blank.Close()
	p := testPredictor(b)
	benchFaces(b, 1, func() ([]Face, error) { return p.DetectAlignedNative(blank, DefaultAlignedBox) })
}

// BenchmarkPredictAligned100 is the fallback alone (no detection): the path
// for runs that trust the crops to be aligned.
func BenchmarkPredictAligned100(b *testing.B) {
	img, face := astronautFace(b)
	crop, _ := alignedCrop(b, img, face.Points, 100, 0, 1)
	p := testPredictor(b)
	benchFaces(b, 1, func() ([]Face, error) { return oneFace(p.PredictAligned(crop, DefaultAlignedBox)) })
}

func BenchmarkPredictInBox512(b *testing.B) {
	img := readImage(b, astronautPath)
	p := testPredictor(b)
	box := image.Rect(179, 83, 267, 171)
	benchFaces(b, 1, func() ([]Face, error) {
		s, err := p.PredictInBox(img, box)
		return []Face{{Points: s}}, err
	})
}

// BenchmarkDetectCrop100Parallel measures throughput with GOMAXPROCS
// goroutines sharing one Predictor (each borrows its own detector).
func BenchmarkDetectCrop100Parallel(b *testing.B) {
	img, face := astronautFace(b)
	crop, _ := alignedCrop(b, img, face.Points, 100, 0, 1)
	p := testPredictor(b)
	benchFacesParallel(b, 1, func(int) ([]Face, error) { return p.Detect(crop) })
}

func BenchmarkPredictAligned100Parallel(b *testing.B) {
	img, face := astronautFace(b)
	crop, _ := alignedCrop(b, img, face.Points, 100, 0, 1)
	p := testPredictor(b)
	benchFacesParallel(b, 1, func(int) ([]Face, error) { return oneFace(p.PredictAligned(crop, DefaultAlignedBox)) })
}

// BenchmarkPredictAligned100Varied cycles over 32 different crops, so the
// leaves each prediction reads are rarely still in the cache: closer to a
// dataset run than BenchmarkPredictAligned100, which predicts one crop again
// and again (its ~4 MB of leaves stay in L2/L3).
func BenchmarkPredictAligned100Varied(b *testing.B) {
	crops := variedCrops(b, 32)
	p := testPredictor(b)
	i := 0
	benchFaces(b, 1, func() ([]Face, error) {
		i++
		return oneFace(p.PredictAligned(crops[i%len(crops)], DefaultAlignedBox))
	})
}

// BenchmarkPredictAligned100VariedParallel is the varied crops with
// GOMAXPROCS goroutines sharing the predictor: the occlude run's case, where
// workers compete for the memory bandwidth the leaf reads need.
func BenchmarkPredictAligned100VariedParallel(b *testing.B) {
	crops := variedCrops(b, 32)
	p := testPredictor(b)
	benchFacesParallel(b, 1, func(i int) ([]Face, error) {
		return oneFace(p.PredictAligned(crops[i%len(crops)], DefaultAlignedBox))
	})
}

// variedCrops are n (up to 65) distinct aligned 100x100 crops of the
// astronaut at different rolls and scales.
func variedCrops(b *testing.B, n int) []gocv.Mat {
	img, face := astronautFace(b)
	var crops []gocv.Mat
	for i := range n {
		c, _ := alignedCrop(b, img, face.Points, 100, 0.02*float64(i%5-2), 0.9+0.015*float64(i%13))
		crops = append(crops, c)
	}
	return crops
}

// BenchmarkPredictAligned100VariedBatchParallel is
// BenchmarkPredictAligned100VariedParallel with PredictBatch: each goroutine
// predicts 64 varied crops (an occlude chunk) in one call. ns/op is per
// batch; ns/face is wall time per face, comparable with the ns/op of the
// unbatched benchmark.
func BenchmarkPredictAligned100VariedBatchParallel(b *testing.B) {
	crops := variedCrops(b, 64)
	p := testPredictor(b)
	var jobs []FaceBox
	for _, c := range crops {
		jobs = append(jobs, FaceBox{Img: c, Box: DefaultAlignedBox.Rect(c.Cols(), c.Rows())})
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, errs := p.PredictBatch(jobs); errs[0] != nil {
				b.Error(errs[0])
				return
			}
		}
	})
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(jobs)), "ns/face")
}
