package imageio

import (
	"fmt"
	"math"
	"path"
	"strings"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/imageio/imagefile"
)

// Image is a decoded file in its own pixel format, turned upright: what occlude occludes and
// writes back, so that a grayscale, 16-bit or transparent input gives an output of the same
// kind (docs/occlude.md, "Colour and format").
type Image struct {
	// Mat holds the pixels as stored: 8- or 16-bit, 1 (gray), 3 (BGR) or 4 (BGRA) channels.
	Mat    gocv.Mat
	Format Format
}

// Format describes an input image as decoded, for the manifest.
type Format struct {
	Type     string // "jpeg", "png", "gif", "bmp", "tiff" or "webp"
	Channels int    // 1, 3 or 4, as decoded (palette images decode to 3 or 4)
	Depth    int    // bits per channel: 8 or 16
	Alpha    bool   // a fourth, alpha channel
	// Gray is grayscale content: one channel, or colour channels that agree (see
	// IsGrayContent). Overlays on gray content are drawn in luminance only.
	Gray bool
	// Orientation is the EXIF orientation that was applied (1: none).
	Orientation int
}

// Gray-content rule: a 3- or 4-channel image counts as grayscale when at most
// grayColouredShare of its pixels have colour channels further apart than grayTolerance
// levels (8-bit). The tolerance absorbs JPEG chroma noise in a gray photograph saved as
// colour; the share lets a few coloured pixels (a stamp, a logo) pass. A colour portrait has
// skin whose red and blue channels differ by tens of levels on most of the face.
const (
	grayTolerance     = 8
	grayColouredShare = 0.005
)

// DecodeNative decodes an image file's bytes in the file's own pixel format, after
// imagefile.Inspect has accepted them (the contract shared with ffra's loader), and turns it
// upright by its EXIF orientation with imagefile.Orient. name is used in errors only; errors
// wrap ErrUnreadable when the content is at fault.
func DecodeNative(name string, data []byte) (Image, error) {
	info, err := imagefile.Inspect(data)
	if err != nil {
		return Image{}, fmt.Errorf("image %s: %w", name, err)
	}
	// IMREAD_UNCHANGED keeps depth, channels and alpha, and applies no orientation of its own.
	m, err := gocv.IMDecode(data, gocv.IMReadUnchanged)
	if err != nil || m.Empty() {
		m.Close()
		return Image{}, fmt.Errorf("image %s: not a decodable image (corrupt or unsupported format): %w", name, ErrUnreadable)
	}
	f := Format{Type: info.Format, Channels: m.Channels(), Orientation: int(info.Orientation)}
	switch m.Type() & 7 { // the depth bits of an OpenCV type
	case gocv.MatTypeCV8U:
		f.Depth = 8
	case gocv.MatTypeCV16U:
		f.Depth = 16
	default:
		m.Close()
		return Image{}, fmt.Errorf("image %s: unsupported pixel depth %v: %w", name, m.Type(), ErrUnreadable)
	}
	if f.Channels != 1 && f.Channels != 3 && f.Channels != 4 {
		m.Close()
		return Image{}, fmt.Errorf("image %s: unsupported channel count %d: %w", name, f.Channels, ErrUnreadable)
	}
	f.Alpha = f.Channels == 4
	if info.Orientation > 1 {
		o, err := orient(m, info.Orientation)
		m.Close()
		if err != nil {
			return Image{}, fmt.Errorf("image %s: orientation %d: %v: %w", name, info.Orientation, err, ErrUnreadable)
		}
		m = o
	}
	return Image{Mat: m, Format: f}, nil
}

// orient turns m upright (a new Mat) with imagefile.Orient, the implementation ffra's
// loader uses too.
func orient(m gocv.Mat, o imagefile.Orientation) (gocv.Mat, error) {
	b, err := m.DataPtrUint8()
	if err != nil {
		return gocv.NewMat(), err
	}
	pix, w, h := imagefile.Orient(b, m.Cols(), m.Rows(), m.ElemSize(), o)
	t, err := gocv.NewMatFromBytes(h, w, m.Type(), pix)
	if err != nil {
		return gocv.NewMat(), err
	}
	defer t.Close()
	return t.Clone(), nil // own the pixels in C memory, not in the Go slice
}

// Working returns the 8-bit BGR image that detection, landmarks and drawing work on: img.Mat
// itself when it already is one (shared is then true and the caller must not close it twice),
// else a converted copy (gray expanded, 16-bit scaled by 1/257, alpha dropped). It also sets
// img.Format.Gray.
func (img *Image) Working() (work gocv.Mat, shared bool, err error) {
	if img.Mat.Type() == gocv.MatTypeCV8UC3 && img.Mat.IsContinuous() {
		work, shared = img.Mat, true
	} else {
		work, err = toBGR8(img.Mat.Clone())
		if err != nil {
			return gocv.NewMat(), false, err
		}
	}
	img.Format.Gray = img.Format.Channels == 1 || IsGrayContent(work)
	return work, shared, nil
}

