package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/occfer/occfer/synth"
)

// TestTrainEvalPredictCamCommands drives the four commands on a tiny synth set (ResNet-18,
// 112 input, one epoch): it checks the wiring and the output formats, not accuracy (that is
// train's end-to-end test).
func TestTrainEvalPredictCamCommands(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "syn")
	if _, err := synth.Generate(data, synth.Options{Train: 14, Test: 7, Seed: 4}); err != nil {
		t.Fatal(err)
	}
	run := filepath.Join(dir, "run")
	out, err := runFFRA(t, "train", data, "--val", "again="+data, "--arch", "resnet18", "--input-size", "112",
		"--epochs", "1", "-b", "7", "--device", "cpu", "--workers", "2", "--threads", "1", "-q", "-o", run)
	if err != nil || !strings.Contains(out, "done: 1 epochs") {
		t.Fatalf("train: %v\n%s", err, out)
	}
	for _, f := range []string{"config.json", "metrics.jsonl", "report.json", "curves.png", "confusion_test.png", "confusion_again.png", "best/model.safetensors", "last/optimizer.safetensors"} {
		if _, err := os.Stat(filepath.Join(run, f)); err != nil {
			t.Fatalf("run folder lacks %s", f)
		}
	}
	if _, err := runFFRA(t, "train", "--resume", "-o", run, "--lr", "3", "--device", "cpu"); err == nil ||
		!strings.HasPrefix(err.Error(), "--lr cannot change on --resume") {
		t.Fatalf("resume with a changed setting: %v", err)
	}
	if out, err := runFFRA(t, "train", "--resume", "-o", run, "--device", "cpu", "-q"); err != nil || !strings.Contains(out, "done: 1 epochs") {
		t.Fatalf("resume of a finished run: %v\n%s", err, out)
	}

	out, err = runFFRA(t, "eval", run, data, "--json", "--device", "cpu", "--threads", "1")
	if err != nil {
		t.Fatalf("eval: %v\n%s", err, out)
	}
	var res []struct {
		Name      string `json:"name"`
		Images    int    `json:"images"`
		Acc       float64
		Confusion struct {
			M [][]int `json:"matrix"`
		} `json:"confusion"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || len(res) != 1 || res[0].Name != "syn" || res[0].Images != 7 || len(res[0].Confusion.M) != 7 {
		t.Fatalf("eval JSON: %v\n%s", err, out)
	}
	out, err = runFFRA(t, "eval", run, data, "--json=false", "--device", "cpu")
	if err != nil || !strings.Contains(out, "mean-class-acc") || !strings.Contains(out, "true\\pred") {
		t.Fatalf("eval table: %v\n%s", err, out)
	}

	img := filepath.Join(data, "Image/aligned/test_0001_aligned.jpg")
	bad := filepath.Join(dir, "bad.png")
	os.WriteFile(bad, []byte("not a png"), 0o644)
	out, err = runFFRA(t, "predict", run, img, bad, "--json", "--device", "cpu")
	if err == nil || !strings.Contains(err.Error(), "1 of 2 images could not be read") {
		t.Fatalf("predict with a corrupt image: %v", err)
	}
	var preds []struct {
		Path  string             `json:"path"`
		Label string             `json:"label"`
		Probs map[string]float32 `json:"probabilities"`
	}
	if err := json.Unmarshal([]byte(out), &preds); err != nil || len(preds) != 1 || len(preds[0].Probs) != 7 {
		t.Fatalf("predict JSON: %v\n%s", err, out)
	}
	sum := float32(0)
	for _, p := range preds[0].Probs {
		sum += p
	}
	if sum < 0.999 || sum > 1.001 || preds[0].Probs[preds[0].Label] <= 0 {
		t.Fatalf("probabilities sum to %v: %+v", sum, preds[0])
	}

	cams := filepath.Join(dir, "cams")
	out, err = runFFRA(t, "cam", run, img, "-o", cams, "--device", "cpu")
	if err != nil {
		t.Fatalf("cam: %v\n%s", err, out)
	}
	if st, err := os.Stat(filepath.Join(cams, "test_0001_aligned_cam.png")); err != nil || st.Size() < 1000 {
		t.Fatalf("cam PNG: %v", err)
	}
}
