package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/occfer/occfer/synth"
	"github.com/occfer/occfer/train/rundir"
)

// tvFiles makes torchvision state_dicts with testdata/torchref/tvref.py (randomised weights in
// torchvision's layout: weights.pth with 7 classes, imagenet.pth with the 1000-class head,
// names behind prefix when given), or skips without torch.
func tvFiles(t *testing.T, arch, prefix string) string {
	t.Helper()
	py := os.Getenv("OCCFER_TORCH_PYTHON")
	if py == "" {
		py = "/usr/bin/python3"
	}
	if out, err := exec.Command(py, "-c", "import torch, torchvision").CombinedOutput(); err != nil {
		t.Skipf("%s lacks torch/torchvision: %v: %s", py, err, out)
	}
	dir := t.TempDir()
	args := []string{filepath.Join("..", "..", "testdata", "torchref", "tvref.py"), "make", "--arch", arch,
		"--classes", "7", "--size", "64", "--out", dir, "--imagenet", "--prefix", prefix}
	if out, err := exec.Command(py, args...).CombinedOutput(); err != nil {
		t.Fatalf("tvref.py: %v\n%s", err, out)
	}
	return dir
}

// TestTrainPretrainedChecks: --pretrained refuses files that do not fit before the run folder
// exists (so the same command can be rerun), records the counts in config.json when it loads,
// and --pretrained-partial loads what fits.
func TestTrainPretrainedChecks(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "syn")
	if _, err := synth.Generate(data, synth.Options{Train: 7, Test: 7, Seed: 4}); err != nil {
		t.Fatal(err)
	}
	mobile := tvFiles(t, "mobilenet_v2", "")
	encoder := tvFiles(t, "mobilenet_v2", "encoder.")
	common := []string{"train", data, "--input-size", "64", "--epochs", "1", "-b", "7", "--device", "cpu", "--workers", "2", "-q"}
	train := func(run string, extra ...string) (string, error) {
		return runFFRA(t, append(append(append([]string{}, common...), "-o", run), extra...)...)
	}
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"names match nothing", []string{"--arch", "resnet18", "--pretrained", filepath.Join(mobile, "imagenet.pth")},
			[]string{"0 of the backbone's 100 tensors load (0%, need 90%)", "262 unexpected (not in the model): classifier.1.bias, classifier.1.weight, features.0.0.weight", "--pretrained-partial loads what fits"}},
		{"encoder. prefix", []string{"--arch", "mobilenet_v2", "--pretrained", filepath.Join(encoder, "imagenet.pth")},
			[]string{"0 of the backbone's", `behind the prefix "encoder."`}},
		{"nothing fits even partially", []string{"--arch", "resnet18", "--pretrained", filepath.Join(encoder, "imagenet.pth"), "--pretrained-partial"},
			[]string{"no tensor of the file fits the model"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run := filepath.Join(dir, "runs", strings.ReplaceAll(tc.name, " ", "-"))
			for attempt := 0; attempt < 2; attempt++ { // the rerun meets the same check, not "already holds a run"
				_, err := train(run, tc.args...)
				if err == nil {
					t.Fatal("accepted")
				}
				for _, w := range tc.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("attempt %d: error lacks %q: %v", attempt+1, w, err)
					}
				}
				if _, err := os.Stat(run); !errors.Is(err, os.ErrNotExist) {
					t.Fatalf("a refused --pretrained left %s behind", run)
				}
			}
		})
	}

	run := filepath.Join(dir, "runs", "ok")
	out, err := train(run, "--arch", "mobilenet_v2", "--pretrained", filepath.Join(mobile, "imagenet.pth"))
	if err != nil || !strings.Contains(out, "done: 1 epochs") {
		t.Fatalf("train --pretrained: %v\n%s", err, out)
	}
	var cfg rundir.Config
	raw, err := os.ReadFile(filepath.Join(run, rundir.ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &cfg); err != nil {
		t.Fatal(err)
	}
	pl := cfg.PretrainedLoad
	if pl == nil || pl.LeftAtInit != 2 || pl.Loaded != pl.Backbone || pl.BackboneLoaded != pl.Backbone || pl.Ignored != 2+52 || cfg.Model.Arch != "mobilenet_v2" {
		t.Fatalf("config.json: arch %q, pretrained_load %+v", cfg.Model.Arch, pl)
	}

	// A ResNet-34 file holds every ResNet-18 tensor with its shape, plus more blocks: refused,
	// unless --pretrained-partial, which loads the ResNet-18 part and ignores the rest.
	r34 := filepath.Join(tvFiles(t, "resnet34", ""), "imagenet.pth")
	run = filepath.Join(dir, "runs", "r34")
	if _, err := train(run, "--arch", "resnet18", "--pretrained", r34); err == nil ||
		!strings.Contains(err.Error(), "100 of the backbone's 100 tensors load (100%, need 90%); 80 unexpected (not in the model): layer1.2.bn1.bias") {
		t.Fatalf("ResNet-34 into ResNet-18: %v", err)
	}
	out, err = train(run, "--arch", "resnet18", "--pretrained", r34, "--pretrained-partial")
	if err != nil || !strings.Contains(out, "done: 1 epochs") {
		t.Fatalf("ResNet-34 into ResNet-18 with --pretrained-partial: %v\n%s", err, out)
	}
	if err := rundir.ReadJSON(filepath.Join(run, rundir.ConfigFile), &cfg); err != nil {
		t.Fatal(err)
	}
	if pl := cfg.PretrainedLoad; cfg.PretrainedMode != rundir.PretrainedPartial || pl == nil || pl.Loaded != 100 || pl.LeftAtInit != 2 || pl.Ignored != 2+36+80 {
		t.Fatalf("config.json: mode %q, pretrained_load %+v", cfg.PretrainedMode, cfg.PretrainedLoad)
	}
}
