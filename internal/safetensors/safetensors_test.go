package safetensors

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// The fixtures in testdata/safetensors were written by model's and train's own writers at
// commit c003a18, before they shared this package; Encode must reproduce them byte for byte
// so checkpoints keep their exact bytes.
func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "safetensors", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fixtureTensors are the contents of the fixtures, built without Decode.
func fixtureTensors() map[string]struct {
	tensors map[string]Tensor
	meta    map[string]string
} {
	type set = struct {
		tensors map[string]Tensor
		meta    map[string]string
	}
	return map[string]set{
		"state.safetensors": {
			tensors: map[string]Tensor{
				"bn.num_batches_tracked": FromInt64s([]int64{}, []int64{5}),
				"bn.running_mean":        FromFloat32s([]int64{2}, []float32{0.5, -1.25}),
				"conv.weight":            FromFloat32s([]int64{2, 1, 2, 1}, []float32{1, 2, 3, 4}),
				"fc.bias":                FromFloat32s([]int64{3}, []float32{0, 1e-7, 3.5}),
				"counts":                 FromInt64s([]int64{2}, []int64{-1, 1 << 40}),
			},
			meta: map[string]string{"format": "occfer-ffra/1", "classes": `["a","b"]`, "note": `a"b<&>é`},
		},
		"nometa.safetensors": {
			tensors: map[string]Tensor{"w": FromFloat32s([]int64{1}, []float32{2})},
		},
		"optimizer.safetensors": {
			tensors: map[string]Tensor{
				"m.fc.weight": FromFloat32s([]int64{2, 3}, []float32{1, 2, 3, 4, 5, 6}),
				"v.fc.weight": FromFloat32s([]int64{2, 3}, []float32{0.1, 0.2, 0.3, 0.4, 0.5, 0.6}),
				"m.fc.bias":   FromFloat32s([]int64{2}, []float32{-0.5, 0.25}),
				"v.fc.bias":   FromFloat32s([]int64{2}, []float32{7, 8}),
				"m.a.w":       FromFloat32s([]int64{1, 1, 1}, []float32{1e-30}),
				"v.a.w":       FromFloat32s([]int64{1, 1, 1}, []float32{9}),
			},
			meta: map[string]string{"format": "occfer-adam/1", "step": "42"},
		},
	}
}

func TestEncodeMatchesFixtures(t *testing.T) {
	for name, want := range fixtureTensors() {
		t.Run(name, func(t *testing.T) {
			got, err := Encode(want.tensors, want.meta)
			if err != nil {
				t.Fatal(err)
			}
			if exp := fixture(t, name); !bytes.Equal(got, exp) {
				t.Fatalf("Encode wrote %d bytes that differ from the %d-byte fixture:\n%q\n%q", len(got), len(exp), got, exp)
			}
		})
	}
}

