package safetensors

import (
	"encoding/binary"
	"fmt"
	"math"
)

// FromFloat32s returns an F32 tensor of the given shape holding vals (len(vals) must be the
// product of shape; Encode checks it).
func FromFloat32s(shape []int64, vals []float32) Tensor {
	data := make([]byte, 4*len(vals))
	for i, v := range vals {
		binary.LittleEndian.PutUint32(data[4*i:], math.Float32bits(v))
	}
	return Tensor{DType: F32, Shape: shape, Data: data}
}

// FromInt64s returns an I64 tensor of the given shape holding vals.
func FromInt64s(shape []int64, vals []int64) Tensor {
	data := make([]byte, 8*len(vals))
	for i, v := range vals {
		binary.LittleEndian.PutUint64(data[8*i:], uint64(v))
	}
	return Tensor{DType: I64, Shape: shape, Data: data}
}

// Float32s returns the elements of an F32 tensor; other dtypes are an error, since silently
// widening or narrowing would hide a file written by something else.
func (t Tensor) Float32s() ([]float32, error) {
	if t.DType != F32 {
		return nil, fmt.Errorf("dtype %s, want F32", t.DType)
	}
	if len(t.Data)%4 != 0 {
		return nil, fmt.Errorf("%d data bytes, not a whole number of F32 elements", len(t.Data))
	}
	out := make([]float32, len(t.Data)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(t.Data[4*i:]))
	}
	return out, nil
}
