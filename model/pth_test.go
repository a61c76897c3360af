package model

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/occfer/occfer/internal/safetensors"
	"github.com/sugarme/gotch"
)

// Hostile and broken torch.save files, built byte by byte (issue 11): each must be refused
// with one line naming the file and the reason, allocating in proportion to the file, never
// to what it declares.

// pickleStr is BINUNICODE s.
func pickleStr(s string) []byte {
	b := []byte{'X', 0, 0, 0, 0}
	binary.LittleEndian.PutUint32(b[1:], uint32(len(s)))
	return append(b, s...)
}

// pickleInt is v as Python's pickle writes it: BININT (4 bytes, signed) when it fits, else
// LONG1 of 8 bytes.
func pickleInt(v int64) []byte {
	if v == int64(int32(v)) {
		b := []byte{'J', 0, 0, 0, 0}
		binary.LittleEndian.PutUint32(b[1:], uint32(int32(v)))
		return b
	}
	b := []byte{0x8a, 8, 0, 0, 0, 0, 0, 0, 0, 0}
	binary.LittleEndian.PutUint64(b[2:], uint64(v))
	return b
}

// tensorSpec is one entry of a hand-built state_dict: a view of storage key.
type tensorSpec struct {
	name, key    string
	numel        int64 // declared storage elements
	offset       int64
	size, stride []int64
}

// statePickle is the data.pkl torch.save writes for {name: tensor, ...} with FloatStorages.
func statePickle(specs ...tensorSpec) []byte {
	var p bytes.Buffer
	p.Write([]byte{0x80, 2, '}', '('})
	for _, s := range specs {
		p.Write(pickleStr(s.name))
		p.WriteString("ctorch._utils\n_rebuild_tensor_v2\n((")
		p.Write(pickleStr("storage"))
		p.WriteString("ctorch\nFloatStorage\n")
		p.Write(pickleStr(s.key))
		p.Write(pickleStr("cpu"))
		p.Write(pickleInt(s.numel))
		p.WriteString("tQ")
		p.Write(pickleInt(s.offset))
		p.WriteString("(")
		for _, d := range s.size {
			p.Write(pickleInt(d))
		}
		p.WriteString("t(")
		for _, d := range s.stride {
			p.Write(pickleInt(d))
		}
		p.WriteString("t\x89ccollections\nOrderedDict\n)RtR")
	}
	p.WriteString("u.")
	return p.Bytes()
}

// zipRecord is one record of a hand-built torch zip.
type zipRecord struct {
	name    string
	data    io.Reader
	deflate bool
}

func torchZip(t *testing.T, path string, recs ...zipRecord) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, r := range recs {
		m := zip.Store
		if r.deflate {
			m = zip.Deflate
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: r.name, Method: m})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(w, r.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// floats is n little-endian float32 values 0, 1, 2, ...
func floats(n int) io.Reader {
	b := make([]byte, 4*n)
	for i := range n {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(float32(i)))
	}
	return bytes.NewReader(b)
}

// allocatedBy returns the bytes f allocates on the Go heap (runtime.MemStats.TotalAlloc),
// whether or not the memory is touched: a huge buffer that is made and never filled counts.
func allocatedBy(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func oneLine(t *testing.T, err error, file string, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("loaded without an error")
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") {
		t.Errorf("error spans %d lines: %.300s", strings.Count(msg, "\n")+1, msg)
	}
	for _, w := range append([]string{file}, want...) {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q lacks %q", msg, w)
		}
	}
}

