package model

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// crossTol bounds |logit difference| between this package and PyTorch running
// the spec's model with the same weights, relative to the largest logit:
// |go - torch| <= crossTol * max(1, max|torch|). Float32 through ~25 layers;
// with the same libtorch most cases match exactly, the rest differ by
// summation order (measured worst: 9e-5 absolute).
const crossTol = 1e-4

// withinTol reports the largest difference and whether it is within crossTol.
func withinTol(got, want []float32) (float64, bool) {
	d, err := maxAbsDiff(got, want)
	if err != nil {
		return math.Inf(1), false
	}
	scale := 1.0
	for _, w := range want {
		scale = math.Max(scale, math.Abs(float64(w)))
	}
	return d, d <= crossTol*scale
}

// torchPython returns a Python with torch + torchvision (Debian's
// /usr/bin/python3 by default, OCCFER_TORCH_PYTHON to override) or skips.
func torchPython(t *testing.T) string {
	t.Helper()
	py := os.Getenv("OCCFER_TORCH_PYTHON")
	if py == "" {
		py = "/usr/bin/python3"
	}
	if out, err := exec.Command(py, "-c", "import torch, torchvision").CombinedOutput(); err != nil {
		t.Skipf("%s lacks torch/torchvision (apt-get install python3-torch python3-torchvision): %v: %s", py, err, out)
	}
	return py
}

