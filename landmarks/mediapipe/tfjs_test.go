package mediapipe

import (
	"encoding/binary"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestHalfToFloat(t *testing.T) {
	cases := []struct {
		h    uint16
		want float32
	}{
		{0x3c00, 1},
		{0xc000, -2},
		{0x3555, 0.333251953125},
		{0x7bff, 65504},                   // largest finite
		{0x0400, 6.103515625e-05},         // smallest normal, 2^-14
		{0x0001, 5.9604644775390625e-08},  // smallest subnormal, 2^-24
		{0x03ff, 6.097555160522461e-05},   // largest subnormal, 1023 * 2^-24
		{0x8001, -5.9604644775390625e-08}, // negative subnormal
		{0x0000, 0},
		{0x7c00, float32(math.Inf(1))},
		{0xfc00, float32(math.Inf(-1))},
	}
	for _, tc := range cases {
		if got := halfToFloat(tc.h); got != tc.want {
			t.Errorf("halfToFloat(%#04x) = %g, want %g", tc.h, got, tc.want)
		}
	}
	if got := halfToFloat(0x8000); got != 0 || !math.Signbit(float64(got)) {
		t.Errorf("halfToFloat(0x8000) = %g, want -0", got)
	}
	for _, h := range []uint16{0x7e00, 0x7c01, 0xfe00} {
		if got := halfToFloat(h); !math.IsNaN(float64(got)) {
			t.Errorf("halfToFloat(%#04x) = %g, want NaN", h, got)
		}
	}
}

func le32(v ...uint32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], x)
	}
	return b
}

