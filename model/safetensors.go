package model

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"

	"github.com/occfer/occfer/dataset"
	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"
)

// The safetensors format: 8-byte little-endian header length N, N bytes of
// JSON {"name": {"dtype", "shape", "data_offsets": [begin, end]}, ...,
// "__metadata__": {string: string}}, then the raw little-endian data, with
// offsets relative to the end of the header.

type stInfo struct {
	DType   string   `json:"dtype"`
	Shape   []int64  `json:"shape"`
	Offsets [2]int64 `json:"data_offsets"`
}

var stDTypes = map[string]gotch.DType{
	"F32": gotch.Float, "F64": gotch.Double, "F16": gotch.Half, "BF16": gotch.BFloat16,
	"I64": gotch.Int64, "I32": gotch.Int, "U8": gotch.Uint8,
}

// tensorBytes returns a tensor's data as little-endian bytes (amd64 and arm64
// are little-endian, so the host copy is already in file order) and the
// safetensors dtype name.
func tensorBytes(t *ts.Tensor) ([]byte, string, error) {
	cpu, err := t.To(gotch.CPU, false)
	if err != nil {
		return nil, "", err
	}
	c, err := cpu.Contiguous(true)
	if err != nil {
		return nil, "", err
	}
	defer drop(c)
	dims, err := c.Size()
	if err != nil {
		return nil, "", err
	}
	n := numel(dims)
	switch c.DType() {
	case gotch.Float:
		vals := make([]float32, n)
		if err := c.CopyData(vals, uint(n)); err != nil {
			return nil, "", err
		}
		out := make([]byte, 4*n)
		for i, v := range vals {
			binary.LittleEndian.PutUint32(out[4*i:], math.Float32bits(v))
		}
		return out, "F32", nil
	case gotch.Int64:
		vals := make([]int64, n)
		if err := c.CopyData(vals, uint(n)); err != nil {
			return nil, "", err
		}
		out := make([]byte, 8*n)
		for i, v := range vals {
			binary.LittleEndian.PutUint64(out[8*i:], uint64(v))
		}
		return out, "I64", nil
	default:
		return nil, "", fmt.Errorf("cannot write dtype %v (float32 and int64 only)", c.DType())
	}
}

// writeSafetensors writes tensors (name -> tensor) with metadata atomically.
func writeSafetensors(path string, tensors map[string]*ts.Tensor, meta map[string]string) error {
	names := make([]string, 0, len(tensors))
	for n := range tensors {
		names = append(names, n)
	}
	sort.Strings(names)
	header := map[string]any{}
	if len(meta) > 0 {
		header["__metadata__"] = meta
	}
	var blobs [][]byte
	var off int64
	for _, name := range names {
		data, dt, err := tensorBytes(tensors[name])
		if err != nil {
			return fmt.Errorf("safetensors %s: %w", name, err)
		}
		dims, err := tensors[name].Size()
		if err != nil {
			return fmt.Errorf("safetensors %s: %w", name, err)
		}
		header[name] = stInfo{DType: dt, Shape: append([]int64{}, dims...), Offsets: [2]int64{off, off + int64(len(data))}}
		off += int64(len(data))
		blobs = append(blobs, data)
	}
	hj, err := json.Marshal(header)
	if err != nil {
		return fmt.Errorf("safetensors header: %w", err)
	}
	// Pad with spaces so the data starts 8-byte aligned (as the reference writer does).
	for len(hj)%8 != 0 {
		hj = append(hj, ' ')
	}
	buf := make([]byte, 8, 8+len(hj)+int(off))
	binary.LittleEndian.PutUint64(buf, uint64(len(hj)))
	buf = append(buf, hj...)
	for _, b := range blobs {
		buf = append(buf, b...)
	}
	return dataset.WriteFileAtomic(path, buf)
}

// readSafetensors reads every tensor (on the CPU; half types widened to
// float32) and the metadata.
func readSafetensors(path string) (map[string]*ts.Tensor, map[string]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read checkpoint: %w", err)
	}
	if len(raw) < 8 {
		return nil, nil, fmt.Errorf("%s: not a safetensors file (%d bytes)", path, len(raw))
	}
	hlen := binary.LittleEndian.Uint64(raw)
	if hlen == 0 || hlen > uint64(len(raw)-8) {
		return nil, nil, fmt.Errorf("%s: safetensors header length %d does not fit the %d-byte file (truncated or not safetensors)", path, hlen, len(raw))
	}
	var header map[string]json.RawMessage
	if err := json.Unmarshal(raw[8:8+hlen], &header); err != nil {
		return nil, nil, fmt.Errorf("%s: safetensors header: %w", path, err)
	}
	data := raw[8+hlen:]
	meta := map[string]string{}
	if m, ok := header["__metadata__"]; ok {
		if err := json.Unmarshal(m, &meta); err != nil {
			return nil, nil, fmt.Errorf("%s: safetensors metadata: %w", path, err)
		}
		delete(header, "__metadata__")
	}
	out := map[string]*ts.Tensor{}
	fail := func(err error) (map[string]*ts.Tensor, map[string]string, error) {
		for _, t := range out {
			drop(t)
		}
		return nil, nil, err
	}
	for name, rawInfo := range header {
		var info stInfo
		if err := json.Unmarshal(rawInfo, &info); err != nil {
			return fail(fmt.Errorf("%s: entry %q: %w", path, name, err))
		}
		t, err := stTensor(info, data)
		if err != nil {
			return fail(fmt.Errorf("%s: tensor %q: %w", path, name, err))
		}
		out[name] = t
	}
	return out, meta, nil
}

func stTensor(info stInfo, data []byte) (*ts.Tensor, error) {
	dt, ok := stDTypes[info.DType]
	if !ok {
		return nil, fmt.Errorf("unsupported dtype %q", info.DType)
	}
	b, e := info.Offsets[0], info.Offsets[1]
	if b < 0 || e < b || e > int64(len(data)) {
		return nil, fmt.Errorf("data offsets [%d,%d] outside the %d data bytes (truncated file?)", b, e, len(data))
	}
	for _, d := range info.Shape {
		if d < 0 {
			return nil, fmt.Errorf("negative dimension in shape %v", info.Shape)
		}
	}
	if want := numel(info.Shape) * int64(dt.Size()); want != e-b {
		return nil, fmt.Errorf("shape %v of %s needs %d bytes, entry has %d", info.Shape, info.DType, want, e-b)
	}
	if len(info.Shape) == 0 {
		// 0-dim: gotch cannot pass an empty shape to libtorch; build [1] and squeeze.
		t, err := ts.OfDataSize(data[b:e], []int64{1}, dt)
		if err != nil {
			return nil, err
		}
		if t, err = t.Squeeze(true); err != nil {
			return nil, err
		}
		return widen(t, dt)
	}
	t, err := ts.OfDataSize(data[b:e], info.Shape, dt)
	if err != nil {
		return nil, err
	}
	return widen(t, dt)
}

// widen converts half-precision tensors to float32 (the model's dtype).
func widen(t *ts.Tensor, dt gotch.DType) (*ts.Tensor, error) {
	if dt == gotch.Half || dt == gotch.BFloat16 {
		return t.Totype(gotch.Float, true)
	}
	return t, nil
}
