// Package safetensors reads and writes the safetensors container, in pure Go (no cgo), for
// model checkpoints (package model) and optimiser states (package train).
//
// The format (Hugging Face safetensors, as read by safetensors.torch.load_file): an 8-byte
// little-endian header length N, N bytes of a JSON object
//
//	{"<name>": {"dtype": "F32", "shape": [d0, d1, ...], "data_offsets": [begin, end]}, ...,
//	 "__metadata__": {"<key>": "<string value>", ...}}
//
// then the tensor data: each tensor's elements little-endian in row-major order, at byte
// offsets [begin, end) counted from the end of the header.
//
// Encode writes tensors in name order, the header as encoding/json marshals it (keys sorted)
// padded with spaces to a multiple of 8 bytes so the data starts aligned; this is the byte
// layout every occfer checkpoint has been written with. (github.com/nlpodyssey/safetensors
// orders tensors by dtype alignment first, which would change the bytes of checkpoints that
// mix float32 weights with int64 BatchNorm counters, hence this package.)
//
// Decode is strict in the ways the reference implementation is, and names the file and the
// tensor in every error: the header length must fit the file and MaxHeader; every tensor's
// dtype is known, its shape non-negative with at most MaxDims dimensions, dtype size ×
// product of the shape (checked for overflow, over the non-zero dimensions too) equals its
// byte length, and the tensors tile the data section exactly: in offset
// order each starts where the previous one ended, the first at 0, the last at the end of the
// file. Decode allocates in proportion to the header only; tensor data alias the input.
// ReadFile refuses a file over MaxFile before reading it.
package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
	"sort"
	"strings"
)

// DType names an element type as the format spells it.
type DType string

// The format's element types.
const (
	BOOL    DType = "BOOL"
	U8      DType = "U8"
	I8      DType = "I8"
	F8E4M3  DType = "F8_E4M3"
	F8E5M2  DType = "F8_E5M2"
	I16     DType = "I16"
	U16     DType = "U16"
	F16     DType = "F16"
	BF16    DType = "BF16"
	I32     DType = "I32"
	U32     DType = "U32"
	F32     DType = "F32"
	F64     DType = "F64"
	I64     DType = "I64"
	U64     DType = "U64"
	metaKey       = "__metadata__"
)

var dtypeSizes = map[DType]uint64{
	BOOL: 1, U8: 1, I8: 1, F8E4M3: 1, F8E5M2: 1,
	I16: 2, U16: 2, F16: 2, BF16: 2,
	I32: 4, U32: 4, F32: 4,
	F64: 8, I64: 8, U64: 8,
}

// Size is the byte size of one element, or 0 for a name the format does not define.
func (d DType) Size() int { return int(dtypeSizes[d]) }

// MaxHeader is the largest header Decode accepts, in bytes (the reference implementation's
// limit): a larger length field is a corrupt or hostile file, not a model.
const MaxHeader = 100_000_000

// Tensor is one named entry: its element type, shape (empty for a 0-dim scalar) and data,
// little-endian, row-major, len(Data) == DType.Size() × product(Shape).
type Tensor struct {
	DType DType
	Shape []int64
	Data  []byte
}

// MaxDims is the most dimensions a tensor may have (libtorch's limit).
const MaxDims = 64

// MaxFile is the largest file ReadFile reads, in bytes (4 GiB, about 80 ResNet-18
// checkpoints): a longer one is refused before it is read into memory.
const MaxFile = 4 << 30

// byteLen returns DType.Size() × product(Shape), or an error for an unknown dtype, a
// negative dimension, more than MaxDims dimensions, or dimensions whose product overflows
// 2^63 bytes. The product is checked over the non-zero dimensions too, so a zero dimension
// cannot hide an overflow that libtorch, computing the element count, would report.
func (t Tensor) byteLen() (uint64, error) {
	size, ok := dtypeSizes[t.DType]
	if !ok {
		return 0, fmt.Errorf("unknown dtype %q", t.DType)
	}
	if len(t.Shape) > MaxDims {
		return 0, fmt.Errorf("shape has %d dimensions (limit %d)", len(t.Shape), MaxDims)
	}
	n, zero := size, false
	for _, d := range t.Shape {
		if d < 0 {
			return 0, fmt.Errorf("negative dimension in shape %v", t.Shape)
		}
		if d == 0 {
			zero = true
			continue
		}
		hi, lo := bits.Mul64(n, uint64(d))
		if hi != 0 || lo > math.MaxInt64 {
			return 0, fmt.Errorf("shape %v of %s overflows 2^63 bytes", t.Shape, t.DType)
		}
		n = lo
	}
	if zero {
		return 0, nil
	}
	return n, nil
}

