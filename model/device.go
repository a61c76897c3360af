package model

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sugarme/gotch"
	lib "github.com/sugarme/gotch/libtch"
)

// CUDADeviceCount is the number of CUDA devices libtorch can use (0 with a
// CPU-only libtorch or no GPU).
func CUDADeviceCount() int {
	if !lib.AtcCudaIsAvailable() {
		return 0
	}
	return int(lib.AtcCudaDeviceCount())
}

// ParseDevice maps "auto", "cpu", "cuda" or "cuda:N" to a gotch device.
// "auto" is cuda:0 when a GPU is usable, else the CPU; asking for a CUDA
// device that does not exist is an error, never a silent CPU fallback.
func ParseDevice(s string) (gotch.Device, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	switch {
	case name == "auto" || name == "":
		if CUDADeviceCount() > 0 {
			return gotch.CudaBuilder(0), nil
		}
		return gotch.CPU, nil
	case name == "cpu":
		return gotch.CPU, nil
	case name == "cuda" || strings.HasPrefix(name, "cuda:"):
		idx := 0
		if rest, ok := strings.CutPrefix(name, "cuda:"); ok {
			n, err := strconv.Atoi(rest)
			if err != nil || n < 0 {
				return gotch.Device{}, fmt.Errorf("device %q: bad CUDA index %q", s, rest)
			}
			idx = n
		}
		count := CUDADeviceCount()
		if count == 0 {
			return gotch.Device{}, fmt.Errorf("device %q: CUDA is not available (libtorch %s, %s build; %d CUDA devices)", s, LibtorchVersion(), LibtorchVariant(), count)
		}
		if idx >= count {
			return gotch.Device{}, fmt.Errorf("device %q: only %d CUDA device(s) (cuda:0..cuda:%d)", s, count, count-1)
		}
		return gotch.CudaBuilder(uint(idx)), nil
	default:
		return gotch.Device{}, fmt.Errorf("unknown device %q (auto, cpu, cuda or cuda:N)", s)
	}
}
