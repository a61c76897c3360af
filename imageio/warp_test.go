package imageio

import (
	"image"
	"testing"

	"gocv.io/x/gocv"
)

// Warp moves pixels where the matrix says, on both the affine and the
// perspective path, and fills outside the source with the border mode.
func TestWarpMovesPixels(t *testing.T) {
	src := gocv.NewMatWithSize(8, 8, gocv.MatTypeCV8UC3)
	defer src.Close()
	src.SetUCharAt(3, 3*3+1, 200) // green at (x=3, y=3)
	shift := [3][3]float64{{1, 0, 2}, {0, 1, 1}, {0, 0, 1}}
	// The same shift written as a perspective matrix (scaled by 2: same map).
	persp := [3][3]float64{{2, 0, 4}, {0, 2, 2}, {0, 0, 2}}
	for name, m := range map[string][3][3]float64{"affine": shift, "perspective": persp} {
		dst, err := Warp(src, m, image.Pt(10, 9), gocv.InterpolationNearestNeighbor, gocv.BorderConstant)
		if err != nil {
			t.Fatal(err)
		}
		if dst.Cols() != 10 || dst.Rows() != 9 || dst.Type() != gocv.MatTypeCV8UC3 {
			t.Fatalf("%s: %dx%d type %v, want 10x9 BGR", name, dst.Cols(), dst.Rows(), dst.Type())
		}
		if g := dst.GetUCharAt(4, 5*3+1); g != 200 {
			t.Errorf("%s: green at (5,4) = %d, want 200 (moved from (3,3))", name, g)
		}
		if g := dst.GetUCharAt(3, 3*3+1); g != 0 {
			t.Errorf("%s: green at (3,3) = %d, want 0 after the move", name, g)
		}
		if v := dst.GetUCharAt(8, 9*3); v != 0 {
			t.Errorf("%s: outside the source = %d, want 0 (constant border)", name, v)
		}
		dst.Close()
	}
}
