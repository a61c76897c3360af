package model

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/sugarme/gotch/ts"
)

// TestSoftCrossEntropyTorch compares SoftCrossEntropy (loss and gradient) with PyTorch's
// F.cross_entropy(logits, probs) on logits of several scales, including one-hot rows (where it
// must equal the hard-label loss) and a row with a zero-probability class. Tolerance: 1e-5
// relative, float32 through the same libtorch op.
func TestSoftCrossEntropyTorch(t *testing.T) {
	py := torchPython(t)
	const b, k = 4, 8
	logits := make([]float32, b*k)
	probs := make([]float32, b*k)
	for i := range logits {
		logits[i] = float32(math.Sin(float64(i)*1.7)) * float32(1+i/k*3)
	}
	rows := [][]float32{
		{0.125, 0.125, 0.125, 0.125, 0.125, 0.125, 0.125, 0.125},
		{0, 4.0 / 7, 0, 0, 3.0 / 7, 0, 0, 0},
		{0, 0, 0, 0, 0, 0, 0, 1},
		{0.1, 0.2, 0.3, 0.05, 0.05, 0.1, 0.1, 0.1},
	}
	for r, row := range rows {
		copy(probs[r*k:], row)
	}
	var in bytes.Buffer
	binary.Write(&in, binary.LittleEndian, logits)
	binary.Write(&in, binary.LittleEndian, probs)
	cmd := exec.Command(py, filepath.Join("..", "testdata", "torchref", "softce.py"), "4", "8")
	cmd.Stdin = &in
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("softce.py: %v\n%s", err, out)
	}
	var ref struct {
		Mean, Sum float64
		Grad      []float64
	}
	if err := json.Unmarshal(out, &ref); err != nil {
		t.Fatalf("softce.py output %q: %v", out, err)
	}

	// Grad mode is per OS thread and may have been left off by an earlier no-grad region.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if _, err := ts.GradSetEnabled(true); err != nil {
		t.Fatal(err)
	}
	x := tensorFrom(t, logits, []int64{b, k})
	defer drop(x)
	if err := x.RequiresGrad_(true); err != nil {
		t.Fatal(err)
	}
	p := tensorFrom(t, probs, []int64{b, k})
	defer drop(p)
	mean, err := SoftCrossEntropy(x, p)
	if err != nil {
		t.Fatal(err)
	}
	defer drop(mean)
	sum, err := SoftCrossEntropySum(x, p)
	if err != nil {
		t.Fatal(err)
	}
	defer drop(sum)
	close := func(name string, got, want float64) {
		if math.Abs(got-want) > 1e-5*math.Max(1, math.Abs(want)) {
			t.Errorf("%s = %.8f, torch %.8f", name, got, want)
		}
	}
	close("mean", float64(values(t, mean)[0]), ref.Mean)
	close("sum", float64(values(t, sum)[0]), ref.Sum)
	if err := mean.Backward(); err != nil {
		t.Fatal(err)
	}
	g, err := x.Grad(false)
	if err != nil {
		t.Fatal(err)
	}
	defer drop(g)
	for i, v := range values(t, g) {
		close("grad", float64(v), ref.Grad[i])
	}
	// The one-hot row equals the hard-label loss of its class.
	row := tensorFrom(t, logits[2*k:3*k], []int64{1, k})
	defer drop(row)
	oneHot := tensorFrom(t, probs[2*k:3*k], []int64{1, k})
	defer drop(oneHot)
	soft, err := SoftCrossEntropy(row, oneHot)
	if err != nil {
		t.Fatal(err)
	}
	defer drop(soft)
	lbl, err := ts.OfSlice([]int64{7})
	if err != nil {
		t.Fatal(err)
	}
	defer drop(lbl)
	hard, err := CrossEntropy(row, lbl)
	if err != nil {
		t.Fatal(err)
	}
	defer drop(hard)
	close("one-hot soft vs hard", float64(values(t, soft)[0]), float64(values(t, hard)[0]))
}
