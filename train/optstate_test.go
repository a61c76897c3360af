package train

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/occfer/occfer/internal/safetensors"
)

// fixtureAdam is the state in testdata/safetensors/optimizer.safetensors, which this
// package's own writer produced before the format moved to internal/safetensors (commit
// c003a18).
func fixtureAdam() *AdamState {
	return &AdamState{Step: 42, Names: []string{"fc.weight", "fc.bias", "a.w"},
		Shapes: [][]int64{{2, 3}, {2}, {1, 1, 1}},
		M:      [][]float32{{1, 2, 3, 4, 5, 6}, {-0.5, 0.25}, {1e-30}},
		V:      [][]float32{{0.1, 0.2, 0.3, 0.4, 0.5, 0.6}, {7, 8}, {9}}}
}

func TestAdamStateBytesUnchanged(t *testing.T) {
	fixture := filepath.Join("..", "testdata", "safetensors", "optimizer.safetensors")
	want, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), OptimFile)
	if err := writeAdamState(path, fixtureAdam()); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("wrote %d bytes that differ from the %d-byte fixture", len(got), len(want))
	}
	back, err := readAdamState(fixture, fixtureAdam().Names)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, fixtureAdam()) {
		t.Fatalf("read back %+v, want %+v", back, fixtureAdam())
	}
}

func TestAdamStateRejects(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, tensors map[string]safetensors.Tensor, meta map[string]string) string {
		b, err := safetensors.Encode(tensors, meta)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	meta := map[string]string{"format": optimFormat, "step": "1"}
	one := safetensors.FromFloat32s([]int64{1}, []float32{1})
	cases := []struct {
		name    string
		tensors map[string]safetensors.Tensor
		meta    map[string]string
		want    string
	}{
		{"model checkpoint", map[string]safetensors.Tensor{"p": one}, map[string]string{"format": "occfer-ffra/1"}, "not an occfer optimiser state"},
		{"bad step", map[string]safetensors.Tensor{"m.p": one, "v.p": one}, map[string]string{"format": optimFormat, "step": "x"}, `bad step "x"`},
		{"missing moment", map[string]safetensors.Tensor{"m.p": one}, meta, "no moments for parameter p"},
		{"float16 moment", map[string]safetensors.Tensor{"m.p": one, "v.p": {DType: safetensors.F16, Shape: []int64{1}, Data: []byte{0, 60}}}, meta, `tensor "v.p": dtype F16, want F32`},
		{"shapes differ", map[string]safetensors.Tensor{"m.p": one, "v.p": safetensors.FromFloat32s([]int64{1, 1}, []float32{1})}, meta, "moments of p have shapes [1] and [1 1]"},
		{"extra tensor", map[string]safetensors.Tensor{"m.p": one, "v.p": one, "m.q": one}, meta, "holds 3 tensors, want 2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := write(strings.ReplaceAll(c.name, " ", "_")+".safetensors", c.tensors, c.meta)
			_, err := readAdamState(p, []string{"p"})
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) {
				t.Fatalf("error %v, want one naming %s with %q", err, p, c.want)
			}
		})
	}
}
