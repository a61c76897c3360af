package train

import (
	"errors"
	"strings"
	"testing"

	"github.com/sugarme/gotch"
)

func TestTorchErrOOMAdvice(t *testing.T) {
	raw := errors.New("Libtorch API Error: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 79.11 GiB total capacity)\ngoroutine 7 [running]:\nruntime/debug.Stack()")
	err := torchErr("epoch 3 step 17: forward", raw)
	if !errors.Is(err, ErrOutOfMemory) || !strings.Contains(err.Error(), "--batch-size") ||
		!strings.Contains(err.Error(), "epoch 3 step 17") || strings.Contains(err.Error(), "goroutine") {
		t.Fatalf("OOM error: %v", err)
	}
	other := torchErr("loss", errors.New("Libtorch API Error: shape mismatch\ngoroutine 1 [running]:"))
	if errors.Is(other, ErrOutOfMemory) || other.Error() != "loss: Libtorch API Error: shape mismatch" {
		t.Fatalf("other error: %v", other)
	}
}

func TestHostTensorCopies(t *testing.T) {
	data := []float32{1, 2, 3, 4, 5, 6}
	x, err := hostTensor(data, []int64{2, 3}, gotch.Float)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Drop()
	data[0] = 99 // the tensor owns a copy
	got, err := toHost(x)
	if err != nil || got[0] != 1 || got[5] != 6 || len(got) != 6 {
		t.Fatalf("%v %v", got, err)
	}
	if _, err := hostTensor(data, []int64{4, 2}, gotch.Float); err == nil {
		t.Fatal("shape mismatch accepted")
	}
	y, err := hostTensor([]int64{3, 0, 6}, []int64{3}, gotch.Int64)
	if err != nil {
		t.Fatal(err)
	}
	defer y.Drop()
	if v, err := y.Int64Value([]int64{2}); err != nil || v != 6 {
		t.Fatalf("int64 tensor: %v %v", v, err)
	}
}
