package mediapipe

import (
	"fmt"
	"image"
	"slices"
	"testing"

	"gocv.io/x/gocv"
)

// TestTiles checks the tiling windows of Detect on images up to 16:10: per level, squares of
// 2/(n+2) of the letterboxed square's side that together cover every pixel of the image (the
// last window of a row or column ends at the square's side), none of them all padding.
func TestTiles(t *testing.T) {
	for _, c := range []struct {
		w, h  int
		count []int // windows per level
	}{
		{450, 450, []int{4, 9}}, // side-tile = 225, odd: the last level-2 window must end at 450
		{501, 501, []int{4, 9}},
		{500, 375, []int{4, 9}},
		{375, 500, []int{4, 9}},
		{640, 400, []int{4, 9}}, // 16:10, the longest kept in the square
		{240, 240, []int{4}},    // level 1 keeps 160 px, level 2 (120) does not
		{239, 239, nil},
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

// TestStripTiles checks the windows of images longer than 16:10 (stripTiles): per level n =
// 0, 1, 2, squares of 2/(n+2) of the shorter side, all inside the image, covering every
// pixel, at steps of at most half a window (plus one pixel of rounding), n+1 of them across
// the shorter side.
func TestStripTiles(t *testing.T) {
	for _, c := range []struct {
		w, h  int
		count []int // windows per level
	}{
		{1200, 400, []int{5, 16, 33}},
		{400, 1200, []int{5, 16, 33}},
		{1920, 1080, []int{3, 10, 21}}, // a video frame
		{641, 400, []int{3, 8, 18}},    // just past 16:10
		{5000, 50, nil},                // no window keeps minTileSide pixels
		{300, 1, nil},
		{1000, 200, []int{9}}, // level 1 (133 px) is too small
	} {
		t.Run(fmt.Sprintf("%dx%d", c.w, c.h), func(t *testing.T) {
			levels := tiles(c.w, c.h)
			if len(levels) != len(c.count) {
				t.Fatalf("%d levels, want %d: %v", len(levels), len(c.count), levels)
			}
			short := min(c.w, c.h)
			for n, level := range levels {
				if len(level) != c.count[n] {
					t.Errorf("level %d: %d windows, want %d: %v", n, len(level), c.count[n], level)
				}
				tile := 2 * short / (n + 2)
				covered := make([]bool, c.w*c.h)
				xs, ys := map[int]bool{}, map[int]bool{}
				for _, r := range level {
					if r.Dx() != tile || r.Dy() != tile {
						t.Errorf("level %d: window %v, want side %d", n, r, tile)
					}
					if !r.In(image.Rect(0, 0, c.w, c.h)) {
						t.Errorf("level %d: window %v reaches past the %dx%d image", n, r, c.w, c.h)
					}
					xs[r.Min.X], ys[r.Min.Y] = true, true
					for y := r.Min.Y; y < r.Max.Y; y++ {
						for x := r.Min.X; x < r.Max.X; x++ {
							covered[y*c.w+x] = true
						}
					}
				}
				for p, ok := range covered {
					if !ok {
						t.Fatalf("level %d: pixel (%d, %d) in no window", n, p%c.w, p/c.w)
					}
				}
				if across := map[bool]int{true: len(ys), false: len(xs)}[c.w >= c.h]; across != n+1 {
					t.Errorf("level %d: %d windows across the shorter side, want %d", n, across, n+1)
				}
				for _, starts := range []map[int]bool{xs, ys} {
					var s []int
					for v := range starts {
						s = append(s, v)
					}
					slices.Sort(s)
					for i := 1; i < len(s); i++ {
						if s[i]-s[i-1] > tile/2+1 {
							t.Errorf("level %d: step %d from %d, want at most half of %d", n, s[i]-s[i-1], s[i-1], tile)
						}
					}
				}
			}
		})
	}
}

// TestDetectInStrip: two astronauts of 200x200 px (faces of about 70 px) in a 1600x200
// strip, one mirrored, on grey. The letterboxed square's windows (1600, 1066 and 800 px)
// leave each face under 12 px of BlazeFace's 128; the strip's own windows (200, 133 px) show
// it at 45 px or more. Detect finds both faces, each box around its nose tip, and nothing else.
func TestDetectInStrip(t *testing.T) {
	l := openTest(t)
	src := loadAstronaut(t)
	truth := dlibAstronaut(t)
	small := gocv.NewMat()
	defer small.Close()
	gocv.Resize(src, &small, image.Pt(200, 200), 0, 0, gocv.InterpolationArea)
	mirrored := gocv.NewMat()
	defer mirrored.Close()
	gocv.Flip(small, &mirrored, 1)
	strip := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(128, 128, 128, 0), 200, 1600, gocv.MatTypeCV8UC3)
	defer strip.Close()
	k := 200.0 / 512
	nose := truth[30]
	want := []image.Point{}
	for _, p := range []struct {
		x      int
		m      gocv.Mat
		mirror bool
	}{{250, small, false}, {1300, mirrored, true}} {
		dst := strip.Region(image.Rect(p.x, 0, p.x+200, 200))
		p.m.CopyTo(&dst)
		dst.Close()
		x := nose.X * k
		if p.mirror {
			x = 199 - x
		}
		want = append(want, image.Pt(p.x+int(x), int(nose.Y*k)))
	}
	dets, err := l.Detect(strip, DefaultMinScore)
	if err != nil {
		t.Fatal(err)
	}
	if len(dets) != 2 {
		t.Fatalf("%d detections, want the 2 faces: %+v", len(dets), dets)
	}
	for _, w := range want {
		if !w.In(dets[0].Box) && !w.In(dets[1].Box) {
			t.Errorf("no box around the nose tip at %v: %v, %v", w, dets[0].Box, dets[1].Box)
		}
	}
}