// entry is a tensor's header record; the field order is the key order of the files.
type entry struct {
	DType   DType    `json:"dtype"`
	Shape   []int64  `json:"shape"`
	Offsets [2]int64 `json:"data_offsets"`
}

// Encode returns the file bytes for tensors (name -> tensor) and meta. The __metadata__ key
// is written only when meta is not empty. It fails when a tensor's data length does not
// match its dtype and shape.
func Encode(tensors map[string]Tensor, meta map[string]string) ([]byte, error) {
	names := make([]string, 0, len(tensors))
	for n := range tensors {
		names = append(names, n)
	}
	sort.Strings(names)
	header := make(map[string]any, len(tensors)+1)
	if len(meta) > 0 {
		header[metaKey] = meta
	}
	var off int64
	for _, name := range names {
		t := tensors[name]
		if name == metaKey {
			return nil, fmt.Errorf("safetensors: %q is reserved for metadata, not a tensor name", name)
		}
		want, err := t.byteLen()
		if err != nil {
			return nil, fmt.Errorf("safetensors: tensor %q: %w", name, err)
		}
		if uint64(len(t.Data)) != want {
			return nil, fmt.Errorf("safetensors: tensor %q: %d data bytes, shape %v of %s needs %d", name, len(t.Data), t.Shape, t.DType, want)
		}
		shape := append(make([]int64, 0, len(t.Shape)), t.Shape...) // [] for a scalar, never null
		header[name] = entry{DType: t.DType, Shape: shape, Offsets: [2]int64{off, off + int64(len(t.Data))}}
		off += int64(len(t.Data))
	}
	hj, err := json.Marshal(header)
	if err != nil {
		return nil, fmt.Errorf("safetensors header: %w", err)
	}
	pad := (8 - len(hj)%8) % 8
	buf := make([]byte, 8, 8+len(hj)+pad+int(off))
	binary.LittleEndian.PutUint64(buf, uint64(len(hj)+pad))
	buf = append(buf, hj...)
	buf = append(buf, strings.Repeat(" ", pad)...)
	for _, name := range names {
		buf = append(buf, tensors[name].Data...)
	}
	return buf, nil
}

// File is a decoded safetensors file.
type File struct {
	Tensors map[string]Tensor // Data slices alias the buffer given to Decode
	Meta    map[string]string // never nil
}

// ReadFile reads and decodes the file at path (see Decode); a file over MaxFile is refused
// unread.
func ReadFile(path string) (*File, error) {
	return readFileMax(path, MaxFile)
}

func readFileMax(path string, limit int64) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	if st.Size() > limit {
		return nil, fmt.Errorf("%s: %d bytes, more than the %d-byte limit of a safetensors file", path, st.Size(), limit)
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	if int64(len(data)) > limit { // grew while being read
		return nil, fmt.Errorf("%s: more than the %d-byte limit of a safetensors file", path, limit)
	}
	return Decode(path, data)
}

