package warp

import (
	"math"
	"testing"
)

func TestLevelIndexMatchesLevelFor(t *testing.T) {
	for s := 0.001; s < 1.5; s *= 1.013 {
		want := 0
		if s < 1 {
			want = min(max(int(math.Floor(-2*math.Log2(s))), 0), maxLevel)
		}
		if got := levelIndex(s); got != want {
			t.Fatalf("s=%g: %d, want %d", s, got, want)
		}
	}
}
