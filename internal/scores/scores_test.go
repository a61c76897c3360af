package scores

import (
	"math"
	"testing"
)

func TestArgmax(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name string
		in   []float64
		want int
	}{
		{"empty", nil, 0},
		{"one", []float64{3}, 0},
		{"max last", []float64{1, 2, 5}, 2},
		{"tie goes first", []float64{1, 4, 2, 4}, 1},
		{"negative", []float64{-3, -1, -2}, 1},
		{"NaN skipped", []float64{1, nan, 0.5}, 0},
		{"NaN first stays", []float64{nan, 2, 3}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Argmax(tc.in); got != tc.want {
				t.Fatalf("Argmax(%v) = %d, want %d", tc.in, got, tc.want)
			}
		})
	}
	if got := Argmax([]float32{0.1, 0.7, 0.2}); got != 1 {
		t.Fatalf("float32: %d, want 1", got)
	}
}
