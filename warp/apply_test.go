package warp

import (
	"bytes"
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/landmarks/face68"
	"github.com/occfer/occfer/synth"
)

func applyOnce(t *testing.T, img gocv.Mat, face face68.Shape, name string, opts Options, seed uint64) ([]byte, Result) {
	t.Helper()
	out := img.Clone()
	defer out.Close()
	var rng *rand.Rand
	if seed != 0 {
		rng = rand.New(rand.NewPCG(seed, 1))
	}
	res, err := Apply(out, face, templateByName(t, name), opts, rng)
	if err != nil {
		t.Fatal(err)
	}
	return matBytes(t, out), res
}

// TestApplyDeterministic: same inputs and rng state give the same bytes; a
// different seed changes the noise (and only inside the overlay).
func TestApplyDeterministic(t *testing.T) {
	src := astronaut(t)
	defer src.Close()
	lm := astronautLandmarks(t)
	a, ra := applyOnce(t, src, lm, "mask_cloth_plaid", DefaultOptions(), 11)
	b, _ := applyOnce(t, src, lm, "mask_cloth_plaid", DefaultOptions(), 11)
	if !bytes.Equal(a, b) {
		t.Fatal("two runs with the same seed differ")
	}
	c, _ := applyOnce(t, src, lm, "mask_cloth_plaid", DefaultOptions(), 12)
	if bytes.Equal(a, c) {
		t.Error("a different seed gave identical bytes (noise/jitter not drawn from rng?)")
	}
	orig := matBytes(t, src)
	w := src.Cols()
	for i := range a {
		px := i / 3
		x, y := px%w, px/w
		if a[i] != orig[i] && !nearMask(ra.Mask, x, y, 8) {
			t.Fatalf("pixel (%d,%d) changed far from the overlay", x, y)
		}
	}
}

func nearMask(m Mask, x, y, r int) bool {
	for dy := -r; dy <= r; dy++ {
		for dx := -r; dx <= r; dx++ {
			if m.At(x+dx, y+dy) {
				return true
			}
		}
	}
	return false
}

// meanInMask is the mean BGR of img over covered pixels.
func meanInMask(img []byte, m Mask) float64 {
	s, n := 0.0, 0
	for i, v := range m.Pix {
		if v != 0 {
			s += float64(img[3*i]) + float64(img[3*i+1]) + float64(img[3*i+2])
			n += 3
		}
	}
	return s / float64(n)
}

// TestBrightnessMatch: on a darkened photo the overlay is drawn darker, in
// proportion to the face's luma, and the gain follows the face region, not
// the whole image (a bright border does not change it).
func TestBrightnessMatch(t *testing.T) {
	src := astronaut(t)
	defer src.Close()
	lm := astronautLandmarks(t)
	opts := Options{MatchBrightness: true}
	bright, rb := applyOnce(t, src, lm, "mask_surgical_white", opts, 0)
	dark := gocv.NewMat()
	defer dark.Close()
	src.ConvertToWithParams(&dark, gocv.MatTypeCV8UC3, 0.5, 0)
	dimmed, rd := applyOnce(t, dark, lm, "mask_surgical_white", opts, 0)
	if rd.Gain > 0.75*rb.Gain || rd.Gain < 0.4*rb.Gain {
		t.Errorf("gain on half-bright photo %.3f, on original %.3f; want about half", rd.Gain, rb.Gain)
	}
	mb, md := meanInMask(bright, rb.Mask), meanInMask(dimmed, rd.Mask)
	t.Logf("gain %.3f -> %.3f, overlay mean %.1f -> %.1f", rb.Gain, rd.Gain, mb, md)
	if md > 0.75*mb {
		t.Errorf("overlay mean %.1f on the dark photo vs %.1f on the original, want ≤ 75%%", md, mb)
	}
	// paint everything outside the face box white: the gain must not move
	framed := src.Clone()
	defer framed.Close()
	box := lm.Box()
	pix, _ := framed.DataPtrUint8()
	for y := 0; y < framed.Rows(); y++ {
		for x := 0; x < framed.Cols(); x++ {
			if !(image.Pt(x, y).In(box)) {
				o := (y*framed.Cols() + x) * 3
				pix[o], pix[o+1], pix[o+2] = 255, 255, 255
			}
		}
	}
	_, rf := applyOnce(t, framed, lm, "mask_surgical_white", opts, 0)
	if math.Abs(rf.Gain-rb.Gain) > 1e-9 {
		t.Errorf("gain changed from %.4f to %.4f when only pixels outside the face changed", rb.Gain, rf.Gain)
	}
}