func runPy(t *testing.T, py string, args ...string) string {
	t.Helper()
	script := filepath.Join("..", "testdata", "torchref", "crossref.py")
	out, err := exec.Command(py, append([]string{script}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("crossref.py %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

type crossCase struct {
	variant string
	size    int64
}

func crossCases(t *testing.T) []crossCase {
	if testing.Short() {
		return []crossCase{{"ffra", 112}}
	}
	return []crossCase{
		{"resnet18", 224}, {"ffra", 224}, {"ffra", 112}, {"ffra-concat", 112}, {"ffra-add", 112},
		{"ffra-ms", 112}, {"ffra-la", 112}, {"ffra-shared-la", 112}, {"ffra-layer2", 112},
	}
}

// TestCrossFrameworkPyTorch: PyTorch state_dicts (torch.save zip) load here
// and give PyTorch's logits, and checkpoints saved here load strictly into the
// PyTorch model and give this package's logits.
func TestCrossFrameworkPyTorch(t *testing.T) {
	py := torchPython(t)
	dir := t.TempDir()
	cases := crossCases(t)
	var spec []string
	for _, c := range cases {
		spec = append(spec, c.variant+":"+itoa(c.size))
	}
	runPy(t, py, "make", "--cases", strings.Join(spec, ","), "--out", dir)
	for _, c := range cases {
		t.Run(c.variant+"-"+itoa(c.size), func(t *testing.T) {
			crossCheck(t, py, filepath.Join(dir, c.variant+"-"+itoa(c.size)), c)
		})
	}
}

func crossCheck(t *testing.T, py, dir string, c crossCase) {
	m := mustNew(t, c.variant, 99)
	rep, err := m.LoadWeights(filepath.Join(dir, "weights.pth"), ImportFull)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	raw, err := os.ReadFile(filepath.Join(dir, "names.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &names); err != nil {
		t.Fatal(err)
	}
	if got, want := sorted(m.Names()), sorted(names); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("state_dict names differ from PyTorch's:\n go    %v\n torch %v", got, want)
	}
	if len(rep.Missing) != 0 || len(rep.Loaded) != len(names) {
		t.Fatalf("import report %s, missing %v", rep, rep.Missing)
	}
	for _, ig := range rep.Ignored {
		if !strings.Contains(ig, "num_batches_tracked") {
			t.Errorf("unexpected ignored entry %s", ig)
		}
	}
	x := tensorFrom(t, readF32(t, filepath.Join(dir, "input.f32")), []int64{2, 3, c.size, c.size})
	defer drop(x)

	got := evalLogits(t, m, x)
	want := readF32(t, filepath.Join(dir, "logits_eval.f32"))
	d, ok := withinTol(got, want)
	if !ok {
		t.Errorf("eval logits: max |go - torch| = %.3g (tol %g relative)\n go    %v\n torch %v", d, crossTol, got, want)
	}
	t.Logf("eval logits max |go - torch| = %.3g", d)

	// Train mode: batch statistics (the running stats it updates are reset below).
	var trainGot []float32
	err = noGrad(func() error {
		y, err := m.Forward(x, true)
		if err != nil {
			return err
		}
		trainGot = values(t, y)
		drop(y)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if d, ok := withinTol(trainGot, readF32(t, filepath.Join(dir, "logits_train.f32"))); !ok {
		t.Errorf("train-mode logits: max |go - torch| = %.3g (tol %g relative)", d, crossTol)
	}

	// Reverse: reload the imported weights (train mode moved the running
	// stats), save as safetensors and let PyTorch check our logits.
	if _, err := m.LoadWeights(filepath.Join(dir, "weights.pth"), ImportFull); err != nil {
		t.Fatal(err)
	}
	ckpt := filepath.Join(t.TempDir(), "model.safetensors")
	classes := []string{"Surprise", "Fear", "Disgust", "Happiness", "Sadness", "Anger", "Neutral"}
	if err := m.SaveCheckpoint(ckpt, classes, nil); err != nil {
		t.Fatal(err)
	}
	goLogits := filepath.Join(t.TempDir(), "go_logits.f32")
	writeF32(t, goLogits, evalLogits(t, m, x))
	out := runPy(t, py, "check", "--variant", c.variant, "--size", itoa(c.size), "--ckpt", ckpt,
		"--input", filepath.Join(dir, "input.f32"), "--logits", goLogits, "--tol", "1e-4")
	t.Logf("torch check: %s", strings.TrimSpace(out))

	if c.variant == "ffra" && c.size == 112 {
		backboneImport(t, dir, m)
	}
}

// backboneImport loads the MS-Celeb-style file (module. prefix, 1000-way fc,
// feature.*) with spec 8's rule.
func backboneImport(t *testing.T, dir string, full *Model) {
	for _, file := range []string{"msceleb.pth", "msceleb_legacy.pth"} {
		t.Run(file, func(t *testing.T) { backboneImportFile(t, filepath.Join(dir, file), full) })
	}
}

func backboneImportFile(t *testing.T, path string, full *Model) {
	m := mustNew(t, "ffra", 5)
	rep, err := m.LoadWeights(path, ImportBackbone)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range rep.Missing {
		if !(strings.HasPrefix(n, "ms.") || strings.HasPrefix(n, "la.") || strings.HasPrefix(n, "fc.")) {
			t.Errorf("left at init but should be loaded: %s", n)
		}
	}
	for _, n := range rep.Loaded {
		if strings.HasPrefix(n, "ms.") || strings.HasPrefix(n, "la.") || strings.HasPrefix(n, "fc.") {
			t.Errorf("loaded but the backbone file has no %s", n)
		}
	}
	backbone := 0
	for _, n := range mustNew(t, "resnet18", 0).Names() {
		if !strings.HasPrefix(n, "fc.") {
			backbone++
		}
	}
	if len(rep.Loaded) != backbone {
		t.Errorf("loaded %d variables, the ResNet-18 backbone has %d", len(rep.Loaded), backbone)
	}
	ignored := strings.Join(rep.Ignored, "\n")
	for _, k := range []string{"module.fc.weight", "module.fc.bias", "module.feature.weight", "module.feature.bias"} {
		if !strings.Contains(ignored, k) {
			t.Errorf("%s should be reported as ignored; ignored:\n%s", k, ignored)
		}
	}
	for _, n := range rep.Loaded {
		a, _ := m.Variable(n)
		b, _ := full.Variable(n)
		if d, err := maxAbsDiff(values(t, a), values(t, b)); err != nil || d != 0 {
			t.Fatalf("%s differs from the full import by %g", n, d)
		}
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
