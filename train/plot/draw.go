// Package plot draws the run-folder figures (confusion matrices, training curves) and the
// class-activation overlays with the standard library image package and basicfont, so the
// toolkit needs no plotting dependency.
package plot

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

var (
	white = color.RGBA{255, 255, 255, 255}
	black = color.RGBA{0, 0, 0, 255}
	grey  = color.RGBA{200, 200, 200, 255}
)

// face is 7x13 pixels per glyph; charW is its advance.
var face = basicfont.Face7x13

const charW, lineH = 7, 13

func newCanvas(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), &image.Uniform{white}, image.Point{}, draw.Src)
	return img
}

// text draws s with its baseline-left at (x, y).
func text(img *image.RGBA, x, y int, s string, c color.Color) {
	d := font.Drawer{Dst: img, Src: image.NewUniform(c), Face: face, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

// textCentered draws s centred horizontally on cx.
func textCentered(img *image.RGBA, cx, y int, s string, c color.Color) {
	text(img, cx-len(s)*charW/2, y, s, c)
}

// textVertical draws s rotated 90 degrees counter-clockwise, its bottom at (x, y).
func textVertical(img *image.RGBA, x, y int, s string, c color.Color) {
	tmp := image.NewRGBA(image.Rect(0, 0, len(s)*charW, lineH+3))
	text(tmp, 0, lineH, s, c)
	b := tmp.Bounds()
	for ty := 0; ty < b.Dy(); ty++ {
		for tx := 0; tx < b.Dx(); tx++ {
			if _, _, _, a := tmp.At(tx, ty).RGBA(); a > 0 {
				img.Set(x+ty, y-tx, tmp.At(tx, ty))
			}
		}
	}
}

func fillRect(img *image.RGBA, r image.Rectangle, c color.Color) {
	draw.Draw(img, r, &image.Uniform{c}, image.Point{}, draw.Src)
}

// line draws a 1-2 px line from (x0,y0) to (x1,y1) (Bresenham, thickened vertically).
func line(img *image.RGBA, x0, y0, x1, y1 int, c color.Color, thick bool) {
	dx, dy := abs(x1-x0), -abs(y1-y0)
	sx, sy := sign(x1-x0), sign(y1-y0)
	err := dx + dy
	for {
		img.Set(x0, y0, c)
		if thick {
			img.Set(x0, y0+1, c)
		}
		if x0 == x1 && y0 == y1 {
			return
		}
		e2 := 2 * err
		if e2 >= dy {
			err += dy
			x0 += sx
		}
		if e2 <= dx {
			err += dx
			y0 += sy
		}
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func sign(v int) int {
	switch {
	case v < 0:
		return -1
	case v > 0:
		return 1
	}
	return 0
}

// EncodePNG returns the PNG bytes of img (callers write them atomically).
func EncodePNG(img image.Image) ([]byte, error) {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Viridis-like sequential map for the confusion matrix (dark = low).
func seqColor(v float64) color.RGBA {
	v = math.Max(0, math.Min(1, v))
	// white -> blue ramp keeps the numbers readable in both ends.
	r := uint8(255 - 225*v)
	g := uint8(255 - 170*v)
	b := uint8(255 - 60*v)
	return color.RGBA{r, g, b, 255}
}
