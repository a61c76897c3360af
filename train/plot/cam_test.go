package plot

import (
	"image"
	"image/color"
	"image/draw"
	"testing"
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

// fixtureCAMFigure is a 100x100 grey gradient "face" with a 7x7 map hot in its lower middle
// (the mouth, where FFRA-Net's Fig. 6 puts Happiness evidence).
func fixtureCAMFigure() (*image.RGBA, error) {
	base := image.NewRGBA(image.Rect(0, 0, 100, 100))
	for y := 0; y < 100; y++ {
		for x := 0; x < 100; x++ {
			v := uint8(60 + x + y/2)
			base.SetRGBA(x, y, color.RGBA{v, v, v, 255})
		}
	}
	cam := make([]float32, 49)
	for y := 0; y < 7; y++ {
		for x := 0; x < 7; x++ {
			dx, dy := float32(x-3), float32(y-5)
			cam[y*7+x] = 10 - dx*dx - dy*dy
		}
	}
	return CAMFigure(base, cam, 7, 7, 0.5, "Happiness 93.4%")
}

func TestCAMFigureLayoutAndCaption(t *testing.T) {
	fig, err := fixtureCAMFigure()
	if err != nil {
		t.Fatal(err)
	}
	// 100 px images are shown 2x: two 200 px panels, 10 px margins, caption strip below.
	if b := fig.Bounds(); b.Dx() != 2*200+30 || b.Dy() != 200+34 {
		t.Fatalf("figure %v", b)
	}
	// Left panel is the untouched (enlarged) image; the right one is heat-coloured.
	if c := fig.RGBAAt(10+20, 10+20); c.R != c.G || c.G != c.B {
		t.Errorf("left panel pixel %v is not grey", c)
	}
	if c := fig.RGBAAt(220+100, 10+170); !(c.R > c.B+40) {
		t.Errorf("overlay at the mouth %v is not hot", c)
	}
	ink := 0
	for y := 210; y < 234; y++ {
		for x := 10; x < 200; x++ {
			if fig.RGBAAt(x, y).R < 100 {
				ink++
			}
		}
	}
	if ink < 150 {
		t.Fatalf("caption strip has %d dark pixels; the caption is missing", ink)
	}
	blank := image.NewRGBA(image.Rect(0, 0, 1, 1))
	draw.Draw(blank, blank.Bounds(), image.White, image.Point{}, draw.Src)
	if _, err := CAMFigure(blank, []float32{1}, 1, 2, 0.5, "x"); err == nil {
		t.Fatal("bad map accepted")
	}
}
