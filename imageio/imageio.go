// Package imageio decodes and encodes images through OpenCV (gocv) for the occlusion stages.
// It lives apart from package dataset so that dataset, and the model side that reads datasets,
// build without cgo image libraries.
package imageio

import (
	"fmt"
	"path"
	"strings"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/imageio/imagefile"
	"github.com/occfer/occfer/internal/limits"
)

// MaxImagePixels bounds what Decode accepts (imagefile.MaxPixels, shared with ffra's loader).
const MaxImagePixels = imagefile.MaxPixels

// ErrUnreadable marks images that cannot be decoded (corrupt, truncated, empty, not an image).
// It is imagefile's, so ffra's loader and occlude report the same files unreadable.
var ErrUnreadable = imagefile.ErrUnreadable

// Decode reads an image file as 8-bit BGR, turned upright by its EXIF orientation, whatever it
// holds: grayscale and 16-bit images are converted, an alpha channel is dropped (DecodeNative
// keeps the file's format). Errors name the file and the reason and wrap ErrUnreadable when
// the content (not the file system) is at fault.
func Decode(p string) (gocv.Mat, error) {
	data, err := limits.ReadFile(p, limits.ImageFile, "image")
	if err != nil {
		return gocv.NewMat(), fmt.Errorf("read image %s: %w", p, err)
	}
	return DecodeBytes(p, data)
}

// DecodeBytes is Decode for bytes already read; name is used in errors only.
func DecodeBytes(name string, data []byte) (gocv.Mat, error) {
	img, err := DecodeNative(name, data)
	if err != nil {
		return gocv.NewMat(), err
	}
	m, err := toBGR8(img.Mat)
	if err != nil {
		return gocv.NewMat(), fmt.Errorf("image %s: %v: %w", name, err, ErrUnreadable)
	}
	return m, nil
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
