package train

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/occfer/occfer/train/rundir"
)

// An interrupted run resumed from last/ must end exactly where an uninterrupted run ends:
// same metrics in every epoch, same weights, same Adam moments. The interrupted half also
// uses other worker counts, which must not matter either. Both runs use 3 libtorch threads
// (multi-threaded reductions); the resume asks for the default (0: the CPUs available) and
// must take the run's 3 from config.json instead.
func TestResumeMatchesUninterrupted(t *testing.T) {
	data, cfg, full := uninterruptedRun(t)
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
	sameRun(t, full, part, "last/model.safetensors", "last/optimizer.safetensors")
}

var (
	fullRunOnce sync.Once
	fullRunDir  string
	fullRunErr  error
)

// uninterruptedRun trains the resume tests' reference run once: 2 epochs on 70 synth images
// with 3 libtorch threads and random erasing on (every random draw of the loader).
func uninterruptedRun(t *testing.T) (data string, cfg rundir.Config, dir string) {
	t.Helper()
	data = synthData(t, "synth70", 70, 35, 2)
	cfg = testConfig()
	cfg.Epochs = 2
	cfg.Runtime.Threads = 3
	cfg.Augment.EraseP = 0.5
	fullRunOnce.Do(func() {
		fullRunDir = filepath.Join(fixtureRoot, "resume-full")
		_, fullRunErr = Run(context.Background(), Options{Config: cfg, TrainPath: data, OwnTest: "test", Out: fullRunDir})
	})
	if fullRunErr != nil {
		t.Fatal(fullRunErr)
	}
	return data, cfg, fullRunDir
}

// sameRun checks that two run folders hold the same metrics in every epoch (all but the
// wall-clock fields) and the same bytes in files.
func sameRun(t *testing.T, full, part string, files ...string) {
	t.Helper()
	a, _ := rundir.ReadMetrics(full)
	b, _ := rundir.ReadMetrics(part)
	if len(a) != 2 || len(b) != 2 {
		t.Fatalf("metrics: %d and %d epochs", len(a), len(b))
	}
	for i := range a {
		ta, tb := a[i].Sets["test"], b[i].Sets["test"]
		if a[i].Epoch != b[i].Epoch || a[i].TrainLoss != b[i].TrainLoss || a[i].TrainAcc != b[i].TrainAcc || ta.Loss != tb.Loss || ta.Acc != tb.Acc || a[i].Best != b[i].Best {
			t.Fatalf("epoch %d differs: uninterrupted train loss %v acc %v test loss %v acc %v; resumed %v %v %v %v",
				i+1, a[i].TrainLoss, a[i].TrainAcc, ta.Loss, ta.Acc, b[i].TrainLoss, b[i].TrainAcc, tb.Loss, tb.Acc)
		}
	}
	t.Logf("epoch 2: train loss %.6f, test acc %.4f (both runs)", a[1].TrainLoss, a[1].Sets["test"].Acc)
	for _, f := range files {
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

// A run killed with -9 while it wrote its first last/ checkpoint (after epoch 1's metrics line
// and best/) holds config.json, one metrics line, best/ and a last/ without state.json (or
// only last.partial). --resume starts it over from config.json, first dropping the metrics
// line of the unfinished epoch, and ends where the uninterrupted run ends.
func TestResumeBeforeFirstCheckpoint(t *testing.T) {
	data, cfg, full := uninterruptedRun(t)
	for _, tc := range []struct {
		name   string
		break_ func(t *testing.T, run string)
	}{
		{"last without state.json", func(t *testing.T, run string) {
			if err := os.Remove(filepath.Join(run, rundir.LastDir, StateFile)); err != nil {
				t.Fatal(err)
			}
		}},
		{"only last.partial, torn", func(t *testing.T, run string) {
			last := filepath.Join(run, rundir.LastDir)
			if err := os.Rename(last, last+".partial"); err != nil {
				t.Fatal(err)
			}
			if err := os.Remove(filepath.Join(last+".partial", OptimFile)); err != nil {
				t.Fatal(err)
			}
			if err := os.Remove(filepath.Join(last+".partial", StateFile)); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			part := filepath.Join(t.TempDir(), "part")
			if _, err := Run(context.Background(), Options{Config: cfg, TrainPath: data, OwnTest: "test", Out: part, StopAfter: 1}); err != nil {
				t.Fatal(err)
			}
			tc.break_(t, part)
			if h, _ := rundir.ReadMetrics(part); len(h) != 1 {
				t.Fatalf("the killed run holds %d metrics lines, want epoch 1's", len(h))
			}
			// A resume stopped at once (before epoch 1 ends) has already dropped the line of
			// the epoch it redoes.
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			if _, err := Run(ctx, Options{Out: part, Resume: true}); err == nil {
				t.Fatal("a resume with a cancelled context finished")
			}
			if h, err := rundir.ReadMetrics(part); err != nil || len(h) != 0 {
				t.Fatalf("after the restart began, metrics.jsonl holds %d lines (%v), want none", len(h), err)
			}
			rep, err := Run(context.Background(), Options{Out: part, Resume: true})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Interrupted || rep.Epochs != 2 {
				t.Fatalf("restarted run: epochs %d interrupted %v", rep.Epochs, rep.Interrupted)
			}
			sameRun(t, full, part, "last/model.safetensors", "last/optimizer.safetensors", "best/model.safetensors")
		})
	}
}
