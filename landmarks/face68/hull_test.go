package face68

import (
	"slices"
	"testing"
)

func TestConvexHull(t *testing.T) {
	// A square with an inner point, a point on an edge and a duplicate corner.
	pts := []Point{{X: 0, Y: 0}, {X: 4, Y: 4}, {X: 2, Y: 2}, {X: 4, Y: 0}, {X: 0, Y: 4}, {X: 2, Y: 0}, {X: 4, Y: 4}}
	in := slices.Clone(pts)
	got := ConvexHull(pts)
	want := []Point{{X: 0, Y: 0}, {X: 4, Y: 0}, {X: 4, Y: 4}, {X: 0, Y: 4}}
	if !slices.Equal(got, want) {
		t.Fatalf("hull %v, want %v", got, want)
	}
	if !slices.Equal(pts, in) {
		t.Fatalf("input changed: %v", pts)
	}
	var area float64
	for i, p := range got {
		q := got[(i+1)%len(got)]
		area += p.X*q.Y - q.X*p.Y
	}
	if area != 32 { // twice the square's 16, positive
		t.Fatalf("twice the signed area %v, want 32", area)
	}
	for _, few := range [][]Point{nil, {{X: 1, Y: 2}}, {{X: 3, Y: 1}, {X: 1, Y: 2}}} {
		if got := ConvexHull(few); len(got) != len(few) || len(few) == 2 && got[0] != few[1] {
			t.Fatalf("ConvexHull(%v) = %v", few, got)
		}
	}
}
