package train

import (
	"context"
	"runtime/debug"
	"testing"

	"github.com/occfer/occfer/model"
	"github.com/occfer/occfer/train/loader"
)

// The trainer's own step and eval batch free every tensor they make: with
// the Go GC off (so no finalizer frees a forgotten tensor), the number of
// live tensors is the same after every step once Adam's state exists.
func TestStepAndEvalFreeTheirTensors(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	data := synthData(t, "synth-leak", 16, 0, 5)
	set := loadSplit(t, data, "train")
	m, adam := newCPUModel(t, "ffra", 112)
	defer m.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var batches []*loader.Batch
	for b := range set.Batches(ctx, 0, loader.BatchConfig{Size: 112, BatchSize: 4, Workers: 1, Seed: 1}) {
		batches = append(batches, b)
	}
	if len(batches) < 4 {
		t.Fatalf("got %d batches from 16 images at batch 4", len(batches))
	}
	if _, _, err := trainStep(m, adam, batches[0], 1e-4, 0); err != nil {
		t.Fatal(err)
	}
	base := model.LiveTensors()
	if base < 0 {
		t.Fatal("cannot parse gotch's CheckCMemLeak report")
	}
	for i, b := range batches[1:] {
		if _, _, err := trainStep(m, adam, b, 1e-4, 0); err != nil {
			t.Fatal(err)
		}
		if n := model.LiveTensors(); n != base {
			t.Fatalf("train step %d: %d live tensors, %d after the first step (leaks %d per step)", i+2, n, base, n-base)
		}
		if _, _, err := evalBatch(m, b); err != nil {
			t.Fatal(err)
		}
		if n := model.LiveTensors(); n != base {
			t.Fatalf("eval batch %d: %d live tensors, %d before it", i+2, n, base)
		}
	}
	t.Logf("%d live tensors (parameters, buffers, Adam state) after each of %d steps", base, len(batches))
}
