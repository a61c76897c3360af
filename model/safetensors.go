package model

import (
	"fmt"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/internal/safetensors"
	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"
)

// Checkpoints are safetensors files (package internal/safetensors holds the format and its
// checks); this file converts between gotch tensors and the codec's little-endian bytes.

// stDTypes maps the safetensors dtypes this package loads to gotch dtypes.
var stDTypes = map[safetensors.DType]gotch.DType{
	safetensors.F32: gotch.Float, safetensors.F64: gotch.Double, safetensors.F16: gotch.Half,
	safetensors.BF16: gotch.BFloat16, safetensors.I64: gotch.Int64, safetensors.I32: gotch.Int,
	safetensors.U8: gotch.Uint8,
}

// stTensorOf copies a tensor to host memory as a safetensors entry (float32 and int64 only,
// the dtypes a model holds).
func stTensorOf(t *ts.Tensor) (safetensors.Tensor, error) {
	cpu, err := t.To(gotch.CPU, false)
	if err != nil {
		return safetensors.Tensor{}, err
	}
	c, err := cpu.Contiguous(true)
	if err != nil {
		return safetensors.Tensor{}, err
	}
	defer drop(c)
	dims, err := c.Size()
	if err != nil {
		return safetensors.Tensor{}, err
	}
	n := numel(dims)
	switch c.DType() {
	case gotch.Float:
		vals := make([]float32, n)
		if err := c.CopyData(vals, uint(n)); err != nil {
			return safetensors.Tensor{}, err
		}
		return safetensors.FromFloat32s(dims, vals), nil
	case gotch.Int64:
		vals := make([]int64, n)
		if err := c.CopyData(vals, uint(n)); err != nil {
			return safetensors.Tensor{}, err
		}
		return safetensors.FromInt64s(dims, vals), nil
	default:
		return safetensors.Tensor{}, fmt.Errorf("cannot write dtype %v (float32 and int64 only)", c.DType())
	}
}

// writeSafetensors writes tensors (name -> tensor) with metadata atomically.
func writeSafetensors(path string, tensors map[string]*ts.Tensor, meta map[string]string) error {
	entries := make(map[string]safetensors.Tensor, len(tensors))
	for name, t := range tensors {
		e, err := stTensorOf(t)
		if err != nil {
			return fmt.Errorf("safetensors %s: %w", name, err)
		}
		entries[name] = e
	}
	buf, err := safetensors.Encode(entries, meta)
	if err != nil {
		return err
	}
	return dataset.WriteFileAtomic(path, buf)
}

// readSafetensors reads every tensor (on the CPU; half types widened to
// float32) and the metadata.
func readSafetensors(path string) (map[string]*ts.Tensor, map[string]string, error) {
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read checkpoint: %w", err)
	}
	out := map[string]*ts.Tensor{}
	for name, e := range f.Tensors {
		t, err := gotchTensor(e)
		if err != nil {
			dropAll(out)
			return nil, nil, fmt.Errorf("%s: tensor %q: %w", path, name, err)
		}
		out[name] = t
	}
	return out, f.Meta, nil
}

// gotchTensor builds a CPU tensor from a checked safetensors entry.
func gotchTensor(e safetensors.Tensor) (*ts.Tensor, error) {
	dt, ok := stDTypes[e.DType]
	if !ok {
		return nil, fmt.Errorf("unsupported dtype %q", e.DType)
	}
	if len(e.Shape) == 0 {
		// 0-dim: gotch cannot pass an empty shape to libtorch; build [1] and squeeze.
		t, err := ts.OfDataSize(e.Data, []int64{1}, dt)
		if err != nil {
			return nil, err
		}
		if t, err = t.Squeeze(true); err != nil {
			return nil, err
		}
		return widen(t, dt)
	}
	t, err := ts.OfDataSize(e.Data, e.Shape, dt)
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
