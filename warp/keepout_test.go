package warp

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/occfer/occfer/landmarks/face68"
	"github.com/occfer/occfer/synth"
)

// TestFarEyeDropRamp: no extra margin up to farEyeMinYaw, the full farEyeMargin from
// farEyeFullYaw on, rising in between, the same for either sign of yaw.
func TestFarEyeDropRamp(t *testing.T) {
	for _, c := range []struct{ yaw, want float64 }{
		{0, 0}, {10, 0}, {farEyeMinYaw, 0}, {-farEyeMinYaw, 0},
		{(farEyeMinYaw + farEyeFullYaw) / 2, farEyeMargin / 2},
		{-(farEyeMinYaw + farEyeFullYaw) / 2, farEyeMargin / 2},
		{farEyeFullYaw, farEyeMargin}, {-75, farEyeMargin}, {90, farEyeMargin},
	} {
		if got := farEyeDrop(c.yaw); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("farEyeDrop(%g) = %g, want %g", c.yaw, got, c.want)
		}
	}
}

// TestKeepOutFarEyeMargin: keepOutEyes on a fully opaque overlay over a synth face turned
// 50 deg clears a band under the far eye, farEyeMargin near-eye widths deep, that it leaves
// at a fitted yaw of 0; the near eye's cut and everything below the band stay the same.
func TestKeepOutFarEyeMargin(t *testing.T) {
	for _, v := range []synth.View{{Yaw: 50}, {Yaw: -50, Pitch: 10}} {
		t.Run(fmt.Sprintf("yaw%+.0f", v.Yaw), func(t *testing.T) {
			img, face := posedFace(t, 11, 2, 240, v, false)
			img.Close()
			roi := image.Rect(0, 0, 240, 240)
			opaque := func() []uint8 {
				ov := make([]uint8, 4*240*240)
				for i := range ov {
					ov[i] = 255
				}
				return ov
			}
			turned, frontal := opaque(), opaque()
			keepOutEyes(turned, roi, &face, farEyeDrop(v.Yaw))
			keepOutEyes(frontal, roi, &face, farEyeDrop(0))
			alpha := func(ov []uint8, p face68.Point) uint8 {
				return ov[(int(math.Round(p.Y))*240+int(math.Round(p.X)))*4+3]
			}
			far, farEye, near := farEyeOf(&face)
			up := faceUp(&face)
			below := func(c face68.Point, d float64) face68.Point {
				return face68.Point{X: c.X - d*up.X, Y: c.Y - d*up.Y}
			}
			fc := face68.Centroid(farEye)
			inBand := below(fc, 0.5*near) // under the eye, inside the margin
			if a, b := alpha(turned, inBand), alpha(frontal, inBand); a != 0 || b != 255 {
				t.Errorf("0.5 near-eye widths under the far eye: alpha %d turned, %d frontal; want 0 and 255", a, b)
			}
			// the far eye's lowest dilated point, moved down by the margin, and 2 px more
			low := 0.0
			for _, p := range dilate(farEye, eyeKeepOut) {
				low = math.Max(low, (fc.X-p.X)*up.X+(fc.Y-p.Y)*up.Y)
			}
			past := below(fc, low+farEyeMargin*near+2)
			if a := alpha(turned, past); a != 255 {
				t.Errorf("under the margin: alpha %d, want 255 (untouched)", a)
			}
			nearFirst := 36
			if far == 36 {
				nearFirst = 42
			}
			nc := face68.Centroid(face[nearFirst : nearFirst+6])
			for _, d := range []float64{0, 0.3 * near, 0.5 * near} {
				if a, b := alpha(turned, below(nc, d)), alpha(frontal, below(nc, d)); a != b {
					t.Errorf("%.1f px under the near eye: alpha %d turned, %d frontal; want the same", d, a, b)
				}
			}
		})
	}
}

// TestFarEyeMarginOption: Options.FarEyeMargin changes nothing on a frontal face; on faces
// turned 45-60 deg it only takes mask away (what it keeps, the plain mask has too), and the
// mask still meets issue 8's pass criteria (checkScore). At 45 and -50 deg the synth mask
// reaches the margin and loses some; at 60 its edge lies below it already.
func TestFarEyeMarginOption(t *testing.T) {
	tpl := templateByName(t, "mask_surgical_blue")
	for vi, v := range []synth.View{{Yaw: 0}, {Yaw: 45}, {Yaw: -50, Pitch: 10}, {Yaw: 60}} {
		t.Run(fmt.Sprintf("yaw%+.0f", v.Yaw), func(t *testing.T) {
			var m [2]Mask
			var face face68.Shape
			for k, on := range []bool{false, true} {
				img, f := posedFace(t, uint64(40+vi), vi, 200, v, false)
				opts := DefaultOptions()
				opts.FarEyeMargin = on
				res, err := Apply(img, f, tpl, opts, rand.New(rand.NewPCG(uint64(vi), 9)))
				img.Close()
				if err != nil {
					t.Fatal(err)
				}
				m[k], face = res.Mask, f
			}
			extra, taken := 0, 0
			for i := range m[0].Pix {
				plain, margin := m[0].Pix[i] >= 128, m[1].Pix[i] >= 128
				if margin && !plain {
					extra++
				}
				if plain && !margin {
					taken++
				}
			}
			if extra > 0 {
				t.Errorf("the margin added %d mask pixels", extra)
			}
			if v.Yaw == 0 && taken != 0 {
				t.Errorf("frontal: the margin took %d pixels, want none", taken)
			}
			if (v.Yaw == 45 || v.Yaw == -50) && taken == 0 {
				t.Errorf("turned %.0f deg: the margin took nothing", v.Yaw)
			}
			if err := checkScore(KindMask, scorePlacement(m[1], face)); err != nil {
				t.Errorf("with the margin: %v", err)
			}
		})
	}
}

// farEyeOf returns the first index of the far (narrower) eye's outline, that outline, and
// the near eye's width (corner to corner).
func farEyeOf(s *face68.Shape) (int, []face68.Point, float64) {
	wr, wl := dist(s[36], s[39]), dist(s[42], s[45])
	if wr < wl {
		return 36, append([]face68.Point(nil), s[36:42]...), wl
	}
	return 42, append([]face68.Point(nil), s[42:48]...), wr
}

// faceUp is the unit vector perpendicular to the eye line, toward the brows.
func faceUp(s *face68.Shape) face68.Point {
	le, re := face68.Centroid(s[36:42]), face68.Centroid(s[42:48])
	n := dist(le, re)
	u := face68.Point{X: (re.Y - le.Y) / n, Y: -(re.X - le.X) / n}
	if mid := face68.Centroid(s[17:27]); (mid.X-le.X)*u.X+(mid.Y-le.Y)*u.Y < 0 {
		u = face68.Point{X: -u.X, Y: -u.Y}
	}
	return u
}
