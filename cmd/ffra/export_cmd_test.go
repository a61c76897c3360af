package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/model"
	"github.com/occfer/occfer/model/ffranet"
	"github.com/sugarme/gotch"
)

// TestExportCommand: ffra export writes an ONNX file whose graph input, output and metadata
// say what the help says (numbers against OpenCV: model/onnxcheck).
func TestExportCommand(t *testing.T) {
	dir := t.TempDir()
	cfg, err := ffranet.ConfigFor("mobilenet_v2")
	if err != nil {
		t.Fatal(err)
	}
	cfg.InputSize = 64
	m, err := model.New(cfg, gotch.CPU, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ck := filepath.Join(dir, "m.safetensors")
	if err := m.SaveCheckpoint(ck, dataset.ClassNames[:], nil); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "onnx", "m.onnx")
	msg, err := runFFRA(t, "export", ck, "-o", out)
	if err != nil || !strings.Contains(msg, "input [N,3,64,64] -> logits [N,7] (Surprise, Fear, Disgust") {
		t.Fatalf("export: %v\n%s", err, msg)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`["Surprise","Fear","Disgust","Happiness","Sadness","Anger","Neutral"]`, "(value/255 - mean) / std", "[0.485,0.456,0.406]", "classifier.1.weight"} {
		if !strings.Contains(string(raw), s) {
			t.Errorf("the ONNX file lacks %q", s)
		}
	}
	if _, err := runFFRA(t, "export", ck, "-o", ck); err == nil || !strings.Contains(err.Error(), "is the checkpoint itself") {
		t.Fatalf("export onto the checkpoint: %v", err)
	}
	if _, err := runFFRA(t, "export", ck); err == nil || !strings.Contains(err.Error(), `required flag(s) "out" not set`) {
		t.Fatalf("export without -o: %v", err)
	}

	py := "/usr/bin/python3"
	if exec.Command(py, "-c", "import onnx").Run() != nil {
		t.Skip("no python3-onnx for the structure check")
	}
	got, err := exec.Command(py, "-c", `import sys, onnx
m = onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True)
d = lambda v: [x.dim_param or x.dim_value for x in v.type.tensor_type.shape.dim]
print(m.opset_import[0].version, m.graph.input[0].name, d(m.graph.input[0]), m.graph.output[0].name, d(m.graph.output[0]), sorted(p.key for p in m.metadata_props))`, out).CombinedOutput()
	if want := "13 input ['batch', 3, 64, 64] logits ['batch', 7] ['arch', 'classes', 'input', 'input_size', 'mean', 'source', 'std', 'variant']"; err != nil || strings.TrimSpace(string(got)) != want {
		t.Fatalf("onnx says: %v\n%s\nwant %s", err, got, want)
	}
}
