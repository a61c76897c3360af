package main

import (
	"image"

	"github.com/occfer/occfer/train/loader"
)

// rgbImage wraps decoded pixels as an image.Image for plotting.
func rgbImage(m *loader.RGB) image.Image {
	out := image.NewRGBA(image.Rect(0, 0, m.W, m.H))
	for i := 0; i < m.W*m.H; i++ {
		out.Pix[i*4], out.Pix[i*4+1], out.Pix[i*4+2], out.Pix[i*4+3] = m.Pix[i*3], m.Pix[i*3+1], m.Pix[i*3+2], 255
	}
	return out
}
