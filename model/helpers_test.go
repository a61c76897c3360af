package model

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"testing"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"

	"github.com/occfer/occfer/model/ffranet"
)

// values copies a float32 tensor to a Go slice.
func values(t *testing.T, x *ts.Tensor) []float32 {
	t.Helper()
	c, err := x.To(gotch.CPU, false)
	if err != nil {
		t.Fatal(err)
	}
	defer drop(c)
	c2, err := c.Contiguous(false)
	if err != nil {
		t.Fatal(err)
	}
	defer drop(c2)
	n := c2.Numel()
	out := make([]float32, n)
	if err := c2.CopyData(out, n); err != nil {
		t.Fatal(err)
	}
	return out
}

func shapeOf(t *testing.T, x *ts.Tensor) []int64 {
	t.Helper()
	s, err := x.Size()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// tensorFrom builds a float32 tensor of the given shape.
func tensorFrom(t *testing.T, vals []float32, shape []int64) *ts.Tensor {
	t.Helper()
	x, err := ts.OfSlice(vals)
	if err != nil {
		t.Fatal(err)
	}
	y, err := x.Reshape(shape, true)
	if err != nil {
		t.Fatal(err)
	}
	return y
}

// randomInput is a deterministic pseudo-random [b,3,s,s] tensor.
func randomInput(t *testing.T, b, s int64, seed uint32) *ts.Tensor {
	t.Helper()
	n := b * 3 * s * s
	vals := make([]float32, n)
	x := seed
	for i := range vals {
		x = x*1664525 + 1013904223
		vals[i] = float32(x>>8)/float32(1<<24)*2 - 1
	}
	return tensorFrom(t, vals, []int64{b, 3, s, s})
}

func readF32(t *testing.T, path string) []float32 {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float32, len(raw)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	return out
}

func writeF32(t *testing.T, path string, vals []float32) {
	t.Helper()
	raw := make([]byte, 4*len(vals))
	for i, v := range vals {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
	}
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
}

func maxAbsDiff(a, b []float32) (float64, error) {
	if len(a) != len(b) {
		return 0, fmt.Errorf("lengths %d and %d", len(a), len(b))
	}
	var m float64
	for i := range a {
		m = math.Max(m, math.Abs(float64(a[i])-float64(b[i])))
	}
	return m, nil
}

func mustConfig(t *testing.T, variant string) ffranet.Config {
	t.Helper()
	cfg, err := ffranet.ConfigFor(variant)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func mustNew(t *testing.T, variant string, seed uint64) *Model {
	t.Helper()
	cfg, err := ffranet.ConfigFor(variant)
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(cfg, gotch.CPU, seed)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m
}

// evalLogits runs an eval forward without autograd.
func evalLogits(t *testing.T, m *Model, x *ts.Tensor) []float32 {
	t.Helper()
	y, err := m.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	defer drop(y)
	return values(t, y)
}
