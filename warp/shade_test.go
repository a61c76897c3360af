package warp

import (
	"image"
	"math"
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/landmarks/face68"
	"github.com/occfer/occfer/synth"
)

// synthFace is a synth face (neutral, class 0) as an 8-bit BGR Mat, with its landmarks.
func synthFace(t *testing.T, size int) (gocv.Mat, face68.Shape) {
	t.Helper()
	rgba, lm, err := synth.Face(3, "Image/aligned/test_0001_aligned.jpg", 0, size)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 3*size*size)
	for i := 0; i < size*size; i++ {
		buf[3*i], buf[3*i+1], buf[3*i+2] = rgba.Pix[4*i+2], rgba.Pix[4*i+1], rgba.Pix[4*i]
	}
	m, err := gocv.NewMatFromBytes(size, size, gocv.MatTypeCV8UC3, buf)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	return m.Clone(), lm
}

// sideMeans is the mean luma of the overlay (res.Mask) left and right of the nose line x.
func sideMeans(pix []byte, w int, m Mask, x0 float64) (left, right float64) {
	var nl, nr int
	for i, v := range m.Pix {
		if v == 0 {
			continue
		}
		l := float64(luma(pix[3*i], pix[3*i+1], pix[3*i+2]))
		if float64(i%w) < x0 {
			left += l
			nl++
		} else {
			right += l
			nr++
		}
	}
	return left / float64(max(nl, 1)), right / float64(max(nr, 1))
}

// TestSideLight: a white mask on a synth face lit from the right is brighter on the right, by
// a good part of what the face's own halves under it differ (a white mask cannot brighten as
// far as skin: highlights roll off toward 255); on the evenly lit face its halves match.
func TestSideLight(t *testing.T) {
	face, lm := synthFace(t, 200)
	defer face.Close()
	lit := face.Clone()
	defer lit.Close()
	pix, _ := lit.DataPtrUint8()
	for i := range pix {
		x := (i / 3) % 200
		pix[i] = uint8(math.Min(255, float64(pix[i])*(0.45+0.9*float64(x)/199))) // light from the right
	}
	opts := Options{MatchBrightness: true}
	nose := lm[30].X
	cases := []struct {
		name string
		img  gocv.Mat
		lit  bool
	}{
		{"even", face, false},
		{"lit from the right", lit, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, res := applyOnce(t, c.img, lm, "mask_surgical_white", opts, 0)
			l, r := sideMeans(out, 200, res.Mask, nose)
			src, _ := c.img.DataPtrUint8()
			var fl, fr, nl, nr float64 // the face's own halves, under the mask
			for i, v := range res.Mask.Pix {
				if v == 0 {
					continue
				}
				lv := float64(luma(src[3*i], src[3*i+1], src[3*i+2]))
				if float64(i%200) < nose {
					fl, nl = fl+lv, nl+1
				} else {
					fr, nr = fr+lv, nr+1
				}
			}
			t.Logf("mask halves %.1f / %.1f (ratio %.2f); face under it %.1f / %.1f (ratio %.2f)", l, r, r/l, fl/nl, fr/nr, (fr/nr)/(fl/nl))
			q, qf := r/l, (fr/nr)/(fl/nl)
			if c.lit && (qf < 1.2 || q-1 < 0.4*(qf-1)) {
				t.Errorf("right/left mean luma of the mask %.2f, of the face %.2f: want the mask at least 40%% as far from 1", q, qf)
			}
			if !c.lit && math.Abs(q-qf) > 0.05 {
				t.Errorf("evenly lit: right/left of the mask %.2f, of the face %.2f; want within 0.05", q, qf)
			}
		})
	}
}

// frameContrast is the distance between the mean BGR colours of two pixel sets of img.
func frameContrast(img []byte, a, b []int) float64 {
	mean := func(idx []int) [3]float64 {
		var s [3]float64
		for _, i := range idx {
			for c := 0; c < 3; c++ {
				s[c] += float64(img[3*i+c])
			}
		}
		for c := range s {
			s[c] /= float64(len(idx))
		}
		return s
	}
	ma, mb := mean(a), mean(b)
	return math.Sqrt((ma[0]-mb[0])*(ma[0]-mb[0]) + (ma[1]-mb[1])*(ma[1]-mb[1]) + (ma[2]-mb[2])*(ma[2]-mb[2]))
}

// TestThinFramesVisible: on a soft 100x100 synth face (blurred σ = 2.5, an upscaled crop, so sharpness matching
// blurs the overlay by about as much) the metal frame of the aviator sunglasses stays apart
// from the lens tint: the colour distance between frame and lens pixels keeps at least 60% of
// what it is drawn without any blur, where blurring the whole overlay by the matched σ (the
// former behaviour) keeps much less. Frame and lens pixels are found by drawing a copy of the
// template recoloured (opaque frame red, translucent lens blue) without blur.
func TestThinFramesVisible(t *testing.T) {
	const name = "sunglasses_aviator_green"
	face, lm := synthFace(t, 100)
	defer face.Close()
	gocv.GaussianBlur(face, &face, image.Point{}, 2.5, 2.5, gocv.BorderReflect101)

	coded, err := LoadTemplate(filepath.Join(assetsDir, "sunglasses", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	defer coded.Close()
	for i := 0; i+3 < len(coded.Image.Pix); i += 4 {
		switch a := coded.Image.Pix[i+3]; {
		case a == 255:
			copy(coded.Image.Pix[i:], []byte{255, 0, 0})
		case a > 0:
			copy(coded.Image.Pix[i:], []byte{0, 0, 255})
		}
	}
	black := gocv.NewMatWithSize(100, 100, gocv.MatTypeCV8UC3)
	defer black.Close()
	res, err := Apply(black, lm, coded, Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	codes, _ := black.DataPtrUint8()
	var frame, lens []int
	for i := 0; i < 100*100; i++ {
		b, r := codes[3*i], codes[3*i+2]
		switch {
		case int(r) > 2*int(b)+40: // mostly frame (at 100x100 the frame is under 1 px wide)
			frame = append(frame, i)
		case b > 150 && r < 30:
			lens = append(lens, i)
		}
	}
	if len(frame) < 20 || len(lens) < 100 || res.Mask.Count() == 0 {
		t.Fatalf("%d frame and %d lens pixels found", len(frame), len(lens))
	}
	crisp, _ := applyOnce(t, face, lm, name, Options{}, 0)
	drawn, r := applyOnce(t, face, lm, name, Options{MatchSharpness: true, Feather: 0.6}, 0)
	uniform, _ := applyOnce(t, face, lm, name, Options{Feather: r.Blur}, 0)
	c0, c1, cu := frameContrast(crisp, frame, lens), frameContrast(drawn, frame, lens), frameContrast(uniform, frame, lens)
	t.Logf("blur σ %.2f; frame-lens colour distance: no blur %.1f, now %.1f, whole overlay blurred %.1f (%d frame, %d lens pixels)",
		r.Blur, c0, c1, cu, len(frame), len(lens))
	if r.Blur < 1 {
		t.Fatalf("sharpness matching blurred by σ %.2f only: the case does not test it", r.Blur)
	}
	if c1 < 0.6*c0 || c1 <= cu {
		t.Errorf("frame-lens colour distance %.1f, want ≥ 60%% of %.1f (no blur) and above %.1f (whole overlay blurred)", c1, c0, cu)
	}
}
