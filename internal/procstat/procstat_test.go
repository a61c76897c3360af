package procstat

import (
	"testing"
	"time"
)

func TestRSSSeesAnAllocation(t *testing.T) {
	before, err := RSS()
	if err != nil {
		t.Fatal(err)
	}
	if before <= 0 {
		t.Fatalf("RSS %d", before)
	}
	var buf []byte
	peak := PeakRSS(func() {
		buf = make([]byte, 64<<20)
		for i := range buf {
			buf[i] = 1 // touch every page
		}
		time.Sleep(20 * time.Millisecond)
	})
	if peak < before+48<<20 {
		t.Fatalf("peak RSS %d MB, before %d MB: a touched 64 MB buffer not seen", peak>>20, before>>20)
	}
	_ = buf[len(buf)-1]
}

func TestCPUTimeAdvances(t *testing.T) {
	t0 := CPUTime()
	x := 0
	for end := time.Now().Add(30 * time.Millisecond); time.Now().Before(end); {
		x++
	}
	if d := CPUTime() - t0; d < 10*time.Millisecond {
		t.Fatalf("CPU time advanced %v over a 30 ms busy loop (%d iterations)", d, x)
	}
}
