package warp

import (
	"fmt"
	"image"
	"math"

	"gocv.io/x/gocv"
)

// level is a pre-scaled, premultiplied BGRA copy of a template image.
// Why: warpPerspective samples bilinearly, which aliases badly when a
// 512-px template lands on a 60-px face; resizing once with INTER_AREA to
// within a factor √2 of the final size keeps every warp a mild resample, and
// caching the copies makes Apply on small crops cheap (no per-call resize).
// Premultiplied colour makes interpolation across the alpha edge correct
// (no dark fringe from transparent black pixels).
type level struct {
	mat    gocv.Mat // 8UC4 premultiplied BGRA
	fx, fy float64  // level pixels per template pixel
	w, h   int      // mat's size, read once (Mat.Cols and Rows are cgo calls)
	data   []uint8  // mat's pixels
}

// maxLevel bounds the cache to 2^-8 of the template size.
const maxLevel = 16

// levelFor returns the cached level for a template-to-image magnification s.
// Level k is scaled by 2^(-k/2), the largest such factor that is ≥ s, so the
// remaining warp shrinks by at most √2.
func (t *Template) levelFor(s float64) (*level, error) {
	k := 0
	if s > 0 && s < 1 {
		k = int(math.Floor(-2 * math.Log2(s)))
	}
	k = min(max(k, 0), maxLevel)
	t.cacheMu.Lock()
	defer t.cacheMu.Unlock()
	if l, ok := t.levels[k]; ok {
		return l, nil
	}
	if t.levels == nil {
		t.levels = map[int]*level{}
	}
	base, ok := t.levels[0]
	if !ok {
		m, err := premultipliedBGRA(t.Image)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", t.Name, err)
		}
		base = &level{mat: m, fx: 1, fy: 1, w: m.Cols(), h: m.Rows()}
		if base.data, err = m.DataPtrUint8(); err != nil {
			m.Close()
			return nil, fmt.Errorf("template %s: level data: %w", t.Name, err)
		}
		t.levels[0] = base
	}
	if k == 0 {
		return base, nil
	}
	f := math.Pow(2, -float64(k)/2)
	w := max(1, int(math.Round(float64(base.mat.Cols())*f)))
	h := max(1, int(math.Round(float64(base.mat.Rows())*f)))
	dst := gocv.NewMat()
	gocv.Resize(base.mat, &dst, image.Pt(w, h), 0, 0, gocv.InterpolationArea)
	l := &level{mat: dst, fx: float64(w) / float64(base.w), fy: float64(h) / float64(base.h), w: w, h: h}
	var err error
	if l.data, err = dst.DataPtrUint8(); err != nil {
		dst.Close()
		return nil, fmt.Errorf("template %s: level data: %w", t.Name, err)
	}
	t.levels[k] = l
	return l, nil
}

// Close frees the cached pre-scaled images; the template stays usable (the
// cache refills on the next Apply).
func (t *Template) Close() {
	t.cacheMu.Lock()
	defer t.cacheMu.Unlock()
	for _, l := range t.levels {
		l.mat.Close()
	}
	t.levels = nil
}

func premultipliedBGRA(img *image.NRGBA) (gocv.Mat, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	buf := make([]byte, w*h*4)
	for y := 0; y < h; y++ {
		row := img.Pix[y*img.Stride : y*img.Stride+w*4]
		out := buf[y*w*4:]
		for x := 0; x < w; x++ {
			r, g, bl, a := uint32(row[4*x]), uint32(row[4*x+1]), uint32(row[4*x+2]), uint32(row[4*x+3])
			out[4*x] = uint8((bl*a + 127) / 255)
			out[4*x+1] = uint8((g*a + 127) / 255)
			out[4*x+2] = uint8((r*a + 127) / 255)
			out[4*x+3] = uint8(a)
		}
	}
	m, err := gocv.NewMatFromBytes(h, w, gocv.MatTypeCV8UC4, buf)
	if err != nil {
		return gocv.Mat{}, fmt.Errorf("template image to Mat: %w", err)
	}
	return m, nil
}
