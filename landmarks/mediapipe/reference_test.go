package mediapipe

import (
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"testing"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/imageio"
)

var tfjsRef = flag.String("tfjs-ref", "", "remake testdata/mediapipe/astronaut.json with TensorFlow.js from this folder (scripts/mediapipe-ref, after npm install)")

const refFile = "../../testdata/mediapipe/astronaut.json"

// refROI is the FaceMesh crop of the reference: around the astronaut's face, turned by
// 0.2 rad so that the crop's rotation is exercised too.
var refROI = roi{cx: 226, cy: 130, side: 150, angle: 0.2}

// reference is what TensorFlow.js computes on the reference inputs: FaceMesh's outputs on
// refROI's crop, and BlazeFace's 8 best-scoring anchors (17 values each) on the whole image.
type reference struct {
	Mesh     []float64            `json:"mesh"` // 468 x (x, y, z), crop pixels
	Flag     float64              `json:"flag"`
	Contours []float64            `json:"contours"`
	Anchors  map[string][]float64 `json:"anchors"` // anchor index -> its 17 outputs
}

func loadAstronaut(t testing.TB) gocv.Mat {
	t.Helper()
	img, err := imageio.Decode("../../testdata/astronaut.png")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { img.Close() })
	return img
}

// openTest opens the installed models (make deps-occlude installs them; the test fails,
// not skips, without them: CI must run it).
func openTest(t testing.TB) *Landmarker {
	t.Helper()
	l, err := Open("")
	if err != nil {
		t.Fatalf("%v (run scripts/install-models.sh)", err)
	}
	t.Cleanup(l.Close)
	return l
}

// TestModelsMatchTensorFlowJS holds the conversion (TensorFlow.js graph -> ONNX -> OpenCV
// DNN) to TensorFlow.js's own results on the real models: every FaceMesh output within 0.01
// crop pixels (the converted graph was measured at 1.5e-4), the flag within 1e-4, and
// BlazeFace's best anchors within 1e-3.
func TestModelsMatchTensorFlowJS(t *testing.T) {
	l := openTest(t)
	img := loadAstronaut(t)
	mb := meshBlob(img, refROI)
	defer mb.Close()
	db := detBlob(img, image.Rect(0, 0, max(img.Cols(), img.Rows()), max(img.Cols(), img.Rows())))
	defer db.Close()
	mesh, err := l.mesh.run(mb)
	if err != nil {
		t.Fatal(err)
	}
	det, err := l.det.run(db)
	if err != nil {
		t.Fatal(err)
	}
	if *tfjsRef != "" {
		writeReference(t, l, mb, db)
	}
	raw, err := os.ReadFile(refFile)
	if err != nil {
		t.Fatal(err)
	}
	var ref reference
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	got := map[int][]float32{}
	for _, v := range mesh {
		got[len(v)] = v
	}
	within(t, "mesh", got[1404], ref.Mesh, 0.01)
	within(t, "contours", got[266], ref.Contours, 0.01)
	within(t, "flag", got[1], []float64{ref.Flag}, 1e-4)
	if ref.Flag < 0.9 {
		t.Errorf("reference flag %.3f: the reference crop should hold a face", ref.Flag)
	}
	objects := det[l.det.outputs[0]]
	if len(ref.Anchors) != 8 {
		t.Fatalf("reference has %d anchors, want 8", len(ref.Anchors))
	}
	for k, want := range ref.Anchors {
		i, _ := strconv.Atoi(k)
		within(t, "anchor "+k, objects[17*i:17*i+17], want, 1e-3)
	}
}

func within(t *testing.T, what string, got []float32, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d values, want %d", what, len(got), len(want))
		return
	}
	worst, at := 0.0, 0
	for i := range want {
		if d := math.Abs(float64(got[i]) - want[i]); d > worst || math.IsNaN(d) {
			worst, at = d, i
		}
	}
	if worst > tol || math.IsNaN(worst) {
		t.Errorf("%s: value %d is %g, TensorFlow.js %g (|diff| %g > %g)", what, at, got[at], want[at], worst, tol)
	}
}

// writeReference runs TensorFlow.js (scripts/mediapipe-ref/ref.js) on the very blobs the
// test feeds OpenCV and writes refFile.
func writeReference(t *testing.T, l *Landmarker, mb, db gocv.Mat) {
	dir := t.TempDir()
	run := func(model string, blob gocv.Mat, n int) map[string][]float64 {
		data, err := blob.DataPtrFloat32()
		if err != nil {
			t.Fatal(err)
		}
		nhwc := make([]byte, 4*len(data))
		for c := 0; c < 3; c++ {
			for p := 0; p < n*n; p++ {
				binary.LittleEndian.PutUint32(nhwc[4*(3*p+c):], math.Float32bits(data[c*n*n+p]))
			}
		}
		in, out := filepath.Join(dir, "in.f32"), filepath.Join(dir, "out.json")
		if err := os.WriteFile(in, nhwc, 0o644); err != nil {
			t.Fatal(err)
		}
		script, _ := filepath.Abs(filepath.Join(*tfjsRef, "ref.js"))
		cmd := exec.Command("node", script, filepath.Join(l.dir, model+".json"), in, strconv.Itoa(n), strconv.Itoa(n), out)
		cmd.Dir = *tfjsRef
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("node ref.js: %v\n%s", err, b)
		}
		var res map[string][]float64
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &res); err != nil {
			t.Fatal(err)
		}
		return res
	}
	var ref reference
	for _, v := range run(MeshModel, mb, meshSize) {
		switch len(v) {
		case 1404:
			ref.Mesh = v
		case 266:
			ref.Contours = v
		case 1:
			ref.Flag = v[0]
		}
	}
	var objs []float64
	for _, v := range run(DetectorModel, db, detSize) {
		if len(v) == 17*len(anchors) {
			objs = v
		}
	}
	if objs == nil {
		t.Fatal("TensorFlow.js gave no 896 x 17 BlazeFace output")
	}
	idx := make([]int, len(anchors))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return objs[17*idx[a]] > objs[17*idx[b]] })
	ref.Anchors = map[string][]float64{}
	for _, i := range idx[:8] {
		ref.Anchors[strconv.Itoa(i)] = objs[17*i : 17*i+17]
	}
	b, err := json.Marshal(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(refFile, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	fmt.Println("wrote", refFile)
}
