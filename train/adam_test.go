package train

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"
)

// TestAdamMatchesTorchFormula runs three steps on loss = sum(c * p) (gradient c) and compares
// with torch.optim.Adam's update written out in float64.
func TestAdamMatchesTorchFormula(t *testing.T) {
	init := []float32{0.5, -2, 1e-3}
	c := []float32{3, -1, 0.25}
	p0, err := hostTensor(init, []int64{3}, gotch.Float)
	if err != nil {
		t.Fatal(err)
	}
	p, err := p0.SetRequiresGrad(true, false)
	if err != nil {
		t.Fatal(err)
	}
	ct, _ := hostTensor(c, []int64{3}, gotch.Float)
	const lr, b1, b2, eps, wd = 0.1, 0.9, 0.999, 1e-8, 0.05
	adam, err := NewAdam(map[string]*ts.Tensor{"p": p}, b1, b2, eps, wd)
	if err != nil {
		t.Fatal(err)
	}
	ref := []float64{0.5, -2, 1e-3}
	m, v := make([]float64, 3), make([]float64, 3)
	for step := 1; step <= 3; step++ {
		if err := setGrad(true); err != nil {
			t.Fatal(err)
		}
		prod, _ := p.Mul(ct, false)
		loss, _ := prod.Sum(gotch.Float, true)
		if err := adam.ZeroGrad(); err != nil {
			t.Fatal(err)
		}
		if err := loss.Backward(); err != nil {
			t.Fatal(err)
		}
		loss.Drop()
		if err := adam.Step(lr); err != nil {
			t.Fatal(err)
		}
		for i := range ref {
			g := float64(c[i]) + wd*ref[i]
			m[i] = b1*m[i] + (1-b1)*g
			v[i] = b2*v[i] + (1-b2)*g*g
			bc1, bc2 := 1-math.Pow(b1, float64(step)), 1-math.Pow(b2, float64(step))
			ref[i] -= lr / bc1 * m[i] / (math.Sqrt(v[i])/math.Sqrt(bc2) + eps)
		}
		got, err := toHost(p)
		if err != nil {
			t.Fatal(err)
		}
		for i := range ref {
			if math.Abs(float64(got[i])-ref[i]) > 1e-5 {
				t.Fatalf("step %d: p = %v, want %v", step, got, ref)
			}
		}
	}
	if adam.Steps() != 3 {
		t.Fatalf("steps %d", adam.Steps())
	}
	// State round trip through optimizer.safetensors.
	st, err := adam.State()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), OptimFile)
	if err := writeAdamState(path, st); err != nil {
		t.Fatal(err)
	}
	back, err := readAdamState(path, []string{"p"})
	if err != nil {
		t.Fatal(err)
	}
	if back.Step != 3 || len(back.M) != 1 || back.M[0][0] != st.M[0][0] || back.V[0][2] != st.V[0][2] {
		t.Fatalf("round trip: %+v vs %+v", back, st)
	}
	for i := range m {
		if math.Abs(float64(st.M[0][i])-m[i]) > 1e-6 || math.Abs(float64(st.V[0][i])-v[i]) > 1e-6 {
			t.Fatalf("moments %v %v, want %v %v", st.M[0], st.V[0], m, v)
		}
	}
	fresh, _ := NewAdam(map[string]*ts.Tensor{"p": p}, b1, b2, eps, wd)
	if err := fresh.LoadState(back); err != nil || fresh.Steps() != 3 {
		t.Fatalf("load state: %v steps %d", err, fresh.Steps())
	}
	if _, err := readAdamState(path, []string{"q"}); err == nil {
		t.Fatal("state for another parameter set accepted")
	}
}