// IsGrayContent reports whether an 8-bit BGR image holds grayscale content: at most 0.5% of its
// pixels have channels more than 8 levels apart (see grayTolerance).
func IsGrayContent(bgr gocv.Mat) bool {
	pix, err := bgr.DataPtrUint8()
	if err != nil || bgr.Channels() != 3 {
		return false
	}
	n := len(pix) / 3
	allowed := int(grayColouredShare * float64(n))
	coloured := 0
	for i := 0; i+2 < len(pix); i += 3 {
		b, g, r := int(pix[i]), int(pix[i+1]), int(pix[i+2])
		lo, hi := min(b, g, r), max(b, g, r)
		if hi-lo > grayTolerance {
			coloured++
			if coloured > allowed {
				return false
			}
		}
	}
	return true
}

// NeedsMerge reports whether what is drawn on the working image must be carried back into
// img.Mat (MergeInto) before writing: every format but 8-bit BGR colour, which is drawn on
// directly. Call after Working.
func (img *Image) NeedsMerge() bool {
	return img.Mat.Type() != gocv.MatTypeCV8UC3 || img.Format.Gray
}

// MergeInto carries the drawing done on work (8-bit BGR) since base (the same image before
// drawing, from Working) into img.Mat, in its own format. Only pixels that changed are touched,
// so the rest keeps every bit of its depth; a changed pixel moves by the 8-bit change scaled to
// the depth (x257 for 16-bit). On grayscale content the change is taken in luminance
// (ITU-R BT.601 weights, OpenCV's BGR-to-gray) and applied to every colour channel, so a gray
// image stays gray; an alpha channel is left as it was, so the overlay shows where the input
// was opaque and stays hidden where it was not.
func (img *Image) MergeInto(base, work gocv.Mat) error {
	bp, err := base.DataPtrUint8()
	if err != nil {
		return err
	}
	wp, err := work.DataPtrUint8()
	if err != nil {
		return err
	}
	m := img.Mat
	if !m.IsContinuous() || len(bp) != len(wp) || len(bp) != 3*m.Rows()*m.Cols() {
		return fmt.Errorf("merge: image %dx%d and working copies of %d and %d bytes disagree", m.Cols(), m.Rows(), len(bp), len(wp))
	}
	ch, colour := m.Channels(), min(m.Channels(), 3)
	gray := img.Format.Gray || ch == 1
	var set func(i int, d float64)
	switch m.Type() & 7 {
	case gocv.MatTypeCV8U:
		p, err := m.DataPtrUint8()
		if err != nil {
			return err
		}
		set = func(i int, d float64) { p[i] = uint8(clampRound(float64(p[i])+d, 255)) }
	case gocv.MatTypeCV16U:
		p, err := m.DataPtrUint16()
		if err != nil {
			return err
		}
		set = func(i int, d float64) { p[i] = uint16(clampRound(float64(p[i])+257*d, 65535)) }
	default:
		return fmt.Errorf("merge: unsupported image type %v", m.Type())
	}
	for px := 0; px < len(bp)/3; px++ {
		b, w := bp[3*px:3*px+3], wp[3*px:3*px+3]
		if b[0] == w[0] && b[1] == w[1] && b[2] == w[2] {
			continue
		}
		if gray {
			d := luma(w) - luma(b)
			for c := 0; c < colour; c++ {
				set(px*ch+c, d)
			}
			continue
		}
		for c := 0; c < 3; c++ {
			set(px*ch+c, float64(w[c])-float64(b[c]))
		}
	}
	return nil
}

// luma is BT.601 luminance of a BGR pixel, in 8-bit levels.
func luma(p []uint8) float64 { return 0.114*float64(p[0]) + 0.587*float64(p[1]) + 0.299*float64(p[2]) }

func clampRound(v, hi float64) float64 { return math.Max(0, math.Min(hi, math.Round(v))) }

// EncodeAs encodes img for rel's extension like Encode, first converting what the format
// cannot hold (16-bit to JPEG, BMP or WebP; alpha to JPEG or BMP; one channel to WebP) and
// saying so in conversion ("" when the image was written as it is). occlude writes an output
// with its input's extension, so for inputs read by DecodeNative no conversion happens; the
// check keeps that true if the two ever differ.
func EncodeAs(rel string, img gocv.Mat) (data []byte, conversion string, err error) {
	ext := strings.ToLower(path.Ext(rel))
	depth16 := img.Type()&7 == gocv.MatTypeCV16U
	ch := img.Channels()
	var notes []string
	cur := img
	if depth16 && (ext == ".jpg" || ext == ".jpeg" || ext == ".bmp" || ext == ".webp") {
		dst := gocv.NewMat()
		defer dst.Close()
		cur.ConvertToWithParams(&dst, gocv.MatType(int(gocv.MatTypeCV8U)+8*(ch-1)), 1.0/257, 0)
		cur = dst
		notes = append(notes, "16-bit written as 8-bit ("+ext+" holds 8 bits)")
	}
	var code gocv.ColorConversionCode = -1
	switch {
	case ch == 4 && (ext == ".jpg" || ext == ".jpeg" || ext == ".bmp"):
		code = gocv.ColorBGRAToBGR
		notes = append(notes, "alpha dropped ("+ext+" has no alpha)")
	case ch == 1 && ext == ".webp":
		code = gocv.ColorGrayToBGR
		notes = append(notes, "gray written as 3 equal channels (WebP has no grayscale)")
	}
	if code >= 0 {
		dst := gocv.NewMat()
		defer dst.Close()
		gocv.CvtColor(cur, &dst, code)
		cur = dst
	}
	data, err = Encode(rel, cur)
	return data, strings.Join(notes, "; "), err
}
