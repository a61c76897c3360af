package facebox

import (
	"testing"

	"github.com/occfer/occfer/landmarks/face68"
)

func TestInnerIgnoresJaw(t *testing.T) {
	var s face68.Shape
	for i := range s {
		s[i] = face68.Point{X: 10 + float64(i%5)*4, Y: 20 + float64(i%3)*3} // x 10-26, y 20-26
	}
	for i := 0; i < 17; i++ {
		s[i] = face68.Point{X: -100, Y: 500} // the jaw lies outside: it must not count
	}
	cx, cy, side := Inner(s)
	if cx != 18 || cy != 23 || side != 16 {
		t.Fatalf("Inner = (%v, %v, %v), want (18, 23, 16)", cx, cy, side)
	}
}
