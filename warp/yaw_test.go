package warp

import (
	"math"
	"testing"
)

func TestEstimateYaw(t *testing.T) {
	lm := astronautLandmarks(t)
	if y := EstimateYaw(&lm); math.Abs(y) > 0.1 {
		t.Errorf("frontal fixture: yaw %.3f, want |yaw| ≤ 0.1", y)
	}
	for _, deg := range []float64{-40, -25, -10, 10, 25, 40} {
		s := turnedShape(lm, deg)
		y := EstimateYaw(&s)
		if math.Signbit(y) != math.Signbit(deg) || math.Abs(y) < 0.05 {
			t.Errorf("turned %+.0f°: yaw %.3f, want the sign of the turn and |yaw| ≥ 0.05", deg, y)
		}
		m := s.Mirror(512)
		if ym := EstimateYaw(&m); math.Abs(ym+y) > 1e-9 {
			t.Errorf("turned %+.0f°: mirrored yaw %.4f, want %.4f", deg, ym, -y)
		}
		// roll invariance: rotating the landmarks must not change the ratio
		r := rotateShape(s, 18)
		if yr := EstimateYaw(&r); math.Abs(yr-y) > 1e-9 {
			t.Errorf("turned %+.0f°: yaw %.4f after an 18° roll, want %.4f", deg, yr, y)
		}
	}
}

func rotateShape(s Shape, deg float64) Shape {
	th := deg * math.Pi / 180
	c := centroid(s[:])
	for i, p := range s {
		dx, dy := p.X-c.X, p.Y-c.Y
		s[i] = Point{X: c.X + dx*math.Cos(th) - dy*math.Sin(th), Y: c.Y + dx*math.Sin(th) + dy*math.Cos(th)}
	}
	return s
}

// TestYawAwareVariant: Apply with YawAware swaps a frontal mask for the
// variant drawn for the face's turn, and keeps it for a frontal face; with
// YawAware off it always draws the template it was given.
func TestYawAwareVariant(t *testing.T) {
	lm := astronautLandmarks(t)
	tpl := templateByName(t, "mask_surgical_blue_frontal")
	for _, tc := range []struct {
		deg  float64
		want string
	}{{0, VariantFrontal}, {-35, VariantLeft}, {35, VariantRight}, {8, VariantFrontal}} {
		img := astronaut(t)
		face := turnedShape(lm, tc.deg)
		res, err := Apply(img, face, tpl, DefaultOptions(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Template.Variant != tc.want || res.Template.Group != tpl.Group {
			t.Errorf("turn %+.0f° (yaw %.3f): drew %s, want the %s variant of %s", tc.deg, res.Yaw, res.Template.Name, tc.want, tpl.Group)
		}
		opts := DefaultOptions()
		opts.YawAware = false
		res, err = Apply(img, face, tpl, opts, nil)
		img.Close()
		if err != nil {
			t.Fatal(err)
		}
		if res.Template != tpl {
			t.Errorf("turn %+.0f° without YawAware: drew %s, want %s", tc.deg, res.Template.Name, tpl.Name)
		}
	}
	if got := len(tpl.Variants()); got != 3 {
		t.Errorf("%s has %d linked variants, want 3", tpl.Name, got)
	}
}
