package train

import (
	"context"
	"fmt"
	"testing"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/model"
	"github.com/occfer/occfer/train/loader"
	"github.com/sugarme/gotch"
)

// Benchmarks (CPU; none asserts a speed):
//
//	go test -run '^$' -bench . -benchtime 5x ./train/
//
// BenchmarkLoader is the input pipeline alone (decoded 100x100 synth images -> augmented,
// normalised batches, 2 workers); it must deliver several times the images/s of
// BenchmarkTrainStep. BenchmarkTrainStep is one full training step of this package
// (host batch -> tensor, forward, cross-entropy, backward, our Adam) at batch 16; the
// PyTorch reference of the same step is testdata/torchref/bench_step.py:
//
//	/usr/bin/python3 testdata/torchref/bench_step.py --size 112 --batch 16 --steps 5

func benchSet(b *testing.B) *loader.Set {
	data := synthData(b, "synth-bench", 256, 0, 3)
	d, err := dataset.Open(data, dataset.OpenOptions{})
	if err != nil {
		b.Fatal(err)
	}
	samples, _ := loader.SplitSamples(d, "train")
	set, err := loader.Load(context.Background(), "bench", samples, loader.LoadOptions{Workers: 2, CacheBytes: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	return set
}

func BenchmarkTrainStep(b *testing.B) {
	set := benchSet(b)
	for _, arch := range []string{"ffra", "resnet18"} {
		for _, size := range []int{112, 224} {
			b.Run(fmt.Sprintf("%s-%d-batch16", arch, size), func(b *testing.B) {
				cfg, err := model.ConfigFor(arch)
				if err != nil {
					b.Fatal(err)
				}
				cfg.InputSize = size
				m, err := model.New(cfg, gotch.CPU, 1)
				if err != nil {
					b.Fatal(err)
				}
				defer m.Close()
				adam, err := newAdamFor(m, DefaultConfig().Optim)
				if err != nil {
					b.Fatal(err)
				}
				aug := loader.DefaultAug()
				ctx, cancel := context.WithCancel(context.Background())
				batches := set.Batches(ctx, 0, loader.BatchConfig{Size: size, BatchSize: 16, Workers: 2, Seed: 1, Aug: &aug})
				batch := <-batches
				cancel()
				for range batches { // let the loader goroutines finish
				}
				if _, _, err := trainStep(m, adam, batch, 1e-4, 0); err != nil { // warm-up
					b.Fatal(err)
				}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if _, _, err := trainStep(m, adam, batch, 1e-4, 0); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				s := b.Elapsed().Seconds() / float64(b.N)
				b.ReportMetric(1000*s, "ms/step")
				b.ReportMetric(16/s, "images/s")
			})
		}
	}
}
