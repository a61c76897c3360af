package model

import (
	"slices"
	"strings"
	"testing"

	"github.com/occfer/occfer/internal/buildinfo"
	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"
)

func TestEnvironment(t *testing.T) {
	e := Environment()
	if e.LibtorchVersion == buildinfo.NotPrepared {
		t.Fatal("internal/buildinfo/generated.go is missing: run scripts/prepare-gotch.sh (make gotch)")
	}
	if e.LibtorchVersion == "" || e.LibtorchVersion == "unknown" {
		t.Errorf("libtorch version %q", e.LibtorchVersion)
	}
	if e.Variant != "CPU" && e.Variant != "CUDA" {
		t.Errorf("variant %q", e.Variant)
	}
	if e.Variant == "CPU" && e.CUDADevices != 0 {
		t.Errorf("CPU build reports %d CUDA devices", e.CUDADevices)
	}
}

// A gotch op replaced by scripts/prepare-gotch.sh returns an error naming the
// op and the libtorch version instead of failing to build or crashing.
func TestReplacedOpReturnsError(t *testing.T) {
	if !slices.Contains(Environment().ReplacedOps, "atg_empty_permuted") {
		t.Skip("atg_empty_permuted compiles against this libtorch")
	}
	x, err := ts.EmptyPermuted([]int64{2, 3}, []int64{1, 0}, gotch.Float, gotch.CPU)
	if err == nil {
		drop(x)
	}
	if err == nil || !strings.Contains(err.Error(), "atg_empty_permuted is not available in libtorch "+LibtorchVersion()) {
		t.Fatalf("replaced op: %v", err)
	}
}
