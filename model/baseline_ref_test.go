package model

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sugarme/gotch"

	"github.com/occfer/occfer/model/ffranet"
)

// torchvision 0.14.1's trainable parameter counts with its 1000 ImageNet classes (the figures
// torchvision documents); tvref.py reports them from torchvision itself as params_1000.
var torchvision1000 = map[string]int64{
	"resnet18": 11_689_512, ffranet.ArchResNet50: 25_557_032, ffranet.ArchVGG16: 138_357_544, ffranet.ArchMobileNetV2: 3_504_872,
}

type tvCase struct {
	arch string
	size int
}

// tvCases: -short checks MobileNetV2 at 112; a plain run adds ResNet-50 at 224 and VGG-16 at
// 112 (its adaptive pool from 3x3); OCCFER_ALL_SIZES=1 runs every baseline at 224 and 112
// (VGG-16 at 224 alone moves 1.5 GB of files, minutes on a small machine).
func tvCases(t *testing.T) []tvCase {
	if testing.Short() {
		return []tvCase{{ffranet.ArchMobileNetV2, 112}}
	}
	if os.Getenv("OCCFER_ALL_SIZES") != "" {
		return []tvCase{{ffranet.ArchResNet50, 224}, {ffranet.ArchResNet50, 112}, {ffranet.ArchVGG16, 112}, {ffranet.ArchVGG16, 224},
			{ffranet.ArchMobileNetV2, 224}, {ffranet.ArchMobileNetV2, 112}}
	}
	return []tvCase{{ffranet.ArchResNet50, 224}, {ffranet.ArchVGG16, 112}, {ffranet.ArchMobileNetV2, 224}, {ffranet.ArchMobileNetV2, 112}}
}

func runTV(t *testing.T, py string, args ...string) string {
	t.Helper()
	script := filepath.Join("..", "testdata", "torchref", "tvref.py")
	out, err := exec.Command(py, append([]string{script}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("tvref.py %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestBaselinesMatchTorchvision: each baseline has torchvision's state_dict names, shapes and
// parameter count; torchvision's (randomised) weights load strictly here and give its logits;
// this package's seeded init, saved as safetensors, loads strictly into torchvision and gives
// this package's logits. Tolerance: crossTol (1e-4 x max(1, max |logit|)).
func TestBaselinesMatchTorchvision(t *testing.T) {
	py := torchPython(t)
	const classes = 7
	for _, c := range tvCases(t) {
		t.Run(c.arch+"-"+strconv.Itoa(c.size), func(t *testing.T) {
			dir := t.TempDir()
			size := strconv.Itoa(c.size)
			runTV(t, py, "make", "--arch", c.arch, "--classes", strconv.Itoa(classes), "--size", size, "--out", dir)
			var spec struct {
				Names      [][2]json.RawMessage `json:"names"`
				Params     int64                `json:"params"`
				Params1000 int64                `json:"params_1000"`
			}
			raw, err := os.ReadFile(filepath.Join(dir, "spec.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(raw, &spec); err != nil {
				t.Fatal(err)
			}
			cfg, err := ffranet.ConfigFor(c.arch)
			if err != nil {
				t.Fatal(err)
			}
			cfg.InputSize, cfg.NumClasses = c.size, classes
			checkSpec(t, cfg, spec.Names)
			if spec.Params1000 != torchvision1000[c.arch] {
				t.Errorf("torchvision reports %d params with 1000 classes, documented %d", spec.Params1000, torchvision1000[c.arch])
			}
			wide := cfg
			wide.NumClasses = 1000
			for _, k := range []struct {
				cfg  ffranet.Config
				want int64
			}{{cfg, spec.Params}, {wide, spec.Params1000}} {
				s, err := Spec(k.cfg)
				if err != nil {
					t.Fatal(err)
				}
				if got := specParams(s); got != k.want {
					t.Errorf("%d classes: %d trainable params, torchvision %d", k.cfg.NumClasses, got, k.want)
				}
			}

			m, err := New(cfg, gotch.CPU, 3)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			if n, _ := m.ParamCount(); n != spec.Params {
				t.Errorf("built model: %d params, torchvision %d", n, spec.Params)
			}
			x := tensorFrom(t, readF32(t, filepath.Join(dir, "input.f32")), []int64{2, 3, int64(c.size), int64(c.size)})
			defer drop(x)

			// Go's own init -> safetensors -> torchvision.
			ckpt := filepath.Join(dir, "go.safetensors")
			if err := m.SaveCheckpoint(ckpt, classNames(classes), nil); err != nil {
				t.Fatal(err)
			}
			goLogits := filepath.Join(dir, "go_logits.f32")
			writeF32(t, goLogits, evalLogits(t, m, x))
			out := runTV(t, py, "check", "--arch", c.arch, "--classes", strconv.Itoa(classes), "--size", size,
				"--ckpt", ckpt, "--input", filepath.Join(dir, "input.f32"), "--logits", goLogits, "--tol", "1e-4")
			t.Logf("Go init -> torchvision: %s", strings.TrimSpace(out))

			// torchvision's state_dict (torch.save) -> Go.
			rep, err := m.LoadWeights(filepath.Join(dir, "weights.pth"), ImportFull)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Missing) != 0 || len(rep.Loaded) != len(spec.Names) {
				t.Fatalf("import: %s; missing %v", rep, rep.Missing)
			}
			got := evalLogits(t, m, x)
			want := readF32(t, filepath.Join(dir, "logits_eval.f32"))
			d, ok := withinTol(got, want)
			if !ok {
				t.Errorf("torchvision weights: max |go - torch| = %.3g (tol %g relative)", d, crossTol)
			}
			t.Logf("torchvision weights -> Go: max |go - torch| = %.3g, max |logit| %.3g", d, maxAbs(want))
		})
	}
}

// checkSpec compares Spec(cfg) with torchvision's [name, shape] list, in order.
func checkSpec(t *testing.T, cfg ffranet.Config, names [][2]json.RawMessage) {
	t.Helper()
	s, err := Spec(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var got, want []string
	for _, v := range s {
		got = append(got, v.Name+fmtShape(v.Shape))
	}
	for _, nv := range names {
		var name string
		var shape []int64
		if err := json.Unmarshal(nv[0], &name); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(nv[1], &shape); err != nil {
			t.Fatal(err)
		}
		want = append(want, name+fmtShape(shape))
	}
	if !slices.Equal(got, want) {
		for i := 0; i < max(len(got), len(want)); i++ {
			g, w := "", ""
			if i < len(got) {
				g = got[i]
			}
			if i < len(want) {
				w = want[i]
			}
			if g != w {
				t.Fatalf("state_dict differs from torchvision's at entry %d: go %q, torchvision %q (%d vs %d entries)", i, g, w, len(got), len(want))
			}
		}
	}
}

func fmtShape(s []int64) string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = strconv.FormatInt(d, 10)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func specParams(s []VarSpec) int64 {
	var n int64
	for _, v := range s {
		if v.Trainable {
			n += numel(v.Shape)
		}
	}
	return n
}

func maxAbs(v []float32) float64 {
	var m float64
	for _, x := range v {
		m = math.Max(m, math.Abs(float64(x)))
	}
	return m
}

func classNames(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "c" + strconv.Itoa(i)
	}
	return out
}