func TestTorchHostileFiles(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name  string
		write func(path string)
		want  []string
		limit uint64 // bytes the read may allocate
	}{
		{
			// 10^12 declared elements with 4 bytes of data: the 601-byte .pth of the issue,
			// which made predict die with "fatal error: runtime: out of memory".
			name: "storage larger than its record",
			write: func(p string) {
				torchZip(t, p, zipRecord{name: "archive/data.pkl", data: bytes.NewReader(statePickle(tensorSpec{name: "w", key: "0", numel: 1e12, size: []int64{1}, stride: []int64{1}}))},
					zipRecord{name: "archive/data/0", data: floats(1)})
			},
			want:  []string{`storage "0" declares 1000000000000 elements`},
			limit: 16 << 20,
		},
		{
			// 64 MiB of zeros deflated to about 64 KB: a zip bomb.
			name: "zip bomb",
			write: func(p string) {
				torchZip(t, p, zipRecord{name: "archive/data.pkl", data: bytes.NewReader(statePickle(tensorSpec{name: "w", key: "0", numel: 1 << 24, size: []int64{1 << 12, 1 << 12}, stride: []int64{1 << 12, 1}}))},
					zipRecord{name: "archive/data/0", data: bytes.NewReader(make([]byte, 4<<24)), deflate: true})
			},
			want:  []string{"zip bomb"},
			limit: 16 << 20,
		},
		{
			// a legacy pickle whose first string claims 1 GiB (the had 4 GiB).
			name: "string longer than the file",
			write: func(p string) {
				b := append([]byte{0x80, 2, 'X', 0, 0, 0, 0x40}, bytes.Repeat([]byte("A"), 241)...)
				os.WriteFile(p, b, 0o644)
			},
			want:  []string{"declares 1073741824 bytes"},
			limit: 16 << 20,
		},
		{
			// a stride-0 view of one element that would materialise 2^40 floats.
			name: "broadcast view",
			write: func(p string) {
				torchZip(t, p, zipRecord{name: "archive/data.pkl", data: bytes.NewReader(statePickle(tensorSpec{name: "w", key: "0", numel: 1, size: []int64{1 << 20, 1 << 20}, stride: []int64{0, 0}}))},
					zipRecord{name: "archive/data/0", data: floats(1)})
			},
			want:  []string{`tensor "w"`, "more than its storage of 1"},
			limit: 16 << 20,
		},
		{
			name: "view past its storage",
			write: func(p string) {
				torchZip(t, p, zipRecord{name: "archive/data.pkl", data: bytes.NewReader(statePickle(tensorSpec{name: "w", key: "0", numel: 4, offset: 1, size: []int64{2, 2}, stride: []int64{2, 1}}))},
					zipRecord{name: "archive/data/0", data: floats(4)})
			},
			want:  []string{`tensor "w"`, "exceeds its storage of 4 elements"},
			limit: 16 << 20,
		},
		{
			name: "negative stride",
			write: func(p string) {
				torchZip(t, p, zipRecord{name: "archive/data.pkl", data: bytes.NewReader(statePickle(tensorSpec{name: "w", key: "0", numel: 4, offset: 3, size: []int64{4}, stride: []int64{-1}}))},
					zipRecord{name: "archive/data/0", data: floats(4)})
			},
			want:  []string{`tensor "w"`, "negative"},
			limit: 16 << 20,
		},
		{
			name: "stride overflow",
			write: func(p string) {
				torchZip(t, p, zipRecord{name: "archive/data.pkl", data: bytes.NewReader(statePickle(tensorSpec{name: "w", key: "0", numel: 4, size: []int64{3}, stride: []int64{1 << 62}}))},
					zipRecord{name: "archive/data/0", data: floats(4)})
			},
			want:  []string{`tensor "w"`, "overflows"},
			limit: 16 << 20,
		},
		{
			name: "code in the pickle",
			write: func(p string) {
				torchZip(t, p, zipRecord{name: "archive/data.pkl", data: strings.NewReader("\x80\x02cos\nsystem\nX\x04\x00\x00\x00trueq\x00\x85R.")})
			},
			want:  []string{"os.system", "refused"},
			limit: 16 << 20,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".pth")
			c.write(p)
			var err error
			got := allocatedBy(func() { _, _, err = ReadStateDict(p) })
			oneLine(t, err, p, c.want...)
			if got > c.limit {
				t.Errorf("reading allocated %d bytes (limit %d)", got, c.limit)
			}
		})
	}
}

// The torch.save files of testdata/torchfile (written by testdata/torchref/tinypth.py with
// torch 1.13) read back to the values PyTorch saved, in both formats.
func TestTorchFixtures(t *testing.T) {
	weight := []float32{0, 0.25, 0.5, 0.75, 1, 1.25}
	want := map[string][]float32{
		"fc.weight":   weight,
		"fc.bias":     {0.5, -1, 2},
		"proj.weight": {0, 0.75, 0.25, 1, 0.5, 1.25}, // the transpose, made contiguous
	}
	for _, name := range []string{"tiny_zip.pth", "tiny_legacy.pth", "tiny_ckpt.pth"} {
		t.Run(name, func(t *testing.T) {
			tensors, skipped, err := readTorchFile(filepath.Join("..", "testdata", "torchfile", name))
			if err != nil {
				t.Fatal(err)
			}
			defer dropAll(tensors)
			if len(skipped) != 0 || len(tensors) != 4 {
				t.Fatalf("%d tensors, skipped %v", len(tensors), skipped)
			}
			for k, v := range want {
				if got := values(t, tensors[k]); !slices.Equal(got, v) {
					t.Errorf("%s = %v, want %v", k, got, v)
				}
			}
			if got := shapeOf(t, tensors["proj.weight"]); !slices.Equal(got, []int64{3, 2}) {
				t.Errorf("proj.weight shape %v", got)
			}
			n := tensors["bn.num_batches_tracked"]
			if dims, _ := n.Size(); len(dims) != 0 || n.Int64Values()[0] != 7 {
				t.Errorf("num_batches_tracked: shape %v values %v", dims, n.Int64Values())
			}
		})
	}
}

// A valid checkpoint whose metadata declares an absurd input size or class count is refused
// with one line when it is opened, before a model of that size is built or fed (issue 11:
// input_size 10^6 and 10^9 classes made predict die with "fatal error: runtime: out of
// memory").
func TestCheckpointMetadataRanges(t *testing.T) {
	dir := t.TempDir()
	m := mustNew(t, "resnet18", 1)
	good := filepath.Join(dir, "good.safetensors")
	if err := m.SaveCheckpoint(good, []string{"a", "b", "c", "d", "e", "f", "g"}, nil); err != nil {
		t.Fatal(err)
	}
	m.Close()
	raw, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		edit func(meta map[string]string)
		want string
	}{
		{"input size 1e6", func(meta map[string]string) {
			meta["config"] = strings.Replace(meta["config"], `"input_size":224`, `"input_size":1000000`, 1)
		}, "input_size"},
		{"class names for another class count", func(meta map[string]string) {
			meta["classes"] = `["a","b"]`
		}, "2 class names for 7 classes"},
		{"1e9 classes", func(meta map[string]string) {
			meta["config"] = strings.Replace(meta["config"], `"num_classes":7`, `"num_classes":1000000000`, 1)
		}, "num_classes"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := safetensors.Decode(good, raw)
			if err != nil {
				t.Fatal(err)
			}
			c.edit(f.Meta)
			p := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".safetensors")
			b, err := safetensors.Encode(f.Tensors, f.Meta)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
			_, _, err = LoadCheckpoint(p, gotch.CPU)
			oneLine(t, err, p, c.want)
		})
	}
}