// Decode parses a whole safetensors file held in data; name (usually the path) starts every
// error message. The checks are listed in the package documentation.
func Decode(name string, data []byte) (*File, error) {
	fail := func(format string, args ...any) (*File, error) {
		return nil, fmt.Errorf("%s: "+format, append([]any{name}, args...)...)
	}
	if len(data) < 8 {
		return fail("not a safetensors file (%d bytes, shorter than the 8-byte header length)", len(data))
	}
	hlen := binary.LittleEndian.Uint64(data)
	switch {
	case hlen > MaxHeader:
		return fail("safetensors header length %d exceeds the %d-byte limit (corrupt or not safetensors)", hlen, MaxHeader)
	case hlen < 2 || hlen > uint64(len(data)-8):
		return fail("safetensors header length %d does not fit the %d-byte file (truncated or not safetensors)", hlen, len(data))
	}
	names, raws, err := splitHeader(data[8 : 8+hlen])
	if err != nil {
		return fail("safetensors header: %v", err)
	}
	body := data[8+hlen:]
	f := &File{Tensors: make(map[string]Tensor, len(names)), Meta: map[string]string{}}
	type span struct {
		name       string
		begin, end uint64
	}
	spans := make([]span, 0, len(names))
	for i, n := range names {
		if n == metaKey {
			if err := json.Unmarshal(raws[i], &f.Meta); err != nil {
				return fail("safetensors __metadata__ is not an object of strings: %v", err)
			}
			continue
		}
		t, begin, end, err := parseEntry(raws[i], uint64(len(body)))
		if err != nil {
			return fail("tensor %q: %v", n, err)
		}
		t.Data = body[begin:end]
		f.Tensors[n] = t
		spans = append(spans, span{n, begin, end})
	}
	sort.Slice(spans, func(a, b int) bool {
		if spans[a].begin != spans[b].begin {
			return spans[a].begin < spans[b].begin
		}
		return spans[a].end < spans[b].end
	})
	var at uint64
	prev := ""
	for _, s := range spans {
		switch {
		case s.begin < at:
			return fail("tensor %q: data offsets [%d,%d] overlap tensor %q, which ends at %d", s.name, s.begin, s.end, prev, at)
		case s.begin > at && prev == "":
			return fail("tensor %q: data offsets [%d,%d] leave bytes [0,%d) of the data section unused", s.name, s.begin, s.end, s.begin)
		case s.begin > at:
			return fail("tensor %q: data offsets [%d,%d] leave a gap after tensor %q, which ends at %d", s.name, s.begin, s.end, prev, at)
		}
		at, prev = s.end, s.name
	}
	if at != uint64(len(body)) {
		return fail("%d bytes after the last tensor's data (the data section must end with it)", uint64(len(body))-at)
	}
	return f, nil
}

// splitHeader returns the keys of the top-level JSON object and their raw values in file
// order, refusing duplicate keys (encoding/json would keep the last one silently) and
// anything after the object but the padding.
func splitHeader(h []byte) ([]string, []json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(h))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, nil, errors.New("not a JSON object")
	}
	var names []string
	var raws []json.RawMessage
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		key, ok := tok.(string) // Token itself rejects a non-string in key position
		if !ok {
			return nil, nil, fmt.Errorf("object key %v is not a string", tok)
		}
		if seen[key] {
			return nil, nil, fmt.Errorf("key %q appears twice", key)
		}
		seen[key] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, fmt.Errorf("value of %q: %w", key, err)
		}
		names = append(names, key)
		raws = append(raws, raw)
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, errors.New("data after the JSON object (only space padding may follow it)")
	}
	return names, raws, nil
}

// parseEntry decodes one tensor record and checks it against the data section's length.
func parseEntry(raw json.RawMessage, bodyLen uint64) (Tensor, uint64, uint64, error) {
	var e struct {
		DType   *DType    `json:"dtype"`
		Shape   *[]int64  `json:"shape"`
		Offsets *[]uint64 `json:"data_offsets"`
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		return Tensor{}, 0, 0, err
	}
	if e.DType == nil || e.Shape == nil || e.Offsets == nil {
		return Tensor{}, 0, 0, errors.New(`want "dtype", "shape" and "data_offsets"`)
	}
	if len(*e.Offsets) != 2 {
		return Tensor{}, 0, 0, fmt.Errorf("data_offsets %v: want [begin, end]", *e.Offsets)
	}
	t := Tensor{DType: *e.DType, Shape: *e.Shape}
	if t.Shape == nil {
		t.Shape = []int64{}
	}
	begin, end := (*e.Offsets)[0], (*e.Offsets)[1]
	if end < begin || end > bodyLen {
		return Tensor{}, 0, 0, fmt.Errorf("data offsets [%d,%d] outside the %d data bytes (truncated file?)", begin, end, bodyLen)
	}
	want, err := t.byteLen()
	if err != nil {
		return Tensor{}, 0, 0, err
	}
	if want != end-begin {
		return Tensor{}, 0, 0, fmt.Errorf("shape %v of %s needs %d bytes, data offsets [%d,%d] hold %d", t.Shape, t.DType, want, begin, end, end-begin)
	}
	return t, begin, end, nil
}
