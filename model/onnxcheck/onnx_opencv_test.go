package onnxcheck

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/occfer/occfer/model"
	"github.com/occfer/occfer/model/ffranet"
	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"
	"gocv.io/x/gocv"
)

// onnxTol bounds max |OpenCV - ffra| over the logits, absolute, with logits scaled to at most
// 10 in magnitude (calibrate), the range of a trained classifier's.
const onnxTol = 1e-4

type onnxCase struct {
	variant string
	size    int
}

// onnxCases: -short checks FFRA-Net and MobileNetV2 at 112; a plain run every FFRA variant at
// 112 (the odd 7x7 map) and the baselines; OCCFER_ALL_SIZES=1 adds ResNet-50 at 112 and
// VGG-16 at 224.
func onnxCases() []onnxCase {
	if testing.Short() {
		return []onnxCase{{"ffra", 112}, {"mobilenet_v2", 112}}
	}
	var cs []onnxCase
	for _, v := range ffranet.Variants() {
		if strings.HasPrefix(v, "ffra") {
			cs = append(cs, onnxCase{v, 112}) // 7x7 layer3 map: the odd-size padding path
		}
	}
	cs = append(cs, onnxCase{"ffra", 224}, onnxCase{"resnet18", 224}, onnxCase{"resnet50", 224}, onnxCase{"vgg16", 112},
		onnxCase{"mobilenet_v2", 224}, onnxCase{"mobilenet_v2", 112})
	if os.Getenv("OCCFER_ALL_SIZES") != "" { // VGG-16 at 224 is a 537 MB file
		cs = append(cs, onnxCase{"resnet50", 112}, onnxCase{"vgg16", 224})
	}
	return cs
}

// TestONNXMatchesOpenCV exports each network with randomised weights (every parameter and BN
// statistic, so no gate or branch is trivially constant), runs the file through OpenCV 4.6's
// DNN importer in a child process (an importer failure is a C++ exception that would end this
// process) and compares OpenCV's logits for a batch of 2 with the model's.
func TestONNXMatchesOpenCV(t *testing.T) {
	for _, c := range onnxCases() {
		t.Run(fmt.Sprintf("%s-%d", c.variant, c.size), func(t *testing.T) {
			dir := t.TempDir()
			cfg, err := ffranet.ConfigFor(c.variant)
			if err != nil {
				t.Fatal(err)
			}
			cfg.InputSize = c.size
			m, err := model.New(cfg, gotch.CPU, 1)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			randomise(t, m, 7)
			x := input(2, c.size)
			calibrate(t, m, x, c.size)
			path := filepath.Join(dir, "model.onnx")
			var buf bytes.Buffer
			if err := m.ExportONNX(&buf, [][2]string{{"classes", `["a"]`}}); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			checkONNX(t, path)
			want := predict(t, m, x, c.size)
			got := runOpenCV(t, dir, path, x, []int{2, 3, c.size, c.size})
			if len(got) != len(want) {
				t.Fatalf("OpenCV gave %d values, ffra %d", len(got), len(want))
			}
			d, scale := 0.0, 0.0
			for i := range got {
				d = math.Max(d, math.Abs(float64(got[i])-float64(want[i])))
				scale = math.Max(scale, math.Abs(float64(want[i])))
			}
			t.Logf("max |OpenCV - ffra| = %.3g over %d logits (max |logit| %.3g); %.1f MB", d, len(got), scale, float64(buf.Len())/1e6)
			if !(d <= onnxTol) {
				t.Errorf("max |OpenCV - ffra| = %.3g > %g", d, onnxTol)
			}
		})
	}
}

// TestOpenCVHelper is the child process of TestONNXMatchesOpenCV.
func TestOpenCVHelper(t *testing.T) {
	dir := os.Getenv("OCCFER_ONNX_HELPER")
	if dir == "" {
		t.Skip("child process of TestONNXMatchesOpenCV")
	}
	var job struct {
		Model string `json:"model"`
		Shape []int  `json:"shape"`
	}
	raw, err := os.ReadFile(filepath.Join(dir, "job.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &job); err != nil {
		t.Fatal(err)
	}
	net := gocv.ReadNetFromONNX(job.Model)
	if net.Empty() {
		t.Fatalf("OpenCV could not read %s", job.Model)
	}
	defer net.Close()
	in, err := os.ReadFile(filepath.Join(dir, "input.f32"))
	if err != nil {
		t.Fatal(err)
	}
	blob, err := gocv.NewMatWithSizesFromBytes(job.Shape, gocv.MatTypeCV32F, in)
	if err != nil {
		t.Fatal(err)
	}
	defer blob.Close()
	net.SetInput(blob, model.ONNXInput)
	out := net.Forward(model.ONNXOutput)
	defer out.Close()
	vals, err := out.DataPtrFloat32()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "output.f32"), f32Bytes(vals), 0o644); err != nil {
		t.Fatal(err)
	}
}

func runOpenCV(t *testing.T, dir, path string, x []float32, shape []int) []float32 {
	t.Helper()
	job, _ := json.Marshal(map[string]any{"model": path, "shape": shape})
	if err := os.WriteFile(filepath.Join(dir, "job.json"), job, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "input.f32"), f32Bytes(x), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestOpenCVHelper$", "-test.v")
	cmd.Env = append(os.Environ(), "OCCFER_ONNX_HELPER="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("OpenCV child process: %v\n%s", err, head(out, 3000))
	}
	raw, err := os.ReadFile(filepath.Join(dir, "output.f32"))
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float32, len(raw)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	return out
}

