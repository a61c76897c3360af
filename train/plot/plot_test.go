package plot

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"testing"

	"github.com/occfer/occfer/train/metrics"
)

func TestJetEnds(t *testing.T) {
	if c := Jet(0); c.B < 120 || c.R != 0 || c.G != 0 {
		t.Fatalf("Jet(0) = %v, want dark blue", c)
	}
	if c := Jet(1); c.R < 120 || c.B != 0 || c.G != 0 {
		t.Fatalf("Jet(1) = %v, want dark red", c)
	}
	if c := Jet(0.5); c.G != 255 {
		t.Fatalf("Jet(0.5) = %v, want full green", c)
	}
}

func TestOverlayCAMPlacesHeat(t *testing.T) {
	base := image.NewRGBA(image.Rect(0, 0, 40, 40))
	for i := range base.Pix {
		base.Pix[i] = 128
	}
	// 2x2 map, hot top-right, negative bottom-left (clamped to 0).
	out, err := OverlayCAM(base, []float32{0, 4, -3, 0}, 2, 2, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	hot := out.RGBAAt(35, 4)
	cold := out.RGBAAt(4, 35)
	if !(hot.R > hot.B+40 && hot.R > hot.G+40) || !(cold.B > cold.R+40 && cold.B > cold.G+40) {
		t.Fatalf("hot corner %v, cold corner %v: heat misplaced", hot, cold)
	}
	if _, err := OverlayCAM(base, []float32{1, 2, 3}, 2, 2, 0.5); err == nil {
		t.Fatal("wrong map size accepted")
	}
	n := NormalizeCAM([]float32{-1, 2, 4})
	if n[0] != 0 || n[1] != 0.5 || n[2] != 1 {
		t.Fatalf("NormalizeCAM = %v", n)
	}
}

func TestConfusionAndCurvesPNG(t *testing.T) {
	c := metrics.NewConfusion([]string{"Surprise", "Fear", "Disgust"})
	for i := 0; i < 10; i++ {
		c.Add(0, 0)
	}
	c.Add(1, 0)
	img := Confusion(c, "test set")
	// The cell (0,0) is 100%: darkest colour; cell (2,2) has no samples: white.
	b := img.Bounds()
	if b.Dx() < 200 || b.Dy() < 200 {
		t.Fatalf("confusion image %v too small", b)
	}
	data, err := EncodePNG(img)
	if err != nil {
		t.Fatal(err)
	}
	dec, err := png.Decode(bytes.NewReader(data))
	if err != nil || dec.Bounds() != b {
		t.Fatalf("round trip: %v %v", err, dec.Bounds())
	}
	dark := seqColor(1)
	found := false
	for y := 0; y < b.Dy() && !found; y++ {
		for x := 0; x < b.Dx(); x++ {
			if img.RGBAAt(x, y) == dark {
				found = true
				break
			}
		}
	}
	if !found {
		t.Fatal("no 100% cell drawn")
	}
	cur := Curves(map[string][]Series{
		"loss": {{Name: "train", X: []float64{1, 2, 3}, Y: []float64{2, 1, math.NaN()}}},
		"acc":  {{Name: "test", X: []float64{1, 2, 3}, Y: []float64{0.2, 0.5, 0.7}}},
	}, []string{"loss", "acc"})
	colored := 0
	want := palette[0]
	for y := 0; y < cur.Bounds().Dy(); y++ {
		for x := 0; x < cur.Bounds().Dx(); x++ {
			if cur.RGBAAt(x, y) == want {
				colored++
			}
		}
	}
	if colored < 100 {
		t.Fatalf("curves drew only %d pixels of the first series colour", colored)
	}
	_ = color.Black
}
