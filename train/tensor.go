package train

import (
	"errors"
	"fmt"
	"strings"
	"unsafe"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"
)

// hostTensor makes a CPU tensor of the given shape holding a copy of data. gotch's
// NewTensorFromData goes through reflection and binary.Write (three copies, ~1 ns/element);
// a batch of 128x3x224x224 would spend tens of ms there, so this allocates an empty tensor
// and copies straight into its storage.
func hostTensor[T float32 | int64](data []T, shape []int64, dt gotch.DType) (*ts.Tensor, error) {
	n := int64(1)
	for _, d := range shape {
		n *= d
	}
	if int64(len(data)) != n {
		return nil, fmt.Errorf("tensor data has %d elements, shape %v needs %d", len(data), shape, n)
	}
	t, err := ts.Empty(shape, dt, gotch.CPU)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return t, nil
	}
	p, err := t.DataPtr()
	if err != nil {
		t.Drop()
		return nil, err
	}
	copy(unsafe.Slice((*T)(p), n), data)
	return t, nil
}

// toDevice moves a CPU tensor to dev, dropping the CPU copy.
func toDevice(t *ts.Tensor, dev gotch.Device) (*ts.Tensor, error) {
	if dev == gotch.CPU {
		return t, nil
	}
	return t.To(dev, true)
}

// scalar reads a one-element tensor.
func scalar(t *ts.Tensor) (float64, error) {
	return t.Float64Value(nil)
}

// torchMessage strips the Go stack trace that gotch appends to libtorch errors and keeps the
// first lines of libtorch's own message, which is what a user can act on.
func torchMessage(err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	if i := strings.Index(s, "\ngoroutine "); i >= 0 {
		s = s[:i]
	}
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > 3 {
		lines = lines[:3]
	}
	return strings.Join(lines, " ")
}

// ErrOutOfMemory marks a device allocation failure.
var ErrOutOfMemory = errors.New("out of device memory")

// torchErr wraps a libtorch error with context, turning CUDA OOM into ErrOutOfMemory with the
// advice a user needs.
func torchErr(what string, err error) error {
	if err == nil {
		return nil
	}
	msg := torchMessage(err)
	if strings.Contains(msg, "out of memory") {
		return fmt.Errorf("%s: %w (%s); try a smaller --batch-size (or --eval-batch)", what, ErrOutOfMemory, msg)
	}
	return fmt.Errorf("%s: %s", what, msg)
}

// recovered converts a panic from gotch Must* functions into an error at our boundary.
func recovered(what string, errp *error) {
	if r := recover(); r != nil {
		var err error
		switch v := r.(type) {
		case error:
			err = v
		default:
			err = fmt.Errorf("%v", v)
		}
		*errp = torchErr(what, fmt.Errorf("panic: %w", err))
	}
}
