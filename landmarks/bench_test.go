package landmarks

import (
	"image"
	"sync/atomic"
	"testing"

	"gocv.io/x/gocv"
)

// Run: go test ./landmarks -run '^$' -bench . -benchmem
// One goroutine per op; the runner's throughput on n cores is about n / (ns/op).

func BenchmarkDetect512(b *testing.B) {
	img := readImage(b, astronautPath)
	p := testPredictor(b)
	b.ResetTimer()
	for b.Loop() {
		if f, err := p.Detect(img); err != nil || len(f) != 1 {
			b.Fatal(len(f), err)
		}
	}
}

func BenchmarkDetectCrop100(b *testing.B) {
	img, face := astronautFace(b)
	crop, _ := alignedCrop(b, img, face.Points, 100, 0, 1)
	p := testPredictor(b)
	b.ResetTimer()
	for b.Loop() {
		if f, err := p.Detect(crop); err != nil || len(f) != 1 {
			b.Fatal(len(f), err)
		}
	}
}

// BenchmarkDetectNoFace100 is the worst case of Detect on a crop: nothing
// found at scale 1, so the 2x upsampled pass runs too.
func BenchmarkDetectNoFace100(b *testing.B) {
	blank := gocv.NewMatWithSize(100, 100, gocv.MatTypeCV8UC3)
	defer blank.Close()
	p := testPredictor(b)
	b.ResetTimer()
	for b.Loop() {
		if f, err := p.Detect(blank); err != nil || len(f) != 0 {
			b.Fatal(len(f), err)
		}
	}
}

// BenchmarkDetectAlignedFallback100: detection fails (both passes), then the
// predictor runs on the aligned box.
func BenchmarkDetectAlignedFallback100(b *testing.B) {
	blank := gocv.NewMatWithSize(100, 100, gocv.MatTypeCV8UC3)
	defer blank.Close()
	p := testPredictor(b)
	b.ResetTimer()
	for b.Loop() {
		if f, err := p.DetectAligned(blank, DefaultAlignedBox); err != nil || len(f) != 1 {
			b.Fatal(len(f), err)
		}
	}
}

// BenchmarkPredictAligned100 is the fallback alone (no detection): the path
// for runs that trust the crops to be aligned.
func BenchmarkPredictAligned100(b *testing.B) {
	img, face := astronautFace(b)
	crop, _ := alignedCrop(b, img, face.Points, 100, 0, 1)
	p := testPredictor(b)
	b.ResetTimer()
	for b.Loop() {
		if _, err := p.PredictAligned(crop, DefaultAlignedBox); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPredictInBox512(b *testing.B) {
	img := readImage(b, astronautPath)
	p := testPredictor(b)
	box := image.Rect(179, 83, 267, 171)
	b.ResetTimer()
	for b.Loop() {
		if _, err := p.PredictInBox(img, box); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDetectCrop100Parallel measures throughput with GOMAXPROCS
// goroutines sharing one Predictor (each borrows its own detector).
func BenchmarkDetectCrop100Parallel(b *testing.B) {
	img, face := astronautFace(b)
	crop, _ := alignedCrop(b, img, face.Points, 100, 0, 1)
	p := testPredictor(b)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if f, err := p.Detect(crop); err != nil || len(f) != 1 {
				b.Error(len(f), err)
				return
			}
		}
	})
}

func BenchmarkPredictAligned100Parallel(b *testing.B) {
	img, face := astronautFace(b)
	crop, _ := alignedCrop(b, img, face.Points, 100, 0, 1)
	p := testPredictor(b)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := p.PredictAligned(crop, DefaultAlignedBox); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkPredictAligned100Varied cycles over 32 different crops, so the
// leaves each prediction reads are rarely still in the cache: closer to a
// dataset run than BenchmarkPredictAligned100, which predicts one crop again
// and again (its ~4 MB of leaves stay in L2/L3).
func BenchmarkPredictAligned100Varied(b *testing.B) {
	crops := variedCrops(b)
	p := testPredictor(b)
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if _, err := p.PredictAligned(crops[i%len(crops)], DefaultAlignedBox); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkDetectAlignedNativeFallback100 is BenchmarkDetectAlignedFallback100
// without the 2x upsampled pass: one native-scale detection, then the box.
func BenchmarkDetectAlignedNativeFallback100(b *testing.B) {
	blank := gocv.NewMatWithSize(100, 100, gocv.MatTypeCV8UC3)
	defer blank.Close()
	p := testPredictor(b)
	b.ResetTimer()
	for b.Loop() {
		if f, err := p.DetectAlignedNative(blank, DefaultAlignedBox); err != nil || len(f) != 1 {
			b.Fatal(len(f), err)
		}
	}
}

// variedCrops are 32 aligned 100x100 crops of the astronaut at different
// rolls and scales.
func variedCrops(b *testing.B) []gocv.Mat {
	img, face := astronautFace(b)
	var crops []gocv.Mat
	for i := range 32 {
		c, _ := alignedCrop(b, img, face.Points, 100, 0.02*float64(i%5-2), 0.9+0.025*float64(i%8))
		crops = append(crops, c)
	}
	return crops
}

// BenchmarkPredictAligned100VariedParallel is the varied crops with
// GOMAXPROCS goroutines sharing the predictor: the occlude run's case, where
// workers compete for the memory bandwidth the leaf reads need.
func BenchmarkPredictAligned100VariedParallel(b *testing.B) {
	crops := variedCrops(b)
	p := testPredictor(b)
	var next atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c := crops[int(next.Add(1))%len(crops)]
			if _, err := p.PredictAligned(c, DefaultAlignedBox); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
