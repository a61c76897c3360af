package face3d

import (
	"math/rand/v2"
	"testing"
)

// Speed target: a pose fit per face must stay a small part of drawing an overlay on a 100×100
// crop (a few tens of microseconds).
//
//	go test ./face3d -run '^$' -bench . -benchmem
func BenchmarkFitPose(b *testing.B) {
	s := project(NewPose(35, -10, 5, 40, 50, 50), 0.02, rand.New(rand.NewPCG(1, 1)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := FitPose(&s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkClassifyJaw(b *testing.B) {
	p := NewPose(45, 0, 0, 40, 50, 50)
	_, visible := conventions(p)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ReferenceHead.ClassifyJaw(p, &visible)
	}
}