// TestSharpnessMatch: a blurred photo gets a blurrier overlay than a sharp
// one; with the option off only the feather is applied.
func TestSharpnessMatch(t *testing.T) {
	src := astronaut(t)
	defer src.Close()
	lm := astronautLandmarks(t)
	soft := gocv.NewMat()
	defer soft.Close()
	gocv.GaussianBlur(src, &soft, image.Point{}, 2.5, 2.5, gocv.BorderReflect101)
	opts := Options{MatchSharpness: true, Feather: 0.5}
	_, sharp := applyOnce(t, src, lm, "mask_kn95_white", opts, 0)
	_, blurred := applyOnce(t, soft, lm, "mask_kn95_white", opts, 0)
	t.Logf("overlay blur σ: sharp photo %.2f, blurred photo %.2f", sharp.Blur, blurred.Blur)
	if blurred.Blur < sharp.Blur+0.8 {
		t.Errorf("overlay blur σ %.2f on a σ=2.5-blurred photo vs %.2f on the original; want at least 0.8 more", blurred.Blur, sharp.Blur)
	}
	_, off := applyOnce(t, soft, lm, "mask_kn95_white", Options{Feather: 0.5}, 0)
	if off.Blur != 0.5 {
		t.Errorf("MatchSharpness off: blur %.2f, want the feather 0.5", off.Blur)
	}
}

// TestFeatheredEdge: the overlay's outline is anti-aliased: along the mask
// boundary there are partially blended pixels, not only photo or overlay.
func TestFeatheredEdge(t *testing.T) {
	src := astronaut(t)
	defer src.Close()
	lm := astronautLandmarks(t)
	ov := gocv.NewMatWithSize(512, 512, gocv.MatTypeCV8UC3) // black photo
	defer ov.Close()
	out, res := applyOnce(t, ov, lm, "mask_surgical_white", Options{Feather: 0.8}, 0)
	partial := 0
	for i, v := range res.Mask.Pix {
		g := out[3*i+1]
		if v == 0 && g > 20 && g < 200 {
			partial++
		}
	}
	t.Logf("%d partially blended rim pixels", partial)
	if partial < 50 {
		t.Errorf("%d partially blended pixels outside the binary mask, want a feathered rim (≥ 50)", partial)
	}
}

func TestApplyRejectsBadImages(t *testing.T) {
	lm := astronautLandmarks(t)
	tpl := templateByName(t, "mask_surgical_blue")
	gray := gocv.NewMatWithSize(64, 64, gocv.MatTypeCV8UC1)
	defer gray.Close()
	if _, err := Apply(gray, lm, tpl, DefaultOptions(), nil); err == nil || !strings.Contains(err.Error(), "8-bit BGR") {
		t.Errorf("gray image: error %v, want one asking for 8-bit BGR", err)
	}
	src := astronaut(t)
	defer src.Close()
	view := src.Region(image.Rect(10, 10, 300, 300))
	defer view.Close()
	if _, err := Apply(view, lm, tpl, DefaultOptions(), nil); err == nil || !strings.Contains(err.Error(), "not continuous") {
		t.Errorf("region view: error %v, want \"not continuous\"", err)
	}
	if _, err := Apply(src, lm, nil, DefaultOptions(), nil); err == nil {
		t.Error("nil template accepted")
	}
	nan := astronautLandmarks(t)
	nan[3].X = math.NaN()
	if _, err := Apply(src, nan, tpl, DefaultOptions(), nil); err == nil || !strings.Contains(err.Error(), "landmark 3") {
		t.Errorf("a NaN jaw landmark: error %v, want one naming landmark 3", err)
	}
	var flat face68.Shape // all landmarks at the origin: nothing to fit
	if _, err := Apply(src, flat, tpl, DefaultOptions(), nil); err == nil || !strings.Contains(err.Error(), tpl.Name) {
		t.Errorf("collapsed landmarks: error %v, want a fit error naming the template", err)
	}
}

