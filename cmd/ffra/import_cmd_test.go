package main

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/occfer/occfer/synth"
)

// TestImportCommand: ffra import is strict by default, --partial lets the classifier be
// missing, and eval, predict and cam take the .pth itself given --arch.
func TestImportCommand(t *testing.T) {
	tv := tvFiles(t, "mobilenet_v2", "")
	dir := t.TempDir()
	data := filepath.Join(dir, "syn")
	if _, err := synth.Generate(data, synth.Options{Train: 7, Test: 7, Seed: 4}); err != nil {
		t.Fatal(err)
	}
	weights, imagenet := filepath.Join(tv, "weights.pth"), filepath.Join(tv, "imagenet.pth")
	ck := filepath.Join(dir, "ck", "m.safetensors")

	out, err := runFFRA(t, "import", weights, "-o", ck, "--arch", "mobilenet_v2", "--input-size", "64")
	if err != nil || !strings.Contains(out, "mobilenet_v2 with 7 classes (Surprise, Fear") || !strings.Contains(out, "0 left at init") {
		t.Fatalf("import: %v\n%s", err, out)
	}
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"other architecture", []string{weights, "--arch", "resnet18"}, []string{"state_dict does not fit resnet18", "unexpected (not in the model): classifier.1.bias", "missing from the file: conv1.weight"}},
		{"head of another size", []string{imagenet, "--arch", "mobilenet_v2", "--num-classes", "7"}, []string{"classifier.1.weight: file [1000 1280], model [7 1280]"}},
		{"class names and count disagree", []string{weights, "--arch", "mobilenet_v2", "--classes", "a,b", "--num-classes", "7"}, []string{"2 class names for --num-classes 7"}},
		{"unknown arch", []string{weights, "--arch", "vgg19"}, []string{"unknown model variant \"vgg19\""}},
		{"output is the input", []string{weights, "--arch", "mobilenet_v2", "-o", weights}, []string{"is FILE itself"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := filepath.Join(dir, "bad", tc.name+".safetensors")
			args := append([]string{"import", "-o", bad}, tc.args...)
			_, err := runFFRA(t, args...)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q: %v", w, err)
				}
			}
			if _, err := os.Stat(bad); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a refused import wrote %s", bad)
			}
		})
	}
	out, err = runFFRA(t, "import", imagenet, "-o", filepath.Join(dir, "partial.safetensors"), "--arch", "mobilenet_v2", "--num-classes", "7", "--partial")
	if err != nil || !strings.Contains(out, "2 left at init") || !strings.Contains(out, "left at init: classifier.1.weight, classifier.1.bias") {
		t.Fatalf("import --partial: %v\n%s", err, out)
	}

	// eval on the checkpoint and on the .pth directly give the same figures (the loss to
	// float32 summation order: libtorch's CPU kernels may split a sum differently per call)
	img := filepath.Join(data, "Image/aligned/test_0001_aligned.jpg")
	fromCkpt, err := runFFRA(t, "eval", ck, data, "--json", "--device", "cpu")
	if err != nil {
		t.Fatalf("eval checkpoint: %v\n%s", err, fromCkpt)
	}
	fromPth, err := runFFRA(t, "eval", weights, data, "--json", "--device", "cpu", "--arch", "mobilenet_v2", "--input-size", "64")
	if err != nil || !sameEval(t, fromPth, fromCkpt) {
		t.Fatalf("eval .pth: %v\n%s\nvs checkpoint\n%s", err, fromPth, fromCkpt)
	}
	if _, err := runFFRA(t, "predict", weights, img, "--device", "cpu"); err == nil || !strings.Contains(err.Error(), "ffra import "+weights) {
		t.Fatalf("predict .pth without --arch: %v", err)
	}
	if _, err := runFFRA(t, "predict", ck, img, "--device", "cpu", "--arch", "resnet50"); err == nil || !strings.Contains(err.Error(), "is an ffra checkpoint of mobilenet_v2, not resnet50") {
		t.Fatalf("predict with a contradicting --arch: %v", err)
	}
	if out, err := runFFRA(t, "predict", weights, img, "--device", "cpu", "--arch", "mobilenet_v2", "--input-size", "64"); err != nil || !strings.Contains(out, "test_0001_aligned") {
		t.Fatalf("predict .pth: %v\n%s", err, out)
	}
	cams := filepath.Join(dir, "cams")
	if out, err := runFFRA(t, "cam", weights, img, "-o", cams, "--device", "cpu", "--arch", "mobilenet_v2", "--input-size", "64"); err != nil {
		t.Fatalf("cam .pth: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(cams, "test_0001_aligned_cam.png")); err != nil {
		t.Fatal(err)
	}
}

// sameEval compares two eval --json outputs: everything equal but the loss, within a relative
// 1e-5 (float32 sums of a few hundred terms: one run measured 4.4765216 against 4.4765102).
func sameEval(t *testing.T, a, b string) bool {
	t.Helper()
	var x, y []map[string]any
	if err := json.Unmarshal([]byte(a), &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(b), &y); err != nil {
		t.Fatal(err)
	}
	if len(x) != len(y) || len(x) == 0 {
		return false
	}
	for i := range x {
		lx, _ := x[i]["loss"].(float64)
		ly, _ := y[i]["loss"].(float64)
		if math.Abs(lx-ly) > 1e-5*math.Max(1, math.Abs(ly)) {
			return false
		}
		delete(x[i], "loss")
		delete(y[i], "loss")
	}
	return reflect.DeepEqual(x, y)
}
