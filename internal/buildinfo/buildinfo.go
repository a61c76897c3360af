// Package buildinfo holds what scripts/prepare-gotch.sh found about the libtorch that
// build/gotch was prepared for: its path, version, CPU or CUDA build, C++ ABI, the gotch
// version copied and the gotch ops replaced because they do not compile against it. `ffra env`,
// run reports and device errors print these facts.
//
// The package is split in two files so that occfer stays a normal Go module whether or not gotch
// has been prepared:
//
//   - buildinfo.go (this file, committed) declares the facts with "not prepared" defaults;
//   - generated.go (git-ignored) is written by scripts/prepare-gotch.sh; its init replaces the
//     defaults with the facts it found.
//
// Without generated.go (a fresh clone, an occlude-only build, a worktree that borrows another
// checkout's build/gotch) the package still compiles and reports the defaults, and no import
// path exists only in generated code, so `go mod tidy` and `go vet` work without preparation.
// The package is pure Go (no cgo, no libtorch).
package buildinfo

import "slices"

// NotPrepared is the value of every text fact when generated.go is absent.
const NotPrepared = "not prepared"

// Facts describes the libtorch build/gotch was prepared for.
type Facts struct {
	// LibtorchPath is the libtorch root (LIBTORCH, or /usr for Debian's libtorch-dev).
	LibtorchPath string
	// LibtorchLib is the folder the libtorch shared libraries are linked from.
	LibtorchLib string
	// LibtorchVersion is the version found at prepare time, e.g. "1.13.1".
	LibtorchVersion string
	// Variant is "CPU" or "CUDA": how libtorch was built, not whether a GPU is present.
	Variant string
	// CXX11ABI is the _GLIBCXX_USE_CXX11_ABI value gotch was compiled with (0 or 1; -1 when
	// not prepared).
	CXX11ABI int
	// GotchVersion is the gotch module version that was copied, e.g. "v0.9.1".
	GotchVersion string
	// ReplacedOps are the gotch ops (C names, "atg_...") that raise an error naming the op and
	// the libtorch version, because they do not compile against this libtorch. Sorted.
	ReplacedOps []string
}

// facts is assigned once, by generated.go's init when that file exists, and only read after.
var facts = Facts{
	LibtorchPath:    NotPrepared,
	LibtorchLib:     NotPrepared,
	LibtorchVersion: NotPrepared,
	Variant:         NotPrepared,
	CXX11ABI:        -1,
	GotchVersion:    NotPrepared,
}

// Get returns the facts (a copy: callers may modify it).
func Get() Facts {
	f := facts
	f.ReplacedOps = slices.Clone(f.ReplacedOps)
	return f
}

// Prepared reports whether scripts/prepare-gotch.sh generated the facts.
func (f Facts) Prepared() bool { return f.LibtorchVersion != NotPrepared }
