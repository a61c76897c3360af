// Package loader turns dataset items into normalised CHW float32 batches for training and
// evaluation: decode once, keep decoded images in memory up to a cap, augment in parallel
// workers with per-item seeded randomness, and prefetch batches through a bounded channel.
//
// It does not import gotch, so it compiles and is tested without libtorch; the training loop
// turns a Batch into a tensor.
package loader

import (
	"bytes"
	"fmt"
	"image"
	"image/color"

	"github.com/occfer/occfer/internal/limits"

	// imagefile registers the decoders of the formats a dataset folder can hold.
	"github.com/occfer/occfer/imageio/imagefile"
)

// RGB is a decoded 8-bit image, interleaved R,G,B, row-major. The pure-Go representation keeps
// the loader free of cgo and lets workers share cached images read-only.
type RGB struct {
	W, H int
	Pix  []uint8 // len W*H*3
}

// Bytes is the memory the decoded pixels take, used against the cache cap.
func (m *RGB) Bytes() int64 { return int64(len(m.Pix)) }

// DecodeFile reads and decodes one image file under the contract occlude reads by
// (imagefile.Inspect: truncated or corrupt files and unsupported variants are refused, with an
// error wrapping imagefile.ErrUnreadable) and turns it upright by its EXIF orientation
// (imagefile.Orient), as occlude does. Grayscale, 16-bit, paletted and alpha images are
// converted to 8-bit RGB; alpha is dropped (not blended), as occlude's working image drops it.
// The error names the file and the reason.
func DecodeFile(path string) (*RGB, error) {
	data, err := limits.ReadFile(path, limits.ImageFile, "image")
	if err != nil {
		return nil, fmt.Errorf("read image %s: %w", path, err)
	}
	m, err := DecodeBytes(data)
	if err != nil {
		return nil, fmt.Errorf("decode image %s: %w", path, err)
	}
	return m, nil
}

// DecodeBytes decodes an encoded image held in memory (see DecodeFile).
func DecodeBytes(data []byte) (*RGB, error) {
	info, err := imagefile.Inspect(data)
	if err != nil {
		return nil, err
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%v: %w", err, imagefile.ErrUnreadable)
	}
	b := img.Bounds()
	if b.Dx() <= 0 || b.Dy() <= 0 {
		return nil, fmt.Errorf("image has no pixels (%dx%d): %w", b.Dx(), b.Dy(), imagefile.ErrUnreadable)
	}
	m := toRGB(img)
	m.Pix, m.W, m.H = imagefile.Orient(m.Pix, m.W, m.H, 3, info.Orientation)
	return m, nil
}

// toRGB converts any image.Image to RGB. The common decoder outputs get a fast path because
// the generic At() path allocates per pixel and is ~20x slower.
func toRGB(img image.Image) *RGB {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	out := &RGB{W: w, H: h, Pix: make([]uint8, w*h*3)}
	switch src := img.(type) {
	case *image.YCbCr:
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				yi := src.YOffset(b.Min.X+x, b.Min.Y+y)
				ci := src.COffset(b.Min.X+x, b.Min.Y+y)
				r, g, bb := color.YCbCrToRGB(src.Y[yi], src.Cb[ci], src.Cr[ci])
				o := (y*w + x) * 3
				out.Pix[o], out.Pix[o+1], out.Pix[o+2] = r, g, bb
			}
		}
	case *image.Gray:
		for y := 0; y < h; y++ {
			row := src.Pix[y*src.Stride : y*src.Stride+w]
			for x, v := range row {
				o := (y*w + x) * 3
				out.Pix[o], out.Pix[o+1], out.Pix[o+2] = v, v, v
			}
		}
	case *image.NRGBA:
		for y := 0; y < h; y++ {
			row := src.Pix[y*src.Stride : y*src.Stride+w*4]
			for x := 0; x < w; x++ {
				o := (y*w + x) * 3
				out.Pix[o], out.Pix[o+1], out.Pix[o+2] = row[x*4], row[x*4+1], row[x*4+2]
			}
		}
	case *image.RGBA:
		// Premultiplied: un-premultiply so that a transparent pixel keeps its colour
		// channels' meaning as far as it can, like NRGBA.
		for y := 0; y < h; y++ {
			row := src.Pix[y*src.Stride : y*src.Stride+w*4]
			for x := 0; x < w; x++ {
				o := (y*w + x) * 3
				r, g, bb, a := row[x*4], row[x*4+1], row[x*4+2], row[x*4+3]
				if a != 0 && a != 255 {
					r = uint8(min(255, int(r)*255/int(a)))
					g = uint8(min(255, int(g)*255/int(a)))
					bb = uint8(min(255, int(bb)*255/int(a)))
				}
				out.Pix[o], out.Pix[o+1], out.Pix[o+2] = r, g, bb
			}
		}
	default:
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				c := color.NRGBA64Model.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA64)
				o := (y*w + x) * 3
				out.Pix[o], out.Pix[o+1], out.Pix[o+2] = uint8(c.R>>8), uint8(c.G>>8), uint8(c.B>>8)
			}
		}
	}
	return out
}
