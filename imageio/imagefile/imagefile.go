// Package imagefile is the image-reading contract that occlude (through package imageio, which
// decodes with OpenCV) and ffra's loader (train/loader, which decodes in pure Go) share: which
// files are readable, how large they may be, and which way up they are. It is pure Go, so the
// loader stays free of cgo (internal/purego).
//
// Inspect runs before either decoder. It accepts a file only when Go's own decoders can read
// its header (so a file occlude occludes is one ffra can train on), when it is within
// MaxPixels, and, for JPEG and PNG, when its structure is complete: a truncated JPEG, which
// libjpeg decodes by repeating the last row it got, is rejected here rather than occluded.
// Both tools then apply the returned EXIF orientation with Orient, one implementation for both.
package imagefile

import (
	"bytes"
	"errors"
	"fmt"
	"image"

	// Registered decoders: the formats a dataset folder can hold (dataset's image extensions).
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"

	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/tiff"
	_ "golang.org/x/image/webp"

	"github.com/occfer/occfer/internal/limits"
)

// MaxPixels bounds the images accepted, so one huge file cannot exhaust memory in a
// many-worker run. 64 MP covers every camera a FER dataset is shot with. It is the project's
// one image-size bound (limits.ImagePixels), which header checks apply before decoding.
const MaxPixels = limits.ImagePixels

// ErrUnreadable marks images that cannot be read (corrupt, truncated, empty, not an image, or
// in a variant of a format that Go's decoders do not support).
var ErrUnreadable = errors.New("unreadable image")

// Info is what Inspect learns from a file's header, before any pixel is decoded.
type Info struct {
	Format string // "jpeg", "png", "gif", "bmp", "tiff" or "webp" (Go's format names)
	// Width and Height are the stored size, before the orientation is applied.
	Width, Height int
	// Orientation is the EXIF orientation tag (1-8; 1 when the file has none): how the stored
	// pixels must be turned to show the picture upright (see Orient).
	Orientation Orientation
}

// Inspect checks that data is a readable image and returns its header facts. Errors wrap
// ErrUnreadable and give the reason; they do not name the file (callers do).
func Inspect(data []byte) (Info, error) {
	var info Info
	if len(data) == 0 {
		return info, fmt.Errorf("empty file: %w", ErrUnreadable)
	}
	// JPEG and PNG, the formats of nearly every dataset, are checked by walking their
	// structure, which also gives the header facts; a cut file is reported as truncated
	// wherever the cut falls. Other formats get Go's header parser.
	var (
		exif   []byte
		err    error
		f      frame
		format string
	)
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, mSOI}):
		format = "jpeg"
		f, exif, err = checkJPEG(data)
	case bytes.HasPrefix(data, pngSignature):
		format = "png"
		f, exif, err = checkPNG(data)
	default:
		var cfg image.Config
		cfg, format, err = image.DecodeConfig(bytes.NewReader(data))
		if errors.Is(err, image.ErrFormat) {
			return info, fmt.Errorf("not an image in a supported format (JPEG, PNG, GIF, BMP, TIFF, WebP): %w", ErrUnreadable)
		}
		if err != nil {
			err = fmt.Errorf("bad header: %v", err)
		}
		f = frame{cfg.Width, cfg.Height}
	}
	if err != nil {
		return info, fmt.Errorf("%v: %w", err, ErrUnreadable)
	}
	info.Format, info.Width, info.Height = format, f.width, f.height
	if f.width <= 0 || f.height <= 0 {
		return info, fmt.Errorf("image has no pixels (%dx%d): %w", f.width, f.height, ErrUnreadable)
	}
	if int64(f.width)*int64(f.height) > MaxPixels {
		return info, fmt.Errorf("%dx%d is larger than the %d-pixel limit: %w", f.width, f.height, MaxPixels, ErrUnreadable)
	}
	switch format {
	case "tiff":
		exif = data // a TIFF file's own first IFD carries the tag
	case "webp":
		exif = webpEXIF(data)
	}
	info.Orientation = exifOrientation(exif)
	return info, nil
}
