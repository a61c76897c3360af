package model

import "github.com/occfer/occfer/internal/buildinfo"

// Env describes the libtorch this binary was built against (recorded by
// scripts/prepare-gotch.sh in internal/buildinfo) and what it can see at run time.
type Env struct {
	LibtorchVersion string   `json:"libtorch_version"`
	LibtorchPath    string   `json:"libtorch_path"`
	LibtorchLib     string   `json:"libtorch_lib"`
	Variant         string   `json:"variant"` // CPU or CUDA build
	CXX11ABI        int      `json:"cxx11_abi"`
	GotchVersion    string   `json:"gotch_version"`
	CUDADevices     int      `json:"cuda_devices"`
	ReplacedOps     []string `json:"replaced_ops"` // gotch ops that raise an error on this libtorch
}

// LibtorchVersion is the version recorded at prepare time ("not prepared"
// when internal/buildinfo was not generated).
func LibtorchVersion() string { return buildinfo.Get().LibtorchVersion }

// LibtorchVariant is "CPU" or "CUDA".
func LibtorchVariant() string { return buildinfo.Get().Variant }

// Environment returns the build and runtime facts for `ffra env`.
func Environment() Env {
	b := buildinfo.Get()
	return Env{
		LibtorchVersion: b.LibtorchVersion,
		LibtorchPath:    b.LibtorchPath,
		LibtorchLib:     b.LibtorchLib,
		Variant:         b.Variant,
		CXX11ABI:        b.CXX11ABI,
		GotchVersion:    b.GotchVersion,
		CUDADevices:     CUDADeviceCount(),
		ReplacedOps:     b.ReplacedOps,
	}
}