// TestRenderAnchors: the review image marks each anchor's face point with a
// green circle, and reports residuals within the piecewise fit's bounds.
func TestRenderAnchors(t *testing.T) {
	src := astronaut(t)
	defer src.Close()
	lm := astronautLandmarks(t)
	tpl := templateByName(t, "mask_n95_white")
	out, res, err := RenderAnchors(src, lm, tpl)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if out.Cols() != src.Cols() || out.Rows() != src.Rows() {
		t.Fatalf("review image %dx%d, want %dx%d", out.Cols(), out.Rows(), src.Cols(), src.Rows())
	}
	if len(res) != len(tpl.Anchors) {
		t.Fatalf("%d residuals for %d anchors", len(res), len(tpl.Anchors))
	}
	for _, r := range res {
		if r.Distance > 0.04*lm.InterOcular() {
			t.Errorf("anchor %s residual %.3g px, want ≤ 4%% of the eye distance", r.Name, r.Distance)
		}
	}
	// circle radius is max(2, faceWidth/60)+1 = 3 here: its rightmost pixel
	p := pt(res[0].Face)
	v := out.GetVecbAt(p.Y, p.X+3)
	if v[0] != 0 || v[1] != 255 || v[2] != 0 {
		t.Errorf("pixel right of %s's face point is %v, want the green marker (0,255,0)", res[0].Name, v)
	}
	if b := matBytes(t, src); bytes.Equal(b, matBytes(t, out)) {
		t.Error("review image equals the input")
	}
}

// TestMeshHasNoHoles: the triangles of a posed template meet without cracks. On the fixture's
// views and on turned synth faces, every pixel enclosed by a mask's covered region is covered
// (a crack between two triangles, or the seam of the two template halves, would leave holes
// whose pixels no flood from outside the mask reaches).
func TestMeshHasNoHoles(t *testing.T) {
	src := astronaut(t)
	defer src.Close()
	lm := astronautLandmarks(t)
	check := func(name string, m Mask) {
		t.Helper()
		// flood the uncovered pixels from the image border; those left are holes
		seen := make([]bool, len(m.Pix))
		var stack []int
		push := func(x, y int) {
			if x < 0 || y < 0 || x >= m.W || y >= m.H {
				return
			}
			i := y*m.W + x
			if !seen[i] && m.Pix[i] < 128 {
				seen[i] = true
				stack = append(stack, i)
			}
		}
		for x := 0; x < m.W; x++ {
			push(x, 0)
			push(x, m.H-1)
		}
		for y := 0; y < m.H; y++ {
			push(0, y)
			push(m.W-1, y)
		}
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			x, y := i%m.W, i/m.W
			push(x+1, y)
			push(x-1, y)
			push(x, y+1)
			push(x, y-1)
		}
		holes := 0
		for i, v := range m.Pix {
			if v < 128 && !seen[i] {
				holes++
			}
		}
		if holes > 0 {
			t.Errorf("%s: %d uncovered pixels enclosed by the mask", name, holes)
		}
	}
	for _, tpl := range assetTemplates(t) {
		if tpl.Kind != KindMask {
			continue
		}
		for _, c := range placementCases {
			img, face := c.render(t, src, lm)
			res, err := Apply(img, face, tpl, Options{}, nil)
			img.Close()
			if err != nil {
				t.Fatal(err)
			}
			check(tpl.Name+"/"+c.name, res.Mask)
		}
		for _, v := range []synth.View{{Yaw: 35}, {Yaw: -60, Pitch: 10}} {
			img, face := posedFace(t, 4, 1, 160, v, false)
			res, err := Apply(img, face, tpl, Options{}, nil)
			img.Close()
			if err != nil {
				t.Fatal(err)
			}
			check(fmt.Sprintf("%s/yaw%+.0f", tpl.Name, v.Yaw), res.Mask)
		}
	}
}

// TestOverlayPartlyOrWhollyOutside: a face at the image corner is drawn
// clipped; a face entirely outside leaves the image untouched.
func TestOverlayPartlyOrWhollyOutside(t *testing.T) {
	src := astronaut(t)
	defer src.Close()
	lm := astronautLandmarks(t)
	tpl := templateByName(t, "mask_cloth_dots")
	shift := func(dx, dy float64) face68.Shape {
		s := lm
		for i := range s {
			s[i].X += dx
			s[i].Y += dy
		}
		return s
	}
	img := src.Clone()
	defer img.Close()
	res, err := Apply(img, shift(-200, -150), tpl, DefaultOptions(), rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatalf("face at the corner: %v", err)
	}
	if n := res.Mask.Count(); n < 200 {
		t.Errorf("face at the corner: %d covered pixels, want the visible part (≥ 200)", n)
	}
	img2 := src.Clone()
	defer img2.Close()
	res, err = Apply(img2, shift(-2000, -2000), tpl, DefaultOptions(), rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatalf("face outside: %v", err)
	}
	if res.Mask.Count() != 0 || !bytes.Equal(matBytes(t, img2), matBytes(t, src)) {
		t.Errorf("face outside the image: %d covered pixels or changed bytes, want none", res.Mask.Count())
	}
}
