package plot

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/occfer/occfer/dataset"
)

// update rewrites the golden figures from the current drawing:
//
//	go test ./train/plot -run TestGolden -update
//
// Look at every rewritten PNG before committing it.
var update = flag.Bool("update", false, "rewrite testdata/golden/plot_*.png from the current drawing")

const goldenDir = "../../testdata/golden"

// Golden tolerance. gonum rasterises with git.sr.ht/~sbinet/gg and golang/freetype, whose
// antialiased edges can move by a few levels with the CPU's float rounding (FMA on arm64)
// or another freetype: a pixel counts as different when any channel is more than
// goldenChannelTol levels (of 255) away, and a figure fails when more than goldenMaxFrac
// (0.05%) of its pixels differ. Measured on the 7-class confusion figure, one count more in
// one cell changes 0.13% of the pixels; on the 3-epoch curves, moving one point by 0.01 loss
// changes 0.37%. A single tick digit is smaller than the bound, so the tick values and
// labels are asserted on the plot model instead (TestCurvesModel, TestConfusionModel).
const (
	goldenChannelTol = 24
	goldenMaxFrac    = 0.0005
)

func TestGolden(t *testing.T) {
	confusion7 := ConfusionFigure{Set: "FM_RAF-DB", Note: "best epoch 12 · mean class accuracy 71.3%",
		Confusion: fixtureConfusion(rafClasses, 2)}
	confusion8 := ConfusionFigure{Set: "FERPlus_test", Note: "epoch 40", Confusion: fixtureConfusion(ferplusEigt, -1)}
	cases := []struct {
		name string
		draw func() (*image.RGBA, error)
	}{
		{"plot_curves_1epoch", func() (*image.RGBA, error) { return Curves(fixtureCurves(1, "test")) }},
		{"plot_curves_3epochs", func() (*image.RGBA, error) { return Curves(fixtureCurves(3, "test", "FM_RAF-DB", "SG_RAF-DB")) }},
		{"plot_curves_200epochs", func() (*image.RGBA, error) { return Curves(fixtureCurves(200, "test", "FM_RAF-DB")) }},
		{"plot_confusion_7", func() (*image.RGBA, error) { return Confusion(confusion7) }},
		{"plot_confusion_8", func() (*image.RGBA, error) { return Confusion(confusion8) }},
		{"plot_sweep", func() (*image.RGBA, error) { return Sweep(fixtureSweep()) }},
		{"plot_cam", func() (*image.RGBA, error) { return fixtureCAMFigure() }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			img, err := c.draw()
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(goldenDir, c.name+".png")
			if *update {
				var buf bytes.Buffer
				if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, img); err != nil {
					t.Fatal(err)
				}
				if err := dataset.WriteFileAtomic(path, buf.Bytes()); err != nil {
					t.Fatal(err)
				}
				return
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatalf("%v (create it with -update)", err)
			}
			defer f.Close()
			want, err := png.Decode(f)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			if err := compareImages(img, want); err != nil {
				out := filepath.Join(t.ArtifactDir(), c.name+".png")
				if data, encErr := EncodePNG(img); encErr == nil {
					_ = os.WriteFile(out, data, 0o644)
				}
				t.Fatalf("%s: %v; this run's figure: %s (kept with -artifacts); rerun with -update if the change is intended", path, err, out)
			}
		})
	}
}

// compareImages applies the golden tolerance above.
func compareImages(got *image.RGBA, want image.Image) error {
	if got.Bounds().Size() != want.Bounds().Size() {
		return fmt.Errorf("size %v, golden %v", got.Bounds().Size(), want.Bounds().Size())
	}
	b, wb := got.Bounds(), want.Bounds()
	diff := 0
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			g := got.RGBAAt(b.Min.X+x, b.Min.Y+y)
			r, gg, bb, _ := want.At(wb.Min.X+x, wb.Min.Y+y).RGBA()
			if absDiff(g.R, r>>8) > goldenChannelTol || absDiff(g.G, gg>>8) > goldenChannelTol || absDiff(g.B, bb>>8) > goldenChannelTol {
				diff++
			}
		}
	}
	if n := b.Dx() * b.Dy(); float64(diff) > goldenMaxFrac*float64(n) {
		return fmt.Errorf("%d of %d pixels (%.3f%%) differ by more than %d levels, allowed %.3f%%",
			diff, n, 100*float64(diff)/float64(n), goldenChannelTol, 100*goldenMaxFrac)
	}
	return nil
}

func absDiff(a uint8, b uint32) uint32 {
	if uint32(a) > b {
		return uint32(a) - b
	}
	return b - uint32(a)
}