func TestDecodeFixtures(t *testing.T) {
	for name, want := range fixtureTensors() {
		t.Run(name, func(t *testing.T) {
			f, err := Decode(name, fixture(t, name))
			if err != nil {
				t.Fatal(err)
			}
			if want.meta == nil {
				want.meta = map[string]string{}
			}
			if !reflect.DeepEqual(f.Meta, want.meta) {
				t.Errorf("metadata %v, want %v", f.Meta, want.meta)
			}
			if len(f.Tensors) != len(want.tensors) {
				t.Errorf("%d tensors, want %d", len(f.Tensors), len(want.tensors))
			}
			for n, w := range want.tensors {
				g, ok := f.Tensors[n]
				if !ok || g.DType != w.DType || !reflect.DeepEqual(g.Shape, w.Shape) || !bytes.Equal(g.Data, w.Data) {
					t.Errorf("tensor %q: got %+v, want %+v", n, g, w)
				}
			}
		})
	}
	f, err := ReadFile(filepath.Join("..", "..", "testdata", "safetensors", "optimizer.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	if v, err := f.Tensors["m.fc.bias"].Float32s(); err != nil || !reflect.DeepEqual(v, []float32{-0.5, 0.25}) {
		t.Errorf("Float32s = %v, %v", v, err)
	}
	if _, err := FromInt64s(nil, []int64{1}).Float32s(); err == nil || !strings.Contains(err.Error(), "want F32") {
		t.Errorf("Float32s of I64: %v", err)
	}
}

// file assembles a safetensors file from a header text and a data section.
func file(header string, body []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	return append(append(b, header...), body...)
}

func TestDecodeRejects(t *testing.T) {
	eight := make([]byte, 8)
	hugeLen := binary.LittleEndian.AppendUint64(nil, MaxHeader+1)
	cases := []struct {
		name string
		data []byte
		want []string // fragments of the error, besides the file name
	}{
		{"short", []byte{1, 2, 3}, []string{"not a safetensors file (3 bytes"}},
		{"header past the end", binary.LittleEndian.AppendUint64(nil, 100), []string{"header length 100 does not fit", "truncated"}},
		{"header over the cap", append(hugeLen, "{}"...), []string{"exceeds the 100000000-byte limit"}},
		{"not JSON", file("{oops}   ", nil), []string{"safetensors header"}},
		{"JSON array", file("[]", nil), []string{"not a JSON object"}},
		{"duplicate key", file(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}`, []byte{1}), []string{`key "a" appears twice`}},
		{"trailing text", file(`{} x`, nil), []string{"data after the JSON object"}},
		{"missing shape", file(`{"w":{"dtype":"F32","data_offsets":[0,4]}}`, make([]byte, 4)), []string{`tensor "w"`, `want "dtype", "shape" and "data_offsets"`}},
		{"unknown dtype", file(`{"w":{"dtype":"F128","shape":[1],"data_offsets":[0,16]}}`, make([]byte, 16)), []string{`tensor "w"`, `unknown dtype "F128"`}},
		{"negative dimension", file(`{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}`, make([]byte, 4)), []string{`tensor "w"`, "negative dimension"}},
		{"shape overflow", file(`{"w":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,0]}}`, nil), []string{`tensor "w"`, "overflows"}},
		// a zero dimension hides the overflow from the byte count; libtorch still computes the
		// element count and fails with 54 lines of C++ frames (issue 11)
		{"shape overflow behind a zero", file(`{"w":{"dtype":"F32","shape":[0,1099511627776,1099511627776],"data_offsets":[0,0]}}`, nil), []string{`tensor "w"`, "overflows"}},
		{"too many dimensions", file(`{"w":{"dtype":"U8","shape":[`+strings.Repeat("1,", 64)+`1],"data_offsets":[0,1]}}`, []byte{1}), []string{`tensor "w"`, "65 dimensions"}},
		{"size mismatch", file(`{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, eight), []string{`tensor "w"`, "needs 12 bytes", "hold 8"}},
		{"three offsets", file(`{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1,2]}}`, []byte{1}), []string{`tensor "w"`, "want [begin, end]"}},
		{"negative offset", file(`{"w":{"dtype":"U8","shape":[1],"data_offsets":[-1,0]}}`, []byte{1}), []string{`tensor "w"`}},
		{"end before begin", file(`{"w":{"dtype":"U8","shape":[0],"data_offsets":[4,2]}}`, eight), []string{`tensor "w"`, "outside the 8 data bytes"}},
		{"past the data", file(`{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}`, eight), []string{`tensor "w"`, "outside the 8 data bytes", "truncated"}},
		{"overlap", file(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, eight), []string{`tensor "b"`, `overlap tensor "a"`}},
		{"gap", file(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[2],"data_offsets":[6,8]}}`, eight), []string{`tensor "b"`, `gap after tensor "a"`}},
		{"leading gap", file(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, eight), []string{`tensor "a"`, "bytes [0,4) of the data section unused"}},
		{"trailing bytes", file(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, eight), []string{"4 bytes after the last tensor"}},
		{"metadata not strings", file(`{"__metadata__":{"step":3}}`, nil), []string{"__metadata__ is not an object of strings"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := Decode("x.safetensors", c.data)
			if err == nil {
				t.Fatalf("decoded: %+v", f)
			}
			for _, w := range append([]string{"x.safetensors: "}, c.want...) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestDecodeEdgeCases(t *testing.T) {
	t.Run("empty file of tensors", func(t *testing.T) {
		f, err := Decode("e", file("{}      ", nil))
		if err != nil || len(f.Tensors) != 0 || len(f.Meta) != 0 {
			t.Fatalf("%+v, %v", f, err)
		}
	})
	t.Run("zero-element tensors share an offset", func(t *testing.T) {
		f, err := Decode("z", file(`{"a":{"dtype":"F32","shape":[0,3],"data_offsets":[0,0]},"b":{"dtype":"I64","shape":[0],"data_offsets":[0,0]},"c":{"dtype":"U8","shape":[],"data_offsets":[0,1]}}`, []byte{7}))
		if err != nil {
			t.Fatal(err)
		}
		if c := f.Tensors["c"]; len(c.Shape) != 0 || c.Shape == nil || !bytes.Equal(c.Data, []byte{7}) {
			t.Errorf("scalar: %+v", c)
		}
	})
	t.Run("offsets out of name order", func(t *testing.T) {
		f, err := Decode("o", file(`{"z":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}`, []byte{1, 2}))
		if err != nil || f.Tensors["z"].Data[0] != 1 || f.Tensors["a"].Data[0] != 2 {
			t.Fatalf("%+v, %v", f, err)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "none.safetensors")
		if _, err := ReadFile(p); err == nil || !strings.Contains(err.Error(), p) {
			t.Fatalf("error %v does not name %s", err, p)
		}
	})
}

// A file over the size limit is refused before it is read (ReadFile's limit is MaxFile).
func TestReadFileLimit(t *testing.T) {
	p := filepath.Join(t.TempDir(), "w.safetensors")
	data := file(`{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}`, make([]byte, 16))
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readFileMax(p, int64(len(data))); err != nil {
		t.Fatalf("a file at the limit: %v", err)
	}
	_, err := readFileMax(p, int64(len(data))-1)
	if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "-byte limit") {
		t.Fatalf("a file over the limit: %v", err)
	}
}

func TestEncodeRejects(t *testing.T) {
	cases := []struct {
		name    string
		tensors map[string]Tensor
		want    string
	}{
		{"short data", map[string]Tensor{"w": {DType: F32, Shape: []int64{2}, Data: make([]byte, 4)}}, `tensor "w": 4 data bytes, shape [2] of F32 needs 8`},
		{"unknown dtype", map[string]Tensor{"w": {DType: "Q4", Shape: []int64{1}, Data: []byte{1}}}, `tensor "w": unknown dtype "Q4"`},
		{"reserved name", map[string]Tensor{"__metadata__": FromFloat32s([]int64{1}, []float32{1})}, "reserved for metadata"},
		{"negative dimension", map[string]Tensor{"w": {DType: U8, Shape: []int64{-2}}}, "negative dimension"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := Encode(c.tensors, nil); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
}

func TestRoundTripValues(t *testing.T) {
	vals := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), math.MaxFloat32, math.SmallestNonzeroFloat32}
	b, err := Encode(map[string]Tensor{"x": FromFloat32s([]int64{5}, vals)}, map[string]string{"k": "v"})
	if err != nil {
		t.Fatal(err)
	}
	if (len(b)-8-len(vals)*4)%8 != 0 {
		t.Errorf("header of %d bytes is not padded to a multiple of 8", len(b)-8-len(vals)*4)
	}
	f, err := Decode("r", b)
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.Tensors["x"].Float32s()
	if err != nil {
		t.Fatal(err)
	}
	for i := range vals {
		if math.Float32bits(got[i]) != math.Float32bits(vals[i]) {
			t.Errorf("element %d: %v, want %v", i, got[i], vals[i])
		}
	}
}

// FuzzDecode: Decode never panics, and what it accepts re-encodes to a file that decodes to
// the same tensors and metadata.
func FuzzDecode(f *testing.F) {
	for _, n := range []string{"state.safetensors", "nometa.safetensors", "optimizer.safetensors"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "safetensors", n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(file(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}`, []byte{1}))
	f.Add(file(`{"w":{"dtype":"F32","shape":[0,1099511627776,1099511627776],"data_offsets":[0,0]}}`, nil))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := Decode("fuzz", data)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error of several lines: %.300q", err)
			}
			return
		}
		for n, x := range st.Tensors { // what reaches libtorch: a size that matches, bounded rank
			if want, err := x.byteLen(); err != nil || want != uint64(len(x.Data)) || len(x.Shape) > MaxDims {
				t.Fatalf("tensor %q: %d bytes for %v %s (%v)", n, len(x.Data), x.Shape, x.DType, err)
			}
		}
		b, err := Encode(st.Tensors, st.Meta)
		if err != nil {
			t.Fatalf("re-encode of an accepted file: %v", err)
		}
		again, err := Decode("again", b)
		if err != nil {
			t.Fatalf("decode of the re-encoded file: %v", err)
		}
		if len(again.Tensors) != len(st.Tensors) || !reflect.DeepEqual(again.Meta, st.Meta) {
			t.Fatalf("round trip changed the file: %+v vs %+v", again, st)
		}
		for n, x := range st.Tensors {
			y := again.Tensors[n]
			if x.DType != y.DType || !reflect.DeepEqual(x.Shape, y.Shape) || !bytes.Equal(x.Data, y.Data) {
				t.Fatalf("tensor %q changed: %+v vs %+v", n, x, y)
			}
		}
	})
}
