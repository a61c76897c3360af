package train

import (
	"context"
	"fmt"
	"testing"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/internal/benchenv"
	"github.com/occfer/occfer/internal/procstat"
	"github.com/occfer/occfer/model"
	"github.com/occfer/occfer/model/ffranet"
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
// (host batch -> tensor, forward, cross-entropy, backward, our Adam) at batch 16, with
// FFRA_THREADS libtorch threads (default: the CPUs available, as ffra); the PyTorch reference
// of the same step is testdata/torchref/bench_step.py at the same --threads:
//
//	FFRA_THREADS=1 go test ./train -run '^$' -bench TrainStep/ffra-112 -benchtime 10x
//	/usr/bin/python3 testdata/torchref/bench_step.py --size 112 --batch 16 --steps 10 --threads 1

func benchSet(b *testing.B) *loader.Set {
	return loadSplit(b, synthData(b, "synth-bench", 256, 0, 3), "train")
}

// newCPUModel builds a freshly initialised model (seed 1) of a variant at input
// size on the CPU, with the trainer's default Adam. The caller closes it.
func newCPUModel(tb testing.TB, variant string, size int) (*model.Model, *Adam) {
	tb.Helper()
	cfg, err := ffranet.ConfigFor(variant)
	if err != nil {
		tb.Fatal(err)
	}
	cfg.InputSize = size
	m, err := model.New(cfg, gotch.CPU, 1)
	if err != nil {
		tb.Fatal(err)
	}
	adam, err := newAdamFor(m, DefaultConfig().Optim)
	if err != nil {
		m.Close()
		tb.Fatal(err)
	}
	return m, adam
}

// loadSplit decodes one split of a dataset tree into memory.
func loadSplit(tb testing.TB, data, split string) *loader.Set {
	tb.Helper()
	d, err := dataset.Open(data, dataset.OpenOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	samples, _ := loader.SplitSamples(d, split)
	set, err := loader.Load(context.Background(), split, samples, loader.LoadOptions{Workers: 2, CacheBytes: 1 << 30})
	if err != nil {
		tb.Fatal(err)
	}
	return set
}

func BenchmarkTrainStep(b *testing.B) {
	set := benchSet(b)
	for _, variant := range []string{"ffra", "resnet18"} {
		for _, size := range []int{112, 224} {
			b.Run(fmt.Sprintf("%s-%d-batch16", variant, size), func(b *testing.B) {
				defer benchenv.Threads(b, model.SetThreads)()
				m, adam := newCPUModel(b, variant, size)
				defer m.Close()
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

// BenchmarkTrainMemory reports RSS over a 110-step loop of the trainer's own
// step (batch 4, 112, cycling over 4 batches). RSS grows while libtorch's
// allocator and Adam's state warm up, then stays flat; rss-grow-MB is the
// growth over the last 30 steps. (Before build/gotch's leak patch, in-place
// ops leaked about 165 MB per step here.)
func BenchmarkTrainMemory(b *testing.B) {
	set := loadSplit(b, synthData(b, "synth-leak", 16, 0, 5), "train")
	var batches []*loader.Batch
	for bt := range set.Batches(context.Background(), 0, loader.BatchConfig{Size: 112, BatchSize: 4, Workers: 1, Seed: 1}) {
		batches = append(batches, bt)
	}
	for i := 0; i < b.N; i++ {
		m, adam := newCPUModel(b, "ffra", 112)
		step := 0
		run := func(n int) {
			for ; n > 0; n-- {
				if _, _, err := trainStep(m, adam, batches[step%len(batches)], 1e-4, 0); err != nil {
					b.Fatal(err)
				}
				step++
			}
		}
		run(50)
		mid := rssMB(b)
		run(30)
		before := rssMB(b)
		run(30)
		after := rssMB(b)
		m.Close()
		b.ReportMetric(mid, "RSS-MB-50")
		b.ReportMetric(before, "RSS-MB-80")
		b.ReportMetric(after, "RSS-MB-110")
		b.ReportMetric(after-before, "rss-grow-MB")
	}
}

// rssMB is this process's RSS in MiB.
func rssMB(tb testing.TB) float64 {
	mb, err := procstat.RSSMB()
	if err != nil {
		tb.Skip(err)
	}
	return mb
}
