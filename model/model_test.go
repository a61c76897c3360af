package model

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"

	"github.com/occfer/occfer/model/ffranet"
)

func TestOutputShapes(t *testing.T) {
	for _, tc := range []struct {
		variant string
		size    int64
		feat    []int64
	}{
		{"ffra", 224, []int64{2, 512, 7, 7}},
		{"ffra", 112, []int64{2, 512, 4, 4}},
		{"ffra-layer2", 112, []int64{2, 512, 4, 4}},
		{"resnet18", 112, []int64{2, 512, 4, 4}},
	} {
		m := mustNew(t, tc.variant, 1)
		x := randomInput(t, 2, tc.size, 7)
		logits, feat, err := m.PredictFeatures(x)
		if err != nil {
			t.Fatalf("%s @%d: %v", tc.variant, tc.size, err)
		}
		if got := shapeOf(t, logits); !slices.Equal(got, []int64{2, 7}) {
			t.Errorf("%s @%d: logits %v, want [2 7]", tc.variant, tc.size, got)
		}
		if got := shapeOf(t, feat); !slices.Equal(got, tc.feat) {
			t.Errorf("%s @%d: features %v, want %v", tc.variant, tc.size, got, tc.feat)
		}
		drop(x, logits, feat)
	}
}

// The module output keeps X's shape, incl. the odd 7x7 map at 112 (spec 4.3).
func TestSummaryModuleShapes(t *testing.T) {
	cfg, _ := ffranet.ConfigFor("ffra")
	for size, hw := range map[int]int64{224: 14, 112: 7} {
		s, err := Summary(cfg, size)
		if err != nil {
			t.Fatal(err)
		}
		rows := map[string]ModuleSummary{}
		for _, r := range s.Modules {
			rows[r.Name] = r
		}
		for _, name := range []string{"layer3", "ms", "la", "fuse"} {
			if got := rows[name].Output; !slices.Equal(got, []int64{256, hw, hw}) {
				t.Errorf("@%d %s output %v, want [256 %d %d]", size, name, got, hw, hw)
			}
		}
		if rows["ms"].Params != 147_968 || rows["la"].Params != 2_952_064 {
			t.Errorf("ms %d / la %d params, spec 147,968 / 2,952,064", rows["ms"].Params, rows["la"].Params)
		}
		if got := rows["fc"].Output; !slices.Equal(got, []int64{7}) {
			t.Errorf("fc output %v", got)
		}
	}
}

