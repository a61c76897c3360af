package warp

import (
	"math"
	"testing"

	"github.com/occfer/occfer/landmarks/face68"
)

// TestCoverageSyntheticMasks checks Coverage against masks whose answer is
// known from the landmark geometry.
func TestCoverageSyntheticMasks(t *testing.T) {
	s := astronautLandmarks(t)
	const w, h = 512, 512
	full := NewMask(w, h)
	for i := range full.Pix {
		full.Pix[i] = 255
	}
	f, e, m := Coverage(full, s)
	if f != 1 || e != 1 || m != 1 {
		t.Errorf("full mask: %v %v %v, want 1 1 1", f, e, m)
	}
	f, e, m = Coverage(NewMask(w, h), s)
	if f != 0 || e != 0 || m != 0 {
		t.Errorf("empty mask: %v %v %v, want 0 0 0", f, e, m)
	}
	// everything below the nose tip: the whole mouth, no eye, part of the face
	lower := NewMask(w, h)
	cut := int(s[30].Y)
	for y := cut; y < h; y++ {
		for x := 0; x < w; x++ {
			lower.Pix[y*w+x] = 255
		}
	}
	f, e, m = Coverage(lower, s)
	if m != 1 || e != 0 || f < 0.3 || f > 0.7 {
		t.Errorf("below-nose mask: face %.3f eyes %.3f mouth %.3f, want face in 0.3..0.7, eyes 0, mouth 1", f, e, m)
	}
	// only the image-left eye box: half of the eye area (the two eyes are
	// about the same size), nothing else
	eye := NewMask(w, h)
	for y := 80; y < 120; y++ {
		for x := 185; x < 222; x++ {
			eye.Pix[y*w+x] = 255
		}
	}
	_, e, m = Coverage(eye, s)
	if math.Abs(e-0.5) > 0.1 || m != 0 {
		t.Errorf("one-eye mask: eyes %.3f mouth %.3f, want eyes ≈ 0.5, mouth 0", e, m)
	}
}

// TestCoverageOfPlacedOverlays: a mask hides the mouth but no eye region;
// sunglasses hide the eyes but not the mouth.
func TestCoverageOfPlacedOverlays(t *testing.T) {
	lm := astronautLandmarks(t)
	for name, want := range map[string][3][2]float64{
		// face, eyes, mouth: [min, max]
		"mask_surgical_blue":        {{0.4, 0.8}, {0, 0}, {1, 1}},
		"mask_n95_white":            {{0.4, 0.8}, {0, 0}, {1, 1}},
		"sunglasses_wayfarer_black": {{0.15, 0.5}, {0.95, 1}, {0, 0}},
	} {
		img := astronaut(t)
		res, err := Apply(img, lm, templateByName(t, name), DefaultOptions(), nil)
		img.Close()
		if err != nil {
			t.Fatal(err)
		}
		got := [3]float64{}
		got[0], got[1], got[2] = Coverage(res.Mask, lm)
		for i, label := range []string{"face", "eyes", "mouth"} {
			if got[i] < want[i][0] || got[i] > want[i][1] {
				t.Errorf("%s: %s coverage %.3f, want %.2f..%.2f", name, label, got[i], want[i][0], want[i][1])
			}
		}
	}
}

// TestCoverageTinyFace: a face too small to hold pixel centres in its eye
// polygons is judged by the landmark vertices.
func TestCoverageTinyFace(t *testing.T) {
	s := astronautLandmarks(t)
	for i := range s {
		s[i] = face68.Point{X: s[i].X / 40, Y: s[i].Y / 40}
	}
	m := NewMask(20, 20)
	for i := range m.Pix {
		m.Pix[i] = 255
	}
	if _, e, _ := Coverage(m, s); e != 1 {
		t.Errorf("tiny face, full mask: eyes %.3f, want 1", e)
	}
}
