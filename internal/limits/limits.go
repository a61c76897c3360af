// Package limits holds the size limits of every file occfer reads, in one place, and the
// bounded reads that apply them. Every input may be broken or hostile: a limit keeps one file
// from exhausting memory, and a file past it is refused with one line naming it, its size
// and the limit, before anything of its size is allocated. The limits are far above the
// files the datasets and tools ship (sizes in each comment) so that no real file meets them.
//
// Checkpoints have their own limits (model.MaxCheckpointBytes, safetensors.MaxFile).
package limits

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"io"
	"io/fs"
	"os"
	"strings"

	// The formats whose headers CheckImageHeader reads: those occfer's datasets hold.
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"

	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/tiff"
	_ "golang.org/x/image/webp"
)

// File size limits, in bytes.
const (
	// LabelFile bounds a label or name list: RAF-DB's list_patition_label.txt (15,339
	// lines, 330 KB), FERPlus's label.csv and fer2013new.csv (2 MB), the RAN lists, subset
	// lists. 256 MiB is about ten million lines.
	LabelFile = 256 << 20
	// DataCSV bounds a CSV that holds images: fer2013.csv (35,887 48x48 images, 287 MB).
	DataCSV = 1 << 30
	// LandmarksFile bounds a landmarks file (JSON lines or CSV; about 1.3 KB per image:
	// 768 MB for 600,000 images).
	LandmarksFile = 1 << 30
	// AnnotationFile bounds one per-image annotation (RAF-DB's *_attri.txt: under 1 KB).
	AnnotationFile = 1 << 20
	// ConfigFile bounds a JSON settings file: a pipeline config, a template spec (a few KB).
	ConfigFile = 1 << 20
	// RunFile bounds a file occfer wrote itself into an output or run folder and reads back
	// (config.json, state.json, report.json, metrics.jsonl, OUT/.occfer/occlude.json: under
	// 1 MB for a 1000-epoch run); a hand edit may have made it anything.
	RunFile = 64 << 20
	// ImageFile bounds an image file (a 64-megapixel photo compresses to well under 64 MB).
	ImageFile = 256 << 20
)

// ImagePixels bounds the width x height of a decoded image (64 megapixels: 192 MB as 8-bit
// RGB). Decoders check the size an image header declares against it before decoding, so a
// small file claiming a huge canvas is refused without allocating it.
const ImagePixels = 64 << 20

// ErrTooLarge marks a file or image refused for its size (errors.Is).
var ErrTooLarge = errors.New("larger than the limit")

// tooLarge is an error whose text says what is too large; it wraps ErrTooLarge silently.
type tooLarge struct{ msg string }

func (e tooLarge) Error() string { return e.msg }
func (e tooLarge) Unwrap() error { return ErrTooLarge }

func tooLargef(format string, args ...any) error { return tooLarge{fmt.Sprintf(format, args...)} }

// ReadFile reads the whole file at path if it holds at most limit bytes; a larger file is an
// error wrapping ErrTooLarge that names the file, its size and the limit, and is not read.
// what names the kind of file in that error ("label file", "pipeline config").
func ReadFile(path string, limit int64, what string) ([]byte, error) {
	return ReadFileFS(osFS{}, path, limit, what)
}

// ReadFileFS is ReadFile on a file system (name is a path of fsys).
func ReadFileFS(fsys fs.FS, name string, limit int64, what string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > limit {
		return nil, tooLargef("%s %s: %d bytes, more than the %d-byte limit", what, name, st.Size(), limit)
	}
	// Read at most limit+1 bytes: a file that grows while being read is still caught.
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, tooLargef("%s %s: more than the %d-byte limit", what, name, limit)
	}
	return data, nil
}

// osFS opens paths of the operating system as they are (os.DirFS would need a root).
type osFS struct{}

func (osFS) Open(name string) (fs.File, error) { return os.Open(name) }

// Pixels checks a declared image size against ImagePixels; name names the image.
func Pixels(name string, w, h int) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("image %s: no pixels (%dx%d)", name, w, h)
	}
	if int64(w)*int64(h) > ImagePixels {
		return tooLargef("image %s: %dx%d is larger than the %d-pixel limit", name, w, h, ImagePixels)
	}
	return nil
}

// Excerpt quotes s for an error message, cut to 80 bytes with its length noted: a message
// quoting a line of a hostile file stays one short line.
func Excerpt(s string) string {
	if len(s) <= 80 {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%q... (%d bytes)", s[:clipAt(s)], len(s))
}

// CheckImageHeader reads the size an encoded image declares (the header of a JPEG, PNG, GIF,
// BMP, TIFF or WebP, with the standard library's and golang.org/x/image's decoders) and
// refuses one over ImagePixels, before any decoder allocates its canvas. A format these
// decoders do not know, or a header they cannot parse, passes: the decoder that follows
// reports it.
func CheckImageHeader(name string, data []byte) error {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil
	}
	return Pixels(name, cfg.Width, cfg.Height)
}

// Clip is s for a message, unquoted, when it is at most 80 bytes, else its first 80 bytes
// with its length noted (see Excerpt).
func Clip(s string) string {
	if len(s) <= 80 {
		return s
	}
	q := Excerpt(s)
	return s[:clipAt(s)] + q[strings.LastIndex(q, "..."):]
}

// clipAt is where Excerpt cuts s: 80 bytes back to the start of a UTF-8 sequence.
func clipAt(s string) int {
	cut := 80
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return cut
}