// With both branches off the model is ResNet-18: same names, same draws, same logits.
func TestBranchesOffIsResNet18(t *testing.T) {
	cfg, _ := ffranet.ConfigFor("ffra-concat")
	cfg.MultiScale, cfg.LocalAttention, cfg.SharedLA = false, false, true
	off, err := New(cfg, gotch.CPU, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer off.Close()
	base := mustNew(t, "resnet18", 3)
	if strings.Join(off.Names(), ",") != strings.Join(base.Names(), ",") {
		t.Fatalf("names differ:\n%v\n%v", off.Names(), base.Names())
	}
	x := randomInput(t, 2, 112, 11)
	defer drop(x)
	a, b := evalLogits(t, off, x), evalLogits(t, base, x)
	if d, _ := maxAbsDiff(a, b); d != 0 {
		t.Fatalf("logits differ by %g", d)
	}
}

// Zero-init of each P_i's last BN gamma makes the module an identity (spec 8):
// with ResNet-18's weights loaded, FFRA gives ResNet-18's logits exactly.
func TestZeroInitModuleIsIdentity(t *testing.T) {
	base := mustNew(t, "resnet18", 4)
	for _, variant := range []string{"ffra-zero-init"} {
		m := mustNew(t, variant, 9)
		rep, err := m.LoadStateDict(base.vars, ImportOptions{Partial: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Loaded) != len(base.Names()) {
			t.Fatalf("loaded %d of %d", len(rep.Loaded), len(base.Names()))
		}
		x := randomInput(t, 2, 112, 5)
		a, b := evalLogits(t, m, x), evalLogits(t, base, x)
		drop(x)
		if d, _ := maxAbsDiff(a, b); d != 0 {
			t.Fatalf("%s: logits differ from resnet18 by %g", variant, d)
		}
	}
	// and without zero-init the module changes the output
	m := mustNew(t, "ffra", 9)
	if _, err := m.LoadStateDict(base.vars, ImportOptions{Partial: true}); err != nil {
		t.Fatal(err)
	}
	x := randomInput(t, 2, 112, 5)
	defer drop(x)
	if d, _ := maxAbsDiff(evalLogits(t, m, x), evalLogits(t, base, x)); d == 0 {
		t.Fatal("ffra with a random module gives resnet18's logits")
	}
}

func TestGradientsReachEveryParameter(t *testing.T) {
	for _, variant := range []string{"ffra", "ffra-concat", "ffra-shared-la"} {
		m := mustNew(t, variant, 2)
		// SA-Net starts with sweight = 0, which makes the GroupNorm's gradients
		// exactly zero; move it off zero so every path carries gradient.
		half := map[string]*ts.Tensor{}
		for _, name := range m.Names() {
			if strings.HasSuffix(name, ".sweight") {
				v, _ := ts.Full([]int64{1, 16, 1, 1}, ts.FloatScalar(0.5), gotch.Float, gotch.CPU)
				half[name] = v
			}
		}
		if _, err := m.LoadStateDict(half, ImportOptions{Partial: true}); err != nil {
			t.Fatal(err)
		}
		x := randomInput(t, 2, 112, 3)
		logits, err := m.Forward(x, true)
		if err != nil {
			t.Fatal(err)
		}
		w := randomInput(t, 1, 1, 17) // 3 values; broadcast a fixed pattern over the logits
		w2, _ := w.Reshape([]int64{1, 3}, true)
		pad, _ := w2.Repeat([]int64{2, 3}, true) // [2, 9]
		wt, _ := pad.Narrow(1, 0, 7, true)
		prod, err := logits.Mul(wt, true)
		if err != nil {
			t.Fatal(err)
		}
		loss, err := prod.Sum(gotch.Float, true)
		if err != nil {
			t.Fatal(err)
		}
		if err := loss.Backward(); err != nil {
			t.Fatal(err)
		}
		drop(loss, wt, x)
		n := 0
		for _, name := range m.Names() {
			if isBuffer(name) {
				continue
			}
			v := m.vars[name]
			g, err := v.Grad(false)
			if err != nil {
				t.Fatalf("%s grad: %v", name, err)
			}
			if ok, _ := g.Defined(); !ok {
				t.Errorf("%s: %s has no gradient", variant, name)
				continue
			}
			var nonzero bool
			for _, f := range values(t, g) {
				if f != 0 {
					nonzero = true
					break
				}
			}
			if !nonzero {
				t.Errorf("%s: %s has an all-zero gradient", variant, name)
			}
			drop(g)
			n++
		}
		if n < 60 {
			t.Fatalf("%s: only %d parameters checked", variant, n)
		}
	}
}

func TestEvalDeterministicTrainUpdatesBN(t *testing.T) {
	m := mustNew(t, "ffra", 6)
	x := randomInput(t, 2, 112, 8)
	defer drop(x)
	a, b := evalLogits(t, m, x), evalLogits(t, m, x)
	if d, _ := maxAbsDiff(a, b); d != 0 {
		t.Fatalf("eval not deterministic: %g", d)
	}
	err := noGrad(func() error {
		y, err := m.Forward(x, true)
		drop(y)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := maxAbsDiff(a, evalLogits(t, m, x)); d == 0 {
		t.Fatal("a train-mode forward did not update the BN running statistics")
	}
	if m.batchesTracked != 1 {
		t.Fatalf("num_batches_tracked %d, want 1", m.batchesTracked)
	}
}

func TestSaveLoadCheckpoint(t *testing.T) {
	m := mustNew(t, "ffra-concat", 12)
	x := randomInput(t, 2, 112, 9)
	defer drop(x)
	// one train forward so running stats and the BN counter are not at init
	if err := noGrad(func() error { y, err := m.Forward(x, true); drop(y); return err }); err != nil {
		t.Fatal(err)
	}
	want := evalLogits(t, m, x)
	path := filepath.Join(t.TempDir(), "ck.safetensors")
	classes := []string{"a", "b", "c", "d", "e", "f", "g"}
	if err := m.SaveCheckpoint(path, classes, map[string]string{"epoch": "3"}); err != nil {
		t.Fatal(err)
	}
	m2, ck, err := LoadCheckpoint(path, gotch.CPU)
	if err != nil {
		t.Fatal(err)
	}
	defer m2.Close()
	if ck.Config != m.Config() || strings.Join(ck.Classes, ",") != strings.Join(classes, ",") || ck.Extra["epoch"] != "3" {
		t.Fatalf("metadata round trip: %+v", ck)
	}
	if m2.batchesTracked != 1 {
		t.Fatalf("num_batches_tracked %d after load", m2.batchesTracked)
	}
	if d, _ := maxAbsDiff(want, evalLogits(t, m2, x)); d != 0 {
		t.Fatalf("logits after save+load differ by %g", d)
	}
	if err := m.SaveCheckpoint(path, classes[:3], nil); err == nil {
		t.Fatal("saving 3 class names for 7 outputs succeeded")
	}
}

func TestBadInputs(t *testing.T) {
	dir := t.TempDir()
	m := mustNew(t, "ffra", 1)

	text := filepath.Join(dir, "notes.pth")
	os.WriteFile(text, []byte("this is not a checkpoint\n"), 0o644)
	if _, err := m.LoadWeights(text, ImportFull); err == nil || !strings.Contains(err.Error(), "not a checkpoint") {
		t.Errorf("text file: %v", err)
	}
	empty := filepath.Join(dir, "empty.pth")
	os.WriteFile(empty, nil, 0o644)
	if _, err := m.LoadWeights(empty, ImportFull); err == nil {
		t.Error("empty file loaded")
	}
	if _, err := m.LoadWeights(filepath.Join(dir, "missing.pth"), ImportFull); err == nil {
		t.Error("missing file loaded")
	}

	good := filepath.Join(dir, "good.safetensors")
	if err := m.SaveCheckpoint(good, make([]string, 7), nil); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(good)
	trunc := filepath.Join(dir, "trunc.safetensors")
	os.WriteFile(trunc, raw[:len(raw)/2], 0o644)
	if _, _, err := LoadCheckpoint(trunc, gotch.CPU); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("truncated safetensors: %v", err)
	}
	header := filepath.Join(dir, "header.safetensors")
	os.WriteFile(header, raw[:20], 0o644)
	if _, _, err := LoadCheckpoint(header, gotch.CPU); err == nil {
		t.Error("a file cut inside the header loaded")
	}

	// a layer2 model's ms/la shapes do not fit a layer3 model
	l2 := mustNew(t, "ffra-layer2", 1)
	l2path := filepath.Join(dir, "l2.safetensors")
	if err := l2.SaveCheckpoint(l2path, make([]string, 7), nil); err != nil {
		t.Fatal(err)
	}
	_, err := m.LoadWeights(l2path, ImportFull)
	var ie *ImportError
	if !errors.As(err, &ie) || len(ie.Mismatched) == 0 || !strings.Contains(err.Error(), "la.conv_s.conv.weight: file [128 128 3 3], model [256 256 3 3]") {
		t.Errorf("mismatched shapes: %v", err)
	}

	if _, err := ffranet.ConfigFor("ffra-xl"); err == nil || !strings.Contains(err.Error(), "unknown model variant") {
		t.Errorf("unknown variant: %v", err)
	}
	bad := ffranet.DefaultConfig()
	bad.Fusion = "mean"
	if _, err := New(bad, gotch.CPU, 0); err == nil {
		t.Error("unknown fusion accepted")
	}
	flat, _ := ts.Zeros([]int64{3, 64, 64}, gotch.Float, gotch.CPU)
	if _, err := m.Forward(flat, false); err == nil || !strings.Contains(err.Error(), "[B,3,H,W]") {
		t.Errorf("3-d input: %v", err)
	}
	one, _ := ts.Zeros([]int64{2, 1, 64, 64}, gotch.Float, gotch.CPU)
	if _, err := m.Forward(one, false); err == nil || !strings.Contains(err.Error(), "[B,3,H,W]") {
		t.Errorf("1-channel input: %v", err)
	}
}

func TestParseDevice(t *testing.T) {
	if d, err := ParseDevice("cpu"); err != nil || d != gotch.CPU {
		t.Errorf("cpu: %v %v", d, err)
	}
	if d, err := ParseDevice("auto"); err != nil || (CUDADeviceCount() == 0 && d != gotch.CPU) {
		t.Errorf("auto: %v %v", d, err)
	}
	for _, s := range []string{"gpu", "cuda:x", "cuda:-1", "tpu:0"} {
		if _, err := ParseDevice(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
	n := CUDADeviceCount()
	if _, err := ParseDevice("cuda:" + itoa(int64(n))); err == nil {
		t.Errorf("cuda:%d accepted with %d devices", n, n)
	}
}
