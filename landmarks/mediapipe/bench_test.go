package mediapipe

import "testing"

// BenchmarkDetect is BlazeFace on the 512x512 astronaut (letterbox, scale to 128, the net,
// anchor decoding), on one thread as occlude runs it.
func BenchmarkDetect(b *testing.B) {
	l := openTest(b)
	img := loadAstronaut(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if d, err := l.Detect(img, DefaultMinScore); err != nil || len(d) != 1 {
			b.Fatalf("%d faces, %v", len(d), err)
		}
	}
}

// BenchmarkLandmarks is FaceMesh's MeshPasses passes (crop, net, mapping) on one face.
func BenchmarkLandmarks(b *testing.B) {
	l := openTest(b)
	img := loadAstronaut(b)
	dets, err := l.Detect(img, DefaultMinScore)
	if err != nil || len(dets) != 1 {
		b.Fatalf("%d faces, %v", len(dets), err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := l.Landmarks(img, dets[0].Box); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpen is loading both models: reading, checking digests, converting, and OpenCV's
// import of the converted graphs.
func BenchmarkOpen(b *testing.B) {
	for i := 0; i < b.N; i++ {
		l, err := Open("")
		if err != nil {
			b.Fatal(err)
		}
		l.Close()
	}
}
