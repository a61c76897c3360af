package train

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/occfer/occfer/internal/lockfile"
	"github.com/occfer/occfer/train/rundir"
)

// dataAndVal copies the 70-image synthetic set into a fresh folder base twice, as the
// training data base/data and as a validation set base/val.
func dataAndVal(t *testing.T) (base, data, val string) {
	t.Helper()
	src := synthData(t, "synth70", 70, 35, 2)
	base = t.TempDir()
	data, val = filepath.Join(base, "data"), filepath.Join(base, "val")
	copyTree(t, src, data)
	copyTree(t, src, val)
	return base, data, val
}

// A run folder is never the training data, a test set, or inside one, and the check comes
// before the folder is created: `ffra train IN -o IN/run` would put checkpoints into the
// dataset, which a later run then reads as data.
func TestRunFolderInsideDataRefused(t *testing.T) {
	_, data, val := dataAndVal(t)
	cfg := testConfig()
	cfg.Epochs = 1
	for _, tc := range []struct {
		name string
		out  string
		val  []SetSpec
	}{
		{"inside the training data", filepath.Join(data, "run"), nil},
		{"the training data", data, nil},
		{"inside a test set", filepath.Join(val, "sub", "run"), []SetSpec{{Name: "v", Path: val}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Run(context.Background(), Options{Config: cfg, TrainPath: data, OwnTest: "test", Val: tc.val, Out: tc.out})
			if err == nil || !strings.Contains(err.Error(), "choose a folder outside the input") {
				t.Fatalf("run folder %s: %v", tc.out, err)
			}
		})
	}
	for _, p := range []string{filepath.Join(data, "run"), filepath.Join(val, "sub"), filepath.Join(data, "config.json")} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("a refused run created %s", p)
		}
	}
}

// editJSON decodes the JSON file p into a generic map, lets edit change it and writes it back.
func editJSON(t *testing.T, p string, edit func(m map[string]any)) {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	if data, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// A run folder is read back like user input on --resume: config.json must still match its own
// hash, name its test sets with plain names and keep the run folder outside every dataset it
// names; last/state.json must hold an epoch, best epoch and seed this run can have; and the
// checkpoint's own metadata (epoch, config hash, classes, model) must agree with both. An
// edited folder is refused with the file and the reason; nothing is trained from it.
func TestResumeDistrustsEditedRunFolder(t *testing.T) {
	base, data, val := dataAndVal(t)
	cfg := testConfig()
	cfg.Epochs = 2
	run := filepath.Join(base, "runs", "r")
	if _, err := Run(context.Background(), Options{Config: cfg, TrainPath: data, OwnTest: "test",
		Val: []SetSpec{{Name: "v", Path: val}}, Out: run, StopAfter: 1}); err != nil {
		t.Fatal(err)
	}
	config := func(edit func(dir string, m map[string]any)) func(dir string) {
		return func(dir string) {
			editJSON(t, filepath.Join(dir, rundir.ConfigFile), func(m map[string]any) { edit(dir, m) })
		}
	}
	state := func(edit func(m map[string]any)) func(dir string) {
		return func(dir string) { editJSON(t, filepath.Join(dir, rundir.LastDir, StateFile), edit) }
	}
	for _, tc := range []struct {
		name string
		edit func(dir string)
		want []string
	}{
		{"training data moved around the run folder", config(func(dir string, m map[string]any) {
			m["train"].(map[string]any)["path"] = filepath.Dir(dir)
		}), []string{rundir.ConfigFile, "choose a folder outside the input"}},
		{"test set name leaves the folder", config(func(_ string, m map[string]any) {
			m["test"].([]any)[1].(map[string]any)["name"] = "x/../../../escape"
		}), []string{rundir.ConfigFile, "x/../../../escape"}},
		{"settings edited", config(func(_ string, m map[string]any) { m["epochs"] = 3 }), []string{rundir.ConfigFile, "hash"}},
		{"epoch beyond the run", state(func(m map[string]any) { m["epoch"] = 99 }), []string{StateFile, "epoch 99"}},
		{"negative epoch", state(func(m map[string]any) { m["epoch"] = -1 }), []string{StateFile, "epoch -1"}},
		{"best epoch after the last", state(func(m map[string]any) { m["best_epoch"] = 2 }), []string{StateFile, "best epoch 2"}},
		{"other seed", state(func(m map[string]any) { m["seed"] = 12345 }), []string{StateFile, "seed"}},
		{"state and weights disagree", state(func(m map[string]any) { m["epoch"] = 2 }), []string{ModelFile, "epoch"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "r")
			copyTree(t, run, dir)
			tc.edit(dir)
			rep, err := Run(context.Background(), Options{Config: cfg, Out: dir, Resume: true})
			if err == nil {
				t.Fatalf("resume of an edited run folder accepted (%d epochs)", rep.Epochs)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
		})
	}
	if _, err := os.Stat(filepath.Join(base, "escape.png")); !os.IsNotExist(err) {
		t.Error("a file was written outside the run folder")
	}
}

// A run folder is written by one process at a time: while another holds its lock (here this
// process, through a second open of the lock file), a fresh run and a resume are refused with a
// message naming the holder, before anything is read or written.
func TestRunFolderLocked(t *testing.T) {
	src := synthData(t, "synth70", 70, 35, 2)
	out := filepath.Join(t.TempDir(), "run")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	held, err := lockfile.LockDir(out, "run folder")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release()
	want := fmt.Sprintf("run folder %s is in use by pid %d", out, os.Getpid())
	for _, resume := range []bool{false, true} {
		_, err := Run(context.Background(), Options{Config: testConfig(), TrainPath: src, OwnTest: "test", Out: out, Resume: resume})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("resume %v beside a holder: %v; want %q", resume, err, want)
		}
	}
	if entries, _ := os.ReadDir(out); len(entries) != 1 {
		t.Errorf("a refused run wrote into the run folder: %v", entries)
	}
}
