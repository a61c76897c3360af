// Package imgtext writes captions and labels onto raster images (contact sheets, class
// activation figures) with Liberation Sans, the same embedded font the gonum plots in
// train/plot use, so every figure of the toolkit shares one typeface and no system font or
// cgo is needed. Charts themselves are drawn by gonum.org/v1/plot; this package is only for
// image compositing, where a chart library has no place.
package imgtext

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"sync"

	"codeberg.org/go-fonts/liberation/liberationsansbold"
	"codeberg.org/go-fonts/liberation/liberationsansregular"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Style says how text looks. Size is the em size in pixels (the face is made at 72 DPI, so
// points and pixels coincide); a zero Color means black.
type Style struct {
	Size  float64
	Bold  bool
	Color color.Color
}

// parsed holds the two embedded fonts, parsed once: the parse is the expensive step and the
// parsed *opentype.Font is read-only, so sharing it across goroutines is safe (faces are not,
// so each call makes its own).
var parsed = sync.OnceValues(func() ([2]*opentype.Font, error) {
	var out [2]*opentype.Font
	for i, ttf := range [][]byte{liberationsansregular.TTF, liberationsansbold.TTF} {
		f, err := opentype.Parse(ttf)
		if err != nil {
			return out, fmt.Errorf("imgtext: parse embedded Liberation Sans: %w", err)
		}
		out[i] = f
	}
	return out, nil
})

// face returns a new font face for the style; callers Close it.
func (s Style) face() (font.Face, error) {
	fonts, err := parsed()
	if err != nil {
		return nil, err
	}
	if s.Size <= 0 {
		return nil, fmt.Errorf("imgtext: font size %g must be positive", s.Size)
	}
	f := fonts[0]
	if s.Bold {
		f = fonts[1]
	}
	// Full hinting snaps the outlines to the pixel grid: small captions stay crisp.
	return opentype.NewFace(f, &opentype.FaceOptions{Size: s.Size, DPI: 72, Hinting: font.HintingFull})
}

// Draw writes txt with the left end of its baseline at (x, y) in dst's coordinates,
// antialiased over what is already there. Text running past dst's bounds is clipped.
func (s Style) Draw(dst draw.Image, x, y int, txt string) error {
	f, err := s.face()
	if err != nil {
		return err
	}
	defer f.Close()
	var c color.Color = color.Black
	if s.Color != nil {
		c = s.Color
	}
	d := font.Drawer{Dst: dst, Src: image.NewUniform(c), Face: f, Dot: fixed.P(x, y)}
	d.DrawString(txt)
	return nil
}

// Width is the advance of txt in pixels, rounded up.
func (s Style) Width(txt string) (int, error) {
	f, err := s.face()
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return font.MeasureString(f, txt).Ceil(), nil
}

// Ascent is the height of the font above the baseline in pixels, rounded up: the distance
// from a text box's top to the y that Draw takes.
func (s Style) Ascent() (int, error) {
	f, err := s.face()
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return f.Metrics().Ascent.Ceil(), nil
}
