package synth

import (
	"fmt"
	"testing"

	"github.com/occfer/occfer/landmarks/face68"
)

// TestMouthOnlyPairsDrawing renders the same person with both classes of each mouth-only pair
// and requires the two images to be identical outside the mouth: no brow, eye, jaw or
// lighting difference may leak the class. Every other pair of classes must differ in the
// brow/eye parameters.
func TestMouthOnlyPairsDrawing(t *testing.T) {
	isPair := map[[2]int]bool{}
	for _, p := range MouthOnlyPairs {
		isPair[p] = true
		for k := range 20 {
			rel := fmt.Sprintf("Image/aligned/train_%05d_aligned.jpg", k+1)
			a, la, err := Face(4, rel, p[0], 100)
			if err != nil {
				t.Fatal(err)
			}
			b, lb, err := Face(4, rel, p[1], 100)
			if err != nil {
				t.Fatal(err)
			}
			for i := range 48 {
				if la[i] != lb[i] {
					t.Fatalf("%s/%s %s: landmark %d differs", ClassNames[p[0]], ClassNames[p[1]], rel, i)
				}
			}
			hullA := face68.ConvexHull(la[48:])
			hullB := face68.ConvexHull(lb[48:])
			diff, outside := 0, 0
			for y := range 100 {
				for x := range 100 {
					o := a.PixOffset(x, y)
					if a.Pix[o] == b.Pix[o] && a.Pix[o+1] == b.Pix[o+1] && a.Pix[o+2] == b.Pix[o+2] {
						continue
					}
					diff++
					q := face68.Point{X: float64(x), Y: float64(y)}
					// 2 pixels of slack: anti-aliased lip edges and the 0.9-pixel seam.
					if !insideGrown(hullA, q, 2) && !insideGrown(hullB, q, 2) {
						outside++
					}
				}
			}
			if diff < 30 || outside > 0 {
				t.Errorf("%s vs %s (%s): %d pixels differ, %d of them outside the mouth", ClassNames[p[0]], ClassNames[p[1]], rel, diff, outside)
			}
		}
	}
	for a := range 7 {
		for b := a + 1; b < 7; b++ {
			same := expressions[a].up == expressions[b].up
			if same != isPair[[2]int{a, b}] {
				t.Errorf("%s/%s: equal upper face = %v, but mouth-only pair = %v", ClassNames[a], ClassNames[b], same, isPair[[2]int{a, b}])
			}
		}
	}
}
