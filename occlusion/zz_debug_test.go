package occlusion

import (
	"testing"

	"github.com/occfer/occfer/landmarks"
)

func BenchmarkZZPredict(b *testing.B) {
	p, _ := landmarks.Open("")
	defer p.Close()
	src := loadAstronaut(b)
	c := faceCrop(src, 1.3, 0, 8, 100, false)
	box := landmarks.DefaultAlignedBox.Rect(100, 100)
	b.Run("predict", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			p.PredictInBox(c, box)
		}
	})
	b.Run("detect", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			p.Detect(c)
		}
	})
}
