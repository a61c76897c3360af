package train

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/occfer/occfer/train/rundir"
)

// An interrupted run resumed from last/ must end exactly where an uninterrupted run ends:
// same metrics in every epoch, same weights, same Adam moments. The interrupted half also
// uses other worker counts, which must not matter either. Both runs use 3 libtorch threads
// (multi-threaded reductions); the resume asks for the default (0: the CPUs available) and
// must take the run's 3 from config.json instead.
func TestResumeMatchesUninterrupted(t *testing.T) {
	data := synthData(t, "synth70", 70, 35, 2)
	cfg := testConfig()
	cfg.Epochs = 2
	cfg.Runtime.Threads = 3
	cfg.Augment.EraseP = 0.5 // exercise every random draw of the loader
	full := filepath.Join(t.TempDir(), "full")
	if _, err := Run(context.Background(), Options{Config: cfg, TrainPath: data, OwnTest: "test", Out: full}); err != nil {
		t.Fatal(err)
	}
	part := filepath.Join(t.TempDir(), "part")
	c1 := cfg
	c1.Runtime.Workers = 1
	rep, err := Run(context.Background(), Options{Config: c1, TrainPath: data, OwnTest: "test", Out: part, StopAfter: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Interrupted || rep.Epochs != 1 {
		t.Fatalf("stop-after 1: epochs %d interrupted %v", rep.Epochs, rep.Interrupted)
	}
	// A fresh run into the same folder is refused: it would destroy the run.
	if _, err := Run(context.Background(), Options{Config: cfg, TrainPath: data, OwnTest: "test", Out: part}); err == nil || !strings.Contains(err.Error(), "--resume") {
		t.Fatalf("overwriting a run folder: %v", err)
	}
	c2 := cfg
	c2.Runtime.Workers = 3
	c2.Runtime.Threads = 0 // the run's own count
	c2.Epochs = 99         // ignored on resume: config.json rules
	rep, err = Run(context.Background(), Options{Config: c2, Out: part, Resume: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Interrupted || rep.Epochs != 2 || rep.Threads != 3 {
		t.Fatalf("resumed run: epochs %d interrupted %v threads %d; want 2, false, 3", rep.Epochs, rep.Interrupted, rep.Threads)
	}
	var stored rundir.Config
	if err := rundir.ReadJSON(filepath.Join(part, rundir.ConfigFile), &stored); err != nil || stored.Runtime.Threads != 3 {
		t.Fatalf("config.json records threads %d (%v), want 3", stored.Runtime.Threads, err)
	}
	a, _ := rundir.ReadMetrics(full)
	b, _ := rundir.ReadMetrics(part)
	if len(a) != 2 || len(b) != 2 {
		t.Fatalf("metrics: %d and %d epochs", len(a), len(b))
	}
	for i := range a {
		ta, tb := a[i].Sets["test"], b[i].Sets["test"]
		if a[i].TrainLoss != b[i].TrainLoss || a[i].TrainAcc != b[i].TrainAcc || ta.Loss != tb.Loss || ta.Acc != tb.Acc {
			t.Fatalf("epoch %d differs: uninterrupted train loss %v acc %v test loss %v acc %v; resumed %v %v %v %v",
				i+1, a[i].TrainLoss, a[i].TrainAcc, ta.Loss, ta.Acc, b[i].TrainLoss, b[i].TrainAcc, tb.Loss, tb.Acc)
		}
	}
	t.Logf("epoch 2: train loss %.6f, test acc %.4f (both runs)", a[1].TrainLoss, a[1].Sets["test"].Acc)
	for _, f := range []string{"last/model.safetensors", "last/optimizer.safetensors"} {
		x, err1 := os.ReadFile(filepath.Join(full, f))
		y, err2 := os.ReadFile(filepath.Join(part, f))
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if !bytes.Equal(x, y) {
			t.Fatalf("%s differs between the uninterrupted and the resumed run", f)
		}
	}
}
