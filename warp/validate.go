package warp

import (
	"fmt"
	"math"
)

// requiredAnchors are the anchor names each kind must have: the mask list is
// the six-point outline fit (nose bridge, cheeks at nose height, jaw at lip
// height, chin); sunglasses sit on the eye line.
var requiredAnchors = map[string][]string{
	KindMask:       {"nose_bridge", "cheek_left", "cheek_right", "jaw_left", "jaw_right", "chin"},
	KindSunglasses: {"eye_left", "eye_right"},
}

// maxCanonicalResidual bounds the RMS anchor residual, as a fraction of the
// face width, of a template fitted to the canonical frontal face. Real
// templates fit to within a few percent; swapped or misplaced anchors do not.
const maxCanonicalResidual = 0.2

// ValidateTemplate checks a template's metadata, image and anchors and that
// its transform can be fitted to a frontal face without degenerating. Errors
// name the spec file (or the template name for in-memory templates).
func ValidateTemplate(t *Template) error {
	if t == nil {
		return fmt.Errorf("validate template: nil template")
	}
	where := t.SpecPath
	if where == "" {
		where = t.Name
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("template %s: "+format, append([]any{where}, args...)...)
	}
	req, ok := requiredAnchors[t.Kind]
	if !ok {
		return fail("unknown kind %q (want %q or %q)", t.Kind, KindMask, KindSunglasses)
	}
	if t.Transform.minAnchors() == 0 {
		return fail("unknown transform %q (want similarity, affine, homography or piecewise)", t.Transform)
	}
	if t.Image == nil {
		return fail("image not RGBA or not loaded")
	}
	b := t.Image.Bounds()
	if b.Dx() < 8 || b.Dy() < 8 {
		return fail("image %dx%d is too small", b.Dx(), b.Dy())
	}
	if !hasVisiblePixel(t) {
		return fail("image is fully transparent")
	}
	names := map[string]bool{}
	for _, a := range t.Anchors {
		if a.Name == "" {
			return fail("anchor without a name")
		}
		if names[a.Name] {
			return fail("anchor %q appears twice", a.Name)
		}
		names[a.Name] = true
		if a.At.X < 0 || a.At.Y < 0 || a.At.X > float64(b.Dx()-1) || a.At.Y > float64(b.Dy()-1) {
			return fail("anchor %q at (%g,%g) is outside the %dx%d image", a.Name, a.At.X, a.At.Y, b.Dx(), b.Dy())
		}
		if len(a.Face.Index) == 0 {
			return fail("anchor %q: unknown face point %q", a.Name, a.Face.Expr)
		}
	}
	for _, n := range req {
		if !names[n] {
			return fail("missing anchor %q (a %s needs %v)", n, t.Kind, req)
		}
	}
	if len(t.Anchors) < t.Transform.minAnchors() {
		return fail("%d anchors, a %s fit needs at least %d", len(t.Anchors), t.Transform, t.Transform.minAnchors())
	}
	pl, err := t.placeOn(&canonicalFace)
	if err != nil {
		return fail("degenerate fit: %v", err)
	}
	faceW := math.Hypot(canonicalFace[16].X-canonicalFace[0].X, canonicalFace[16].Y-canonicalFace[0].Y)
	if r := pl.rmsResidual(t, &canonicalFace); r > maxCanonicalResidual*faceW {
		return fail("degenerate fit: anchors miss a frontal face by %.1f px RMS (over %.0f%% of its width); swapped or misplaced anchors?", r, 100*maxCanonicalResidual)
	}
	return nil
}

func hasVisiblePixel(t *Template) bool {
	p := t.Image.Pix
	for i := 3; i < len(p); i += 4 {
		if p[i] != 0 {
			return true
		}
	}
	return false
}
