package model

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/sugarme/gotch/ts"
)

// TestSafetensorsBytesUnchanged writes gotch tensors through writeSafetensors and compares
// with fixtures that this package's own writer produced before the format moved to
// internal/safetensors (commit c003a18): checkpoints keep their exact bytes, float32
// weights and 0-dim int64 BatchNorm counters alike.
func TestSafetensorsBytesUnchanged(t *testing.T) {
	scalar := func(v int64) *ts.Tensor {
		x, err := ts.OfSlice([]int64{v})
		if err != nil {
			t.Fatal(err)
		}
		s, err := x.Squeeze(true)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	counts, err := ts.OfSlice([]int64{-1, 1 << 40})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		fixture string
		tensors map[string]*ts.Tensor
		meta    map[string]string
	}{
		{"state.safetensors", map[string]*ts.Tensor{
			"bn.num_batches_tracked": scalar(5),
			"bn.running_mean":        tensorFrom(t, []float32{0.5, -1.25}, []int64{2}),
			"conv.weight":            tensorFrom(t, []float32{1, 2, 3, 4}, []int64{2, 1, 2, 1}),
			"fc.bias":                tensorFrom(t, []float32{0, 1e-7, 3.5}, []int64{3}),
			"counts":                 counts,
		}, map[string]string{"format": "occfer-ffra/1", "classes": `["a","b"]`, "note": `a"b<&>é`}},
		{"nometa.safetensors", map[string]*ts.Tensor{"w": tensorFrom(t, []float32{2}, []int64{1})}, nil},
	}
	for _, c := range cases {
		t.Run(c.fixture, func(t *testing.T) {
			defer func() {
				for _, x := range c.tensors {
					drop(x)
				}
			}()
			path := filepath.Join(t.TempDir(), c.fixture)
			if err := writeSafetensors(path, c.tensors, c.meta); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(filepath.Join("..", "testdata", "safetensors", c.fixture))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("wrote %d bytes that differ from the %d-byte fixture", len(got), len(want))
			}
			back, meta, err := readSafetensors(path)
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				for _, x := range back {
					drop(x)
				}
			}()
			if len(back) != len(c.tensors) || len(meta) != len(c.meta) {
				t.Fatalf("read back %d tensors and %d metadata keys, want %d and %d", len(back), len(meta), len(c.tensors), len(c.meta))
			}
			if nbt, ok := back["bn.num_batches_tracked"]; ok {
				if s := shapeOf(t, nbt); len(s) != 0 {
					t.Errorf("num_batches_tracked read back with shape %v, want 0-dim", s)
				}
			}
		})
	}
}
