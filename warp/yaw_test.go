package warp

import "testing"

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
