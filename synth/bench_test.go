package synth

import (
	"fmt"
	"path/filepath"
	"testing"
)

// BenchmarkFace measures drawing alone (no JPEG, no disk), one goroutine.
func BenchmarkFace(b *testing.B) {
	i := 0
	for b.Loop() {
		if _, _, err := Face(1, fmt.Sprintf("Image/aligned/train_%05d_aligned.jpg", i%1000+1), i%7, 100); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "images/s")
}

// BenchmarkGenerate measures the whole run (draw, JPEG, atomic write) with all CPUs.
func BenchmarkGenerate(b *testing.B) {
	const n = 200
	for b.Loop() {
		if _, err := Generate(filepath.Join(b.TempDir(), "o"), Options{Train: n, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "images/s")
}
