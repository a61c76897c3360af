package loader

import (
	"context"
	"fmt"
	"testing"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/synth"
)

// BenchmarkLoader measures the training input pipeline alone (cached 100x100 RAF-DB-style
// JPEGs -> augmented, normalised CHW batches of 16), reporting images/s. The training loop
// needs it to run well ahead of the model: compare with BenchmarkTrainStep in package train.
//
//	go test -run '^$' -bench Loader -benchtime 3x ./train/loader/
func BenchmarkLoader(b *testing.B) {
	dir := b.TempDir()
	if _, err := synth.Generate(dir, synth.Options{Train: 256, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	d, err := dataset.Open(dir, dataset.OpenOptions{})
	if err != nil {
		b.Fatal(err)
	}
	samples, _ := SplitSamples(d, "train")
	set, err := Load(context.Background(), "bench", samples, LoadOptions{Workers: 2, CacheBytes: DefaultCacheBytes})
	if err != nil {
		b.Fatal(err)
	}
	for _, size := range []int{112, 224} {
		b.Run(fmt.Sprintf("size%d/workers2", size), func(b *testing.B) {
			aug := DefaultAug()
			cfg := BatchConfig{Size: size, BatchSize: 16, Workers: 2, Prefetch: 4, Seed: 1, Shuffle: true, Aug: &aug}
			n := 0
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for bt := range set.Batches(context.Background(), i, cfg) {
					if bt.Err != nil {
						b.Fatal(bt.Err)
					}
					n += bt.N
					bt.Release()
				}
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "images/s")
		})
	}
}
