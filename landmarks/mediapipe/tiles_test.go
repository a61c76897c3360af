package mediapipe

import (
	"fmt"
	"image"
	"testing"
)

// TestTiles checks the tiling windows of Detect: per level, squares of 2/(n+2) of the
// letterboxed square's side that together cover every pixel of the image (the last window of
// a row or column ends at the square's side), none of them all padding.
func TestTiles(t *testing.T) {
	for _, c := range []struct {
		w, h  int
		count []int // windows per level
	}{
		{450, 450, []int{4, 9}}, // side-tile = 225, odd: the last level-2 window must end at 450
		{501, 501, []int{4, 9}},
		{500, 375, []int{4, 9}},
		{375, 500, []int{4, 9}},
		{5000, 50, []int{2, 3}},
		{50, 5000, []int{2, 3}},
		{1, 300, []int{2}},
		{300, 1, []int{2}},
		{240, 240, []int{4}}, // level 1 keeps 160 px, level 2 (120) does not
		{239, 239, nil},
		{159, 1, nil},
		{1, 1, nil},
	} {
		t.Run(fmt.Sprintf("%dx%d", c.w, c.h), func(t *testing.T) {
			levels := tiles(c.w, c.h)
			if len(levels) != len(c.count) {
				t.Fatalf("%d levels, want %d", len(levels), len(c.count))
			}
			side := max(c.w, c.h)
			for i, level := range levels {
				n := i + 1
				if len(level) != c.count[i] {
					t.Errorf("level %d: %d windows, want %d: %v", n, len(level), c.count[i], level)
				}
				tile := 2 * side / (n + 2)
				covered := make([]bool, c.w*c.h)
				for _, r := range level {
					if r.Dx() != tile || r.Dy() != tile {
						t.Errorf("level %d: window %v, want side %d", n, r, tile)
					}
					if r.Min.X < 0 || r.Min.Y < 0 || r.Max.X > side || r.Max.Y > side {
						t.Errorf("level %d: window %v outside the %d px square", n, r, side)
					}
					in := r.Intersect(image.Rect(0, 0, c.w, c.h))
					if in.Empty() {
						t.Errorf("level %d: window %v is all padding", n, r)
					}
					for y := in.Min.Y; y < in.Max.Y; y++ {
						for x := in.Min.X; x < in.Max.X; x++ {
							covered[y*c.w+x] = true
						}
					}
				}
				for p, ok := range covered {
					if !ok {
						t.Fatalf("level %d: pixel (%d, %d) in no window: %v", n, p%c.w, p/c.w, level)
					}
				}
			}
		})
	}
}
