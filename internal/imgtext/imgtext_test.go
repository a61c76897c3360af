package imgtext

import (
	"image"
	"image/color"
	"image/draw"
	"testing"
)

// ink counts pixels darker than mid-grey in r.
func ink(img *image.RGBA, r image.Rectangle) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if img.RGBAAt(x, y).R < 128 {
				n++
			}
		}
	}
	return n
}

func TestDrawPlacesTextRightOfAndAboveTheBaseline(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 200, 40))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	sty := Style{Size: 16}
	if err := sty.Draw(img, 10, 25, "Happiness"); err != nil {
		t.Fatal(err)
	}
	w, err := sty.Width("Happiness")
	if err != nil {
		t.Fatal(err)
	}
	asc, err := sty.Ascent()
	if err != nil {
		t.Fatal(err)
	}
	// Liberation Sans at 16 px: "Happiness" is about 70 px wide, capitals about 12 px tall.
	if w < 50 || w > 90 || asc < 12 || asc > 18 {
		t.Fatalf("width %d px, ascent %d px for 16 px Liberation Sans", w, asc)
	}
	box := image.Rect(10, 25-asc, 10+w, 25+1)
	if in := ink(img, box); in < 80 {
		t.Fatalf("only %d dark pixels inside the text box %v", in, box)
	}
	if out := ink(img, img.Bounds()) - ink(img, box); out > 10 {
		t.Fatalf("%d dark pixels outside the text box %v ('p' descender aside)", out, box)
	}
}

func TestBoldIsHeavierAndColourIsUsed(t *testing.T) {
	count := func(s Style) (dark int, red bool) {
		img := image.NewRGBA(image.Rect(0, 0, 120, 30))
		draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
		if err := s.Draw(img, 2, 22, "Neutral"); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < len(img.Pix); i += 4 {
			if img.Pix[i+1] < 128 {
				dark++
			}
			if img.Pix[i] > 200 && img.Pix[i+1] < 60 {
				red = true
			}
		}
		return dark, red
	}
	reg, _ := count(Style{Size: 18})
	bold, _ := count(Style{Size: 18, Bold: true})
	if bold <= reg {
		t.Fatalf("bold text has %d dark pixels, regular %d", bold, reg)
	}
	if _, red := count(Style{Size: 18, Color: color.RGBA{220, 0, 0, 255}}); !red {
		t.Fatal("red text drew no red pixel")
	}
}

func TestBadSize(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 10, 10))
	if err := (Style{}).Draw(img, 0, 5, "x"); err == nil {
		t.Fatal("size 0 accepted")
	}
}
