// Package imageio decodes and encodes images through OpenCV (gocv) for the occlusion stages.
// It lives apart from package dataset so that dataset, and the model side that reads datasets,
// build without cgo image libraries.
package imageio

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/occfer/occfer/internal/limits"
	"gocv.io/x/gocv"
)

// MaxImagePixels bounds what Decode accepts, so one huge file cannot exhaust memory in a
// many-worker run. 64 MP covers every camera a FER dataset is shot with (limits.ImagePixels,
// shared with the training loader).
const MaxImagePixels = limits.ImagePixels

// ErrUnreadable marks images that cannot be decoded (corrupt, empty, not an image).
var ErrUnreadable = errors.New("unreadable image")

// Decode reads an image file as 8-bit BGR, whatever it holds: grayscale and 16-bit
// images are converted, an alpha channel is dropped. Errors name the file and the reason and
// wrap ErrUnreadable when the content (not the file system) is at fault.
func Decode(p string) (gocv.Mat, error) {
	data, err := limits.ReadFile(p, limits.ImageFile, "image")
	if err != nil {
		return gocv.NewMat(), fmt.Errorf("read image %s: %w", p, err)
	}
	return DecodeBytes(p, data)
}

// DecodeBytes is Decode for bytes already read; name is used in errors only.
func DecodeBytes(name string, data []byte) (gocv.Mat, error) {
	if len(data) == 0 {
		return gocv.NewMat(), fmt.Errorf("image %s: empty file: %w", name, ErrUnreadable)
	}
	// The header's size first: OpenCV allocates the whole canvas before its own check (up
	// to 2^30 pixels, 3 GB as BGR), so a small file claiming a huge image is refused here.
	if err := limits.CheckImageHeader(name, data); err != nil {
		return gocv.NewMat(), fmt.Errorf("%w: %w", err, ErrUnreadable)
	}
	raw, err := gocv.IMDecode(data, gocv.IMReadAnyDepth|gocv.IMReadAnyColor)
	if err != nil || raw.Empty() {
		raw.Close()
		return gocv.NewMat(), fmt.Errorf("image %s: not a decodable image (corrupt or unsupported format): %w", name, ErrUnreadable)
	}
	if raw.Rows()*raw.Cols() > MaxImagePixels {
		defer raw.Close()
		return gocv.NewMat(), fmt.Errorf("image %s: %dx%d is larger than the %d-pixel limit: %w", name, raw.Cols(), raw.Rows(), MaxImagePixels, ErrUnreadable)
	}
	img, err := toBGR8(raw)
	if err != nil {
		return gocv.NewMat(), fmt.Errorf("image %s: %v: %w", name, err, ErrUnreadable)
	}
	return img, nil
}

// toBGR8 converts depth and channel count to 8-bit BGR, consuming src.
func toBGR8(src gocv.Mat) (gocv.Mat, error) {
	cur := src
	switch cur.Type() & 7 { // the depth bits of an OpenCV type
	case gocv.MatTypeCV8U:
	case gocv.MatTypeCV16U:
		dst := gocv.NewMat()
		cur.ConvertToWithParams(&dst, gocv.MatTypeCV8U, 1.0/257, 0) // 65535 -> 255
		cur.Close()
		cur = dst
	default:
		cur.Close()
		return gocv.NewMat(), fmt.Errorf("unsupported pixel depth %v", src.Type())
	}
	var code gocv.ColorConversionCode
	switch cur.Channels() {
	case 3:
		return cur, nil
	case 1:
		code = gocv.ColorGrayToBGR
	case 4:
		code = gocv.ColorBGRAToBGR
	default:
		cur.Close()
		return gocv.NewMat(), fmt.Errorf("unsupported channel count %d", cur.Channels())
	}
	dst := gocv.NewMat()
	gocv.CvtColor(cur, &dst, code)
	cur.Close()
	return dst, nil
}

// Encode encodes img in the format named by rel's extension (JPEG at quality 95, PNG
// with default compression, BMP, TIFF, WebP), so outputs keep their input's file names.
func Encode(rel string, img gocv.Mat) ([]byte, error) {
	ext := strings.ToLower(path.Ext(rel))
	var (
		buf *gocv.NativeByteBuffer
		err error
	)
	switch ext {
	case ".jpg", ".jpeg":
		buf, err = gocv.IMEncodeWithParams(gocv.JPEGFileExt, img, []int{gocv.IMWriteJpegQuality, 95})
	case ".png":
		buf, err = gocv.IMEncode(gocv.PNGFileExt, img)
	case ".bmp", ".tif", ".tiff", ".webp":
		buf, err = gocv.IMEncode(gocv.FileExt(ext), img)
	default:
		return nil, fmt.Errorf("encode %s: unsupported image extension %q", rel, ext)
	}
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", rel, err)
	}
	defer buf.Close()
	out := make([]byte, buf.Len())
	copy(out, buf.GetBytes())
	return out, nil
}
