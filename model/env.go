package model

import "github.com/sugarme/gotch/buildinfo"

// Env describes the libtorch this binary was built against (recorded by
// scripts/prepare-gotch.sh) and what it can see at run time.
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

// LibtorchVersion is the version recorded at prepare time.
func LibtorchVersion() string { return buildinfo.LibtorchVersion }

// LibtorchVariant is "CPU" or "CUDA".
func LibtorchVariant() string { return buildinfo.Variant }

// Environment returns the build and runtime facts for `ffra env`.
func Environment() Env {
	return Env{
		LibtorchVersion: buildinfo.LibtorchVersion,
		LibtorchPath:    buildinfo.LibtorchPath,
		LibtorchLib:     buildinfo.LibtorchLib,
		Variant:         buildinfo.Variant,
		CXX11ABI:        buildinfo.CXX11ABI,
		GotchVersion:    buildinfo.GotchVersion,
		CUDADevices:     CUDADeviceCount(),
		ReplacedOps:     append([]string(nil), buildinfo.ReplacedOps...),
	}
}
