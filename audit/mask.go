package audit

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"

	"github.com/occfer/occfer/internal/limits"
)

// Mask is a binary occlusion mask as occlude --write-masks writes it
// (OUT/occlusion_masks/<rel>.png, 8-bit, 255 = occluded): W x H pixels, row-major, a pixel
// is occluded when its value is at least 128.
type Mask struct {
	W, H int
	Pix  []uint8
}

// NewMask is an all-visible w x h mask.
func NewMask(w, h int) *Mask { return &Mask{W: w, H: h, Pix: make([]uint8, w*h)} }

// Occluded reports whether pixel (x, y) is occluded; pixels outside the mask are not.
func (m *Mask) Occluded(x, y int) bool {
	return x >= 0 && y >= 0 && x < m.W && y < m.H && m.Pix[y*m.W+x] >= 128
}

// Set marks pixel (x, y) occluded (v true) or visible; outside the mask it does nothing.
func (m *Mask) Set(x, y int, v bool) {
	if x < 0 || y < 0 || x >= m.W || y >= m.H {
		return
	}
	m.Pix[y*m.W+x] = 0
	if v {
		m.Pix[y*m.W+x] = 255
	}
}

// Area is the number of occluded pixels.
func (m *Mask) Area() int {
	n := 0
	for _, v := range m.Pix {
		if v >= 128 {
			n++
		}
	}
	return n
}

// LoadMask reads a mask PNG. Any PNG colour type is accepted (converted to 8-bit gray);
// the error names the file.
func LoadMask(path string) (*Mask, error) {
	data, err := limits.ReadFile(path, limits.ImageFile, "occlusion mask")
	if err != nil {
		return nil, fmt.Errorf("occlusion mask: %w", err)
	}
	if err := limits.CheckImageHeader(path, data); err != nil {
		return nil, fmt.Errorf("occlusion mask: %w", err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("occlusion mask %s: %w", path, err)
	}
	return maskOf(img), nil
}

func maskOf(img image.Image) *Mask {
	b := img.Bounds()
	m := NewMask(b.Dx(), b.Dy())
	if g, ok := img.(*image.Gray); ok {
		for y := 0; y < m.H; y++ {
			copy(m.Pix[y*m.W:(y+1)*m.W], g.Pix[y*g.Stride:])
		}
		return m
	}
	for y := 0; y < m.H; y++ {
		for x := 0; x < m.W; x++ {
			m.Pix[y*m.W+x] = color.GrayModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.Gray).Y
		}
	}
	return m
}