// checkONNX runs onnx.checker when Debian's python3-onnx is installed (optional).
func checkONNX(t *testing.T, path string) {
	t.Helper()
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import onnx").Run(); err != nil {
		t.Logf("onnx.checker skipped: %s has no onnx module", py)
		return
	}
	out, err := exec.Command(py, "-c", "import sys, onnx; m = onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); print('onnx.checker: ok, opset', m.opset_import[0].version)", path).CombinedOutput()
	if err != nil {
		t.Fatalf("onnx.checker: %v\n%s", err, tail(out, 2000))
	}
	t.Log(strings.TrimSpace(string(out)))
}

// randomise gives every variable random values: conv and linear weights N(0, 2/fan_in) (the
// classifier 0.1/fan_in, keeping logits of order 1), BN gamma and the SA weights U(0.5,1.5),
// biases and running means U(-0.2,0.2), running variances U(0.5,1.5).
func randomise(t *testing.T, m *model.Model, seed uint64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	head := map[string]bool{"fc.weight": true, "classifier.6.weight": true, "classifier.1.weight": true}
	tensors := map[string]*ts.Tensor{}
	defer func() {
		for _, x := range tensors {
			x.MustDrop()
		}
	}()
	for _, name := range m.Names() {
		v, err := m.Variable(name)
		if err != nil {
			t.Fatal(err)
		}
		dims, err := v.Size()
		if err != nil {
			t.Fatal(err)
		}
		n := int64(1)
		for _, d := range dims {
			n *= d
		}
		vals := make([]float32, n)
		u := func(lo, hi float64) float32 { return float32(lo + (hi-lo)*rng.Float64()) }
		for i := range vals {
			switch {
			case strings.HasSuffix(name, "running_var"):
				vals[i] = u(0.5, 1.5)
			case strings.HasSuffix(name, "running_mean"), strings.HasSuffix(name, ".bias"), strings.HasSuffix(name, "cbias"), strings.HasSuffix(name, "sbias"):
				vals[i] = u(-0.2, 0.2)
			case len(dims) == 1, strings.HasSuffix(name, "cweight"), strings.HasSuffix(name, "sweight"):
				vals[i] = u(0.5, 1.5)
			default:
				fanIn := float64(n / dims[0])
				std := math.Sqrt(2 / fanIn)
				if head[name] {
					std = math.Sqrt(0.1 / fanIn)
				}
				vals[i] = float32(rng.NormFloat64() * std)
			}
		}
		x, err := ts.OfSlice(vals)
		if err != nil {
			t.Fatal(err)
		}
		if tensors[name], err = x.Reshape(dims, true); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := m.LoadStateDict(tensors, model.ImportFull); err != nil {
		t.Fatal(err)
	}
}

// heads are the classifier names of each architecture.
var heads = []string{"fc", "classifier.6", "classifier.1"}

// calibrate scales the classifier so that max |logit| on x is 10: randomised deep networks
// (ResNet-50's 16 blocks) otherwise reach logits in the thousands, where float32's rounding
// alone exceeds any absolute tolerance.
func calibrate(t *testing.T, m *model.Model, x []float32, s int) {
	t.Helper()
	var peak float64
	for _, v := range predict(t, m, x, s) {
		peak = math.Max(peak, math.Abs(float64(v)))
	}
	if peak <= 10 {
		return
	}
	k := ts.FloatScalar(10 / peak)
	scaled := map[string]*ts.Tensor{}
	for _, h := range heads {
		for _, p := range []string{h + ".weight", h + ".bias"} {
			v, err := m.Variable(p)
			if err != nil {
				continue
			}
			if scaled[p], err = v.MulScalar(k, false); err != nil {
				t.Fatal(err)
			}
		}
	}
	defer func() {
		for _, v := range scaled {
			v.MustDrop()
		}
	}()
	if _, err := m.LoadStateDict(scaled, model.ImportOptions{Partial: true}); err != nil {
		t.Fatal(err)
	}
}

func input(b, s int) []float32 {
	rng := rand.New(rand.NewPCG(3, 4))
	x := make([]float32, b*3*s*s)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	return x
}

func predict(t *testing.T, m *model.Model, x []float32, s int) []float32 {
	t.Helper()
	xt, err := ts.OfSlice(x)
	if err != nil {
		t.Fatal(err)
	}
	xt, err = xt.Reshape([]int64{int64(len(x) / (3 * s * s)), 3, int64(s), int64(s)}, true)
	if err != nil {
		t.Fatal(err)
	}
	defer xt.MustDrop()
	y, err := m.Predict(xt)
	if err != nil {
		t.Fatal(err)
	}
	defer y.MustDrop()
	out := make([]float32, y.Numel())
	if err := y.CopyData(out, y.Numel()); err != nil {
		t.Fatal(err)
	}
	return out
}

func f32Bytes(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	return b
}

// head keeps the start of a crashed child's output: OpenCV's message, not the Go trace.
func head(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}

func tail(b []byte, n int) string {
	if len(b) > n {
		return "..." + string(b[len(b)-n:])
	}
	return string(b)
}
