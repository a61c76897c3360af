package warp

import (
	"image"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/landmarks/face68"
	"github.com/occfer/occfer/synth"
)

// Golden tolerance: a render matches when at most 0.5% of its channel values
// differ from the stored PNG by more than 2 levels. Same machine and build
// reproduce the bytes exactly; the slack absorbs OpenCV SIMD paths that
// round the bilinear warp and Gaussian blur differently.
const (
	goldenTol     = 2
	goldenMaxBad  = 0.005
	goldenMessage = "per-channel |diff| ≤ 2 on ≥ 99.5% of values"
)

// goldenViews are the turned synth faces of the golden strips (after the fixture's views):
// 35° with visible-contour landmarks, -60° tilted up with hidden-contour ones.
var goldenViews = []struct {
	v      synth.View
	hidden bool
}{{synth.View{Yaw: 35}, false}, {synth.View{Yaw: -60, Pitch: 10}, true}}

// TestGoldenPlacement renders every committed template on the astronaut
// fixture in each placementCase (scales, ±20° roll, mirror, aligned 100×100
// crop) and on two turned synth faces (goldenViews), with DefaultOptions and a
// fixed-seed rng, and compares the strip of tiles with
// testdata/golden/<template>.png. Run with -update to rewrite.
func TestGoldenPlacement(t *testing.T) {
	src := astronaut(t)
	defer src.Close()
	lm := astronautLandmarks(t)
	n := len(placementCases) + len(goldenViews)
	for ti, tpl := range assetTemplates(t) {
		t.Run(tpl.Name, func(t *testing.T) {
			strip := gocv.NewMatWithSize(tileSize, tileSize*n, gocv.MatTypeCV8UC3)
			defer strip.Close()
			for ci := 0; ci < n; ci++ {
				var img gocv.Mat
				var face face68.Shape
				if ci < len(placementCases) {
					img, face = placementCases[ci].render(t, src, lm)
				} else {
					g := goldenViews[ci-len(placementCases)]
					img, face = posedFace(t, uint64(ci), 3, tileSize, g.v, g.hidden)
				}
				rng := rand.New(rand.NewPCG(uint64(ti), uint64(ci)))
				if _, err := Apply(img, face, tpl, DefaultOptions(), rng); err != nil {
					img.Close()
					t.Fatalf("tile %d: %v", ci, err)
				}
				dst := strip.Region(image.Rect(ci*tileSize, 0, ci*tileSize+img.Cols(), img.Rows()))
				img.CopyTo(&dst)
				dst.Close()
				img.Close()
			}
			path := filepath.Join(goldenDir, tpl.Name+".png")
			if *update {
				writePNG(t, path, strip)
				return
			}
			want := gocv.IMRead(path, gocv.IMReadColor)
			defer want.Close()
			if want.Empty() || want.Cols() != strip.Cols() || want.Rows() != strip.Rows() {
				t.Fatalf("golden %s missing or wrong size (run go test ./warp -run TestGoldenPlacement -update)", path)
			}
			bad, worst := diffStats(matBytes(t, strip), matBytes(t, want), goldenTol)
			if bad > goldenMaxBad {
				// outside t.TempDir, which is removed when the test ends
				got := filepath.Join(os.TempDir(), "golden-"+tpl.Name+".png")
				writePNG(t, got, strip)
				t.Errorf("%s: %.3f%% of values differ by > %d (max %d); want %s. Render kept at %s",
					path, 100*bad, goldenTol, worst, goldenMessage, got)
			}
		})
	}
}
