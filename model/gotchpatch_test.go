package model

import (
	"runtime"
	"testing"

	"github.com/sugarme/gotch"
	lib "github.com/sugarme/gotch/libtch"
	"github.com/sugarme/gotch/ts"
)

// scripts/gotch-patches/0003-ts-generated-leaks.awk makes gotch's in-place ops free the handle
// they replace. Unpatched, a tensor that went through an in-place op kept
// its storage after Drop (measured: +100 MB RSS per 100 MB tensor). Here 12
// tensors of 128 MB each go through three in-place ops and are dropped:
// leaking would add ~1.5 GB; the allowance is 256 MB. libtorch takes blocks
// this large straight from mmap and returns them at free, so RSS follows.
func TestInPlaceOpsFreeTheirTensor(t *testing.T) {
	const n = 32 << 20 // float32 elements: 128 MB
	before := rssMB(t)
	for i := 0; i < 12; i++ {
		x, err := ts.Ones([]int64{n}, gotch.Float, gotch.CPU)
		if err != nil {
			t.Fatal(err)
		}
		if err := x.MulScalar_(ts.FloatScalar(2)); err != nil {
			t.Fatal(err)
		}
		if err := x.AddScalar_(ts.FloatScalar(1)); err != nil {
			t.Fatal(err)
		}
		if err := x.Zero_(); err != nil {
			t.Fatal(err)
		}
		if i == 0 { // the in-place ops acted on the tensor the handle names
			s, err := x.Sum(gotch.Float, false)
			if err != nil {
				t.Fatal(err)
			}
			if v := s.Float64Values()[0]; v != 0 {
				t.Fatalf("sum after Zero_ = %v, want 0", v)
			}
			drop(s)
		}
		drop(x)
	}
	grew := rssMB(t) - before
	t.Logf("RSS grew by %.0f MB over 12 x 128 MB tensors", grew)
	if grew > 256 {
		t.Fatalf("RSS grew by %.0f MB: in-place ops leak their tensor (is build/gotch patched? run scripts/prepare-gotch.sh)", grew)
	}
}

// scripts/gotch-patches/0001-libtch-int-returns.patch: AtGradSetEnabled and
// AtDevice return their C int exactly. Unpatched they read 8 bytes from a
// 4-byte C int, so whatever the stack held above it showed up in the result.
func TestIntReturnsAreExact(t *testing.T) {
	runtime.LockOSThread() // grad mode is per OS thread
	defer runtime.UnlockOSThread()
	prev := lib.AtGradSetEnabled(1)
	defer lib.AtGradSetEnabled(prev)
	for i := 0; i < 100; i++ {
		if got := lib.AtGradSetEnabled(0); got != 1 {
			t.Fatalf("call %d: AtGradSetEnabled(0) returned %d after enabling, want 1", i, got)
		}
		if got := lib.AtGradSetEnabled(1); got != 0 {
			t.Fatalf("call %d: AtGradSetEnabled(1) returned %d after disabling, want 0", i, got)
		}
	}
	x, err := ts.Ones([]int64{2}, gotch.Float, gotch.CPU)
	if err != nil {
		t.Fatal(err)
	}
	defer drop(x)
	d, err := x.Device()
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "CPU" { // gotch maps at_device's -1 to Device{CPU, 1}, any other value to CUDA
		t.Fatalf("CPU tensor reports device %+v", d)
	}
}
