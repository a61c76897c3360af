package face3d

import (
	"math"
	"testing"

	"github.com/occfer/occfer/landmarks/face68"
)

// TestReferenceMatchesLandmarks: the 2-D part of Reference is package landmarks' reference
// shape. FitFrom5 maps that shape onto 5 points by a least-squares similarity, so given the
// reference's own 5 points it must return the reference unchanged.
func TestReferenceMatchesLandmarks(t *testing.T) {
	var s face68.Shape
	for i, v := range Reference {
		s[i] = face68.Point{X: v.X, Y: v.Y}
	}
	got := face68.FitFrom5(s.Five())
	for i := range got {
		if math.Abs(got[i].X-s[i].X) > 1e-9 || math.Abs(got[i].Y-s[i].Y) > 1e-9 {
			t.Fatalf("landmark %d: face3d has (%g, %g), landmarks' reference (%g, %g)", i, s[i].X, s[i].Y, got[i].X, got[i].Y)
		}
	}
}

// TestReferenceSymmetric: the reference face is left-right symmetric in 3-D (the 2-D shape is
// mirror-averaged and rounded to 1e-4, and every depth is given per pair), with the eye
// centres at (∓0.5, 0).
func TestReferenceSymmetric(t *testing.T) {
	mirror := [68]int{}
	var m face68.Shape
	for i := range m {
		m[i] = face68.Point{X: float64(i)}
	}
	mm := m.Mirror(0)
	for i, p := range mm {
		mirror[i] = int(-p.X) - 1 // Mirror(0) maps x to −1 − x
	}
	for i, v := range Reference {
		w := Reference[mirror[i]]
		if math.Abs(v.X+w.X) > 2e-4 || math.Abs(v.Y-w.Y) > 2e-4 || math.Abs(v.Z-w.Z) > 1e-12 {
			t.Errorf("landmark %d %v and its mirror %d %v are not symmetric", i, v, mirror[i], w)
		}
	}
	var le, re Vec3
	for i := 0; i < 6; i++ {
		le, re = le.add(Reference[36+i].scale(1.0/6)), re.add(Reference[42+i].scale(1.0/6))
	}
	if math.Abs(le.X+0.5) > 1e-3 || math.Abs(re.X-0.5) > 1e-3 || math.Abs(le.Y) > 1e-3 {
		t.Errorf("eye centres at %v and %v, want (∓0.5, 0)", le, re)
	}
}

// TestReferenceHead: the head validates; each reference jaw point lies on the head's frontal
// silhouette (its row's width and silhouette depth) and faces sideways there; the nose tip is
// the nearest point of the face, the brows lie on the surface.
func TestReferenceHead(t *testing.T) {
	h := ReferenceHead
	if err := h.Validate(); err != nil {
		t.Fatal(err)
	}
	for j := 0; j <= 16; j++ {
		v := Reference[j]
		r := h.Row(v.Y)
		if math.Abs(r.W-math.Abs(v.X)) > 1e-9 || math.Abs(r.ZSil-v.Z) > 1e-9 {
			t.Errorf("jaw %d at %v, head row at its height %+v", j, v, r)
		}
		if j == 8 {
			continue
		}
		n := h.Normal(math.Copysign(math.Pi/2, v.X), v.Y)
		if math.Abs(n.Z) > 0.05 || n.X*v.X <= 0 {
			t.Errorf("jaw %d: normal %v, want sideways and outward (the frontal silhouette)", j, n)
		}
	}
	tip, _ := h.Surface(0, Reference[30].Y)
	for x := -0.9; x <= 0.9; x += 0.1 {
		for y := -0.5; y <= 1.6; y += 0.1 {
			if z, ok := h.Surface(x, y); ok && z > tip+1e-9 {
				t.Errorf("surface at (%.1f, %.1f) is %.3f, in front of the nose tip %.3f", x, y, z, tip)
			}
		}
	}
	for i := 17; i <= 26; i++ {
		if z, ok := h.Body(Reference[i].X, Reference[i].Y); !ok || math.Abs(z-Reference[i].Z) > 1e-12 {
			t.Errorf("brow %d depth %.4f, surface %.4f (%v)", i, Reference[i].Z, z, ok)
		}
	}
	// the nose occludes: at the tip it stands 29 mm in front of the eyes
	if math.Abs(tip*mmPerUnit-29) > 0.5 {
		t.Errorf("nose tip %.1f mm in front of the eyes, want 29", tip*mmPerUnit)
	}
}

// TestHeadValidateRejects: malformed heads are reported.
func TestHeadValidateRejects(t *testing.T) {
	for name, h := range map[string]*Head{
		"one row":      {Flat: 1, Rows: []HeadRow{{0, 0, 0, 0}}},
		"open top":     {Flat: 1, Rows: []HeadRow{{0, 1, -1, 0}, {1, 0, 0, 0}}},
		"unsorted":     {Flat: 1, Rows: []HeadRow{{1, 0, 0, 0}, {0.5, 1, -1, 0}, {0, 0, 0, 0}}},
		"inside out":   {Flat: 1, Rows: []HeadRow{{0, 0, 0, 0}, {0.5, 1, 1, 0}, {1, 0, 0, 0}}},
		"flat too big": {Flat: 2, Rows: []HeadRow{{0, 0, 0, 0}, {1, 0, 0, 0}}},
	} {
		t.Run(name, func(t *testing.T) {
			if err := h.Validate(); err == nil {
				t.Error("accepted")
			}
		})
	}
}