func TestDecodeWeight(t *testing.T) {
	scale, minV := 0.5, -1.0
	f16 := weightSpec{Name: "h", Shape: []int{3}, Dtype: "float32"}
	f16.Quantization = &struct {
		Dtype string   `json:"dtype"`
		Scale *float64 `json:"scale"`
		Min   *float64 `json:"min"`
	}{Dtype: "float16"}
	u8 := weightSpec{Name: "q", Shape: []int{2, 2}, Dtype: "float32"}
	u8.Quantization = &struct {
		Dtype string   `json:"dtype"`
		Scale *float64 `json:"scale"`
		Min   *float64 `json:"min"`
	}{Dtype: "uint8", Scale: &scale, Min: &minV}
	trailing := []byte{0xaa, 0xbb} // the next weight's bytes: must be left alone

	t.Run("float32", func(t *testing.T) {
		data := append(le32(math.Float32bits(1.5), math.Float32bits(-0.25)), trailing...)
		got, n, err := decodeWeight(weightSpec{Shape: []int{2, 1}, Dtype: "float32"}, data)
		if err != nil || n != 8 || !slices.Equal(got.F, []float32{1.5, -0.25}) || got.I != nil || !slices.Equal(got.Shape, []int{2, 1}) {
			t.Fatalf("got %+v, %d bytes, %v", got, n, err)
		}
	})
	t.Run("int32", func(t *testing.T) {
		data := append(le32(7, 0xffffffff, 0x80000000), trailing...)
		got, n, err := decodeWeight(weightSpec{Shape: []int{3}, Dtype: "int32"}, data)
		if err != nil || n != 12 || !slices.Equal(got.I, []int32{7, -1, math.MinInt32}) || got.F != nil {
			t.Fatalf("got %+v, %d bytes, %v", got, n, err)
		}
	})
	t.Run("scalar", func(t *testing.T) {
		got, n, err := decodeWeight(weightSpec{Dtype: "int32"}, le32(5))
		if err != nil || n != 4 || !slices.Equal(got.I, []int32{5}) {
			t.Fatalf("got %+v, %d bytes, %v", got, n, err)
		}
	})
	t.Run("float16", func(t *testing.T) {
		data := []byte{0x00, 0x3c, 0x00, 0xc0, 0xff, 0x7b, 0xaa}
		got, n, err := decodeWeight(f16, data)
		if err != nil || n != 6 || !slices.Equal(got.F, []float32{1, -2, 65504}) {
			t.Fatalf("got %+v, %d bytes, %v", got, n, err)
		}
	})
	t.Run("uint8 affine", func(t *testing.T) {
		got, n, err := decodeWeight(u8, []byte{0, 1, 2, 255, 0xaa})
		if err != nil || n != 4 || !slices.Equal(got.F, []float32{-1, -0.5, 0, 126.5}) {
			t.Fatalf("got %+v, %d bytes, %v", got, n, err)
		}
	})
	t.Run("uint16 affine", func(t *testing.T) {
		w := u8
		q := *u8.Quantization
		q.Dtype = "uint16"
		w.Quantization, w.Shape = &q, []int{2}
		got, n, err := decodeWeight(w, []byte{0x02, 0x01, 0x00, 0x00})
		if err != nil || n != 4 || !slices.Equal(got.F, []float32{128, -1}) {
			t.Fatalf("got %+v, %d bytes, %v", got, n, err)
		}
	})

	errCases := []struct {
		name string
		w    weightSpec
		data []byte
		want string
	}{
		{"too few bytes", weightSpec{Shape: []int{2, 2}, Dtype: "float32"}, make([]byte, 15), "needs 16 bytes, 15 left"},
		{"too few float16 bytes", f16, make([]byte, 5), "needs 6 bytes, 5 left"},
		{"unknown stored type", weightSpec{Shape: []int{1}, Dtype: "float64"}, make([]byte, 8), `unsupported stored type "float64"`},
		{"unknown quantization", func() weightSpec {
			w := u8
			q := *u8.Quantization
			q.Dtype = "int4"
			w.Quantization = &q
			return w
		}(), make([]byte, 8), `unsupported stored type "int4"`},
		{"int32 quantized", func() weightSpec {
			w := f16
			w.Dtype = "int32"
			return w
		}(), make([]byte, 8), `unsupported type "int32" stored as "float16"`},
		{"affine without scale", func() weightSpec {
			w := u8
			q := *u8.Quantization
			q.Scale = nil
			w.Quantization = &q
			return w
		}(), make([]byte, 8), "without scale and min"},
		{"negative dim", weightSpec{Shape: []int{2, -1}, Dtype: "float32"}, make([]byte, 8), "negative dimension"},
		{"two negative dims", weightSpec{Shape: []int{-2, -1}, Dtype: "float32"}, make([]byte, 8), "negative dimension"},
		{"huge shape", weightSpec{Shape: []int{1 << 31, 1 << 31, 1 << 31}, Dtype: "float32"}, make([]byte, 8), "more than"},
	}
	for _, tc := range errCases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := decodeWeight(tc.w, tc.data)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestLoadGraphModel checks the weights land by name across two shards, and that each
// malformed model is refused with an error naming model.json and the reason.
func TestLoadGraphModel(t *testing.T) {
	const nodes = `"modelTopology":{"node":[{"name":"input","op":"Placeholder"},{"name":"w","op":"Const"},{"name":"s","op":"Const"}]}`
	manifest := func(paths string) string {
		return `"weightsManifest":[{"paths":[` + paths + `],"weights":[` +
			`{"name":"w","shape":[2],"dtype":"float32"},` +
			`{"name":"s","shape":[1],"dtype":"int32"}]}]`
	}
	good := `{"format":"graph-model",` + nodes + `,` + manifest(`"a.bin","b.bin"`) + `}`
	weights := le32(math.Float32bits(0.5), math.Float32bits(-3), 42)
	write := func(t *testing.T, doc string, shards map[string][]byte) string {
		dir := t.TempDir()
		p := filepath.Join(dir, "model.json")
		if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		for name, b := range shards {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return p
	}
	split := map[string][]byte{"a.bin": weights[:6], "b.bin": weights[6:]} // a weight across shards

	t.Run("good", func(t *testing.T) {
		m, err := loadGraphModel(write(t, good, split))
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Nodes) != 3 || m.Nodes[1].Name != "w" || m.Nodes[1].Op != "Const" {
			t.Errorf("nodes %+v", m.Nodes)
		}
		if w := m.Weights["w"]; !slices.Equal(w.F, []float32{0.5, -3}) || !slices.Equal(w.Shape, []int{2}) {
			t.Errorf("weight w = %+v", w)
		}
		if s := m.Weights["s"]; !slices.Equal(s.I, []int32{42}) {
			t.Errorf("weight s = %+v", s)
		}
	})

	cases := []struct {
		name   string
		doc    string
		shards map[string][]byte
		want   string
	}{
		{"bad JSON", `{"format":"graph-model",`, nil, "unexpected end of JSON"},
		{"layers model", `{"format":"layers-model",` + nodes + `}`, nil, `not a TensorFlow.js graph model (format "layers-model"`},
		{"no nodes", `{"format":"graph-model","modelTopology":{"node":[]}}`, nil, "0 nodes"},
		{"shard in a folder", `{"format":"graph-model",` + nodes + `,` + manifest(`"sub/a.bin"`) + `}`, nil, `weight shard "sub/a.bin" is not a file beside it`},
		{"shard up a folder", `{"format":"graph-model",` + nodes + `,` + manifest(`"../a.bin"`) + `}`, nil, `weight shard "../a.bin" is not a file beside it`},
		{"absolute shard", `{"format":"graph-model",` + nodes + `,` + manifest(`"/etc/passwd"`) + `}`, nil, `weight shard "/etc/passwd" is not a file beside it`},
		{"missing shard", good, map[string][]byte{"a.bin": weights}, "b.bin"},
		{"shards too short", good, map[string][]byte{"a.bin": weights[:6], "b.bin": weights[6:10]}, "weight s: needs 4 bytes, 2 left"},
		{"shards too long", good, map[string][]byte{"a.bin": weights, "b.bin": {1, 2, 3}}, "3 bytes of weights left over"},
		{"bad weight", `{"format":"graph-model",` + nodes + `,"weightsManifest":[{"paths":[],"weights":[{"name":"w","shape":[1],"dtype":"bool"}]}]}`, nil, `weight w: unsupported stored type "bool"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := write(t, tc.doc, tc.shards)
			_, err := loadGraphModel(p)
			if err == nil {
				t.Fatalf("loaded; want an error with %q", tc.want)
			}
			if !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q; want %q and the file %s", err, tc.want, p)
			}
		})
	}
	t.Run("missing model", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "model.json")
		_, err := loadGraphModel(p)
		if err == nil || !strings.Contains(err.Error(), p) || !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("error %v; want a not-exist error naming %s", err, p)
		}
	})
}
