package model

import (
	"runtime"
	"testing"
)

func TestZZMemCurve(t *testing.T) {
	s := newStepper(t, "ffra", 4, 112)
	for i := 0; i < 120; i++ {
		if _, err := s.step(); err != nil {
			t.Fatal(err)
		}
		if i%10 == 9 {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			t.Logf("step %d RSS %.0f MB, Go heap %.0f MB", i+1, rssMB(t), float64(ms.HeapAlloc)/1e6)
		}
	}
}
