package buildinfo

import (
	"errors"
	"io/fs"
	"os"
	"slices"
	"testing"
)

// generated.go exists exactly when scripts/prepare-gotch.sh ran for this checkout; its init
// must then have replaced every default, and without it every fact is the default.
func TestFactsMatchGeneratedFile(t *testing.T) {
	_, err := os.Stat("generated.go")
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	generated := err == nil
	f := Get()
	if f.Prepared() != generated {
		t.Fatalf("Prepared() = %v, generated.go present = %v", f.Prepared(), generated)
	}
	if !generated {
		want := Facts{NotPrepared, NotPrepared, NotPrepared, NotPrepared, -1, NotPrepared, nil}
		if !factsEqual(f, want) {
			t.Fatalf("defaults = %+v, want %+v", f, want)
		}
		return
	}
	for name, v := range map[string]string{"LibtorchPath": f.LibtorchPath, "LibtorchLib": f.LibtorchLib,
		"LibtorchVersion": f.LibtorchVersion, "Variant": f.Variant, "GotchVersion": f.GotchVersion} {
		if v == NotPrepared || v == "" {
			t.Errorf("%s = %q after generation", name, v)
		}
	}
	if f.Variant != "CPU" && f.Variant != "CUDA" {
		t.Errorf("Variant = %q, want CPU or CUDA", f.Variant)
	}
	if f.CXX11ABI != 0 && f.CXX11ABI != 1 {
		t.Errorf("CXX11ABI = %d, want 0 or 1", f.CXX11ABI)
	}
	if !slices.IsSorted(f.ReplacedOps) {
		t.Errorf("ReplacedOps not sorted: %v", f.ReplacedOps)
	}
}

func factsEqual(a, b Facts) bool {
	return a.LibtorchPath == b.LibtorchPath && a.LibtorchLib == b.LibtorchLib &&
		a.LibtorchVersion == b.LibtorchVersion && a.Variant == b.Variant && a.CXX11ABI == b.CXX11ABI &&
		a.GotchVersion == b.GotchVersion && slices.Equal(a.ReplacedOps, b.ReplacedOps)
}
