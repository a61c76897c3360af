package model

import (
	"runtime/debug"
	"testing"

	"github.com/occfer/occfer/internal/benchenv"
	"github.com/occfer/occfer/internal/procstat"
	"github.com/occfer/occfer/model/ffranet"
	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"
)

// stepper runs forward + cross-entropy + backward + Adam steps on a fixed batch,
// freeing every per-step tensor, as the trainer is expected to.
type stepper struct {
	m    *Model
	opt  *nn.Optimizer
	x, y *ts.Tensor
}

func newStepper(tb testing.TB, variant string, batch, size int64) *stepper {
	tb.Helper()
	cfg, err := ffranet.ConfigFor(variant)
	if err != nil {
		tb.Fatal(err)
	}
	m, err := New(cfg, gotch.CPU, 1)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(m.Close)
	opt, err := nn.DefaultAdamConfig().Build(m.VarStore(), 1e-4)
	if err != nil {
		tb.Fatal(err)
	}
	x, err := ts.Randn([]int64{batch, 3, size, size}, gotch.Float, gotch.CPU)
	if err != nil {
		tb.Fatal(err)
	}
	labels := make([]int64, batch)
	for i := range labels {
		labels[i] = int64(i % cfg.NumClasses)
	}
	y, err := ts.OfSlice(labels)
	if err != nil {
		tb.Fatal(err)
	}
	return &stepper{m: m, opt: opt, x: x, y: y}
}

func (s *stepper) step() (float64, error) {
	logits, err := s.m.Forward(s.x, true)
	if err != nil {
		return 0, err
	}
	loss, err := CrossEntropy(logits, s.y)
	drop(logits)
	if err != nil {
		return 0, err
	}
	defer drop(loss)
	if err := s.opt.ZeroGrad(); err != nil {
		return 0, err
	}
	if err := loss.Backward(); err != nil {
		return 0, err
	}
	if err := s.opt.Step(); err != nil {
		return 0, err
	}
	v := make([]float32, 1)
	if err := loss.CopyData(v, 1); err != nil {
		return 0, err
	}
	return float64(v[0]), nil
}

func benchStep(b *testing.B, variant string, size int64) {
	defer benchenv.Threads(b, SetThreads)()
	s := newStepper(b, variant, 16, size)
	if _, err := s.step(); err != nil { // warm-up: allocator, Adam state
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.step(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/step")
}

// Forward + backward + Adam step, batch 16, CPU. Compare with
// testdata/torchref/bench_step.py (same step in PyTorch on the same libtorch) at the same
// thread count: FFRA_THREADS=N here, --threads N there.
func BenchmarkTrainStepFFRA112(b *testing.B)     { benchStep(b, "ffra", 112) }
func BenchmarkTrainStepFFRA224(b *testing.B)     { benchStep(b, "ffra", 224) }
func BenchmarkTrainStepResNet18112(b *testing.B) { benchStep(b, "resnet18", 112) }

// rssMB is this process's RSS in MiB.
func rssMB(tb testing.TB) float64 {
	mb, err := procstat.RSSMB()
	if err != nil {
		tb.Skip(err)
	}
	return mb
}

// A training step must free every tensor it makes: after warm-up (Adam's
// state is created on the first step), the number of live tensors is the
// same after every step. This is exact and independent of the allocator,
// unlike RSS, which glibc and libtorch's caching make noisy (the RSS figure
// is train.BenchmarkTrainMemory, on the trainer's own step).
func TestTrainStepFreesItsTensors(t *testing.T) {
	// gotch frees a forgotten tensor from a finalizer when the Go GC runs,
	// which would hide a leak at random; with the GC off, only explicit frees
	// count.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	s := newStepper(t, "ffra", 2, 112)
	first, err := s.step()
	if err != nil {
		t.Fatal(err)
	}
	if n := LiveTensors(); n < 0 {
		t.Fatal("cannot parse gotch's CheckCMemLeak report")
	}
	counts := make([]int, 0, 4)
	var last float64
	for i := 0; i < 4; i++ {
		if last, err = s.step(); err != nil {
			t.Fatal(err)
		}
		counts = append(counts, LiveTensors())
	}
	t.Logf("live tensors after steps 2..5: %v; loss %.4f -> %.4f", counts, first, last)
	for i, n := range counts[1:] {
		if n != counts[0] {
			t.Fatalf("live tensors changed from %d to %d at step %d: a step leaks %d tensors", counts[0], n, i+3, n-counts[0])
		}
	}
	// Sanity of the counter itself: one more tensor is counted, then freed.
	extra, err := ts.Ones([]int64{1}, gotch.Float, gotch.CPU)
	if err != nil {
		t.Fatal(err)
	}
	if n := LiveTensors(); n != counts[0]+1 {
		t.Fatalf("counter saw %d live tensors after creating one, want %d", n, counts[0]+1)
	}
	drop(extra)
	if n := LiveTensors(); n != counts[0] {
		t.Fatalf("counter saw %d live tensors after freeing one, want %d", n, counts[0])
	}
	if !(last < first) {
		t.Fatalf("loss did not fall on a fixed batch: %.4f -> %.4f", first, last)
	}
}
