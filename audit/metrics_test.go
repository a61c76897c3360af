package audit

import (
	"math"
	"slices"
	"testing"

	"github.com/occfer/occfer/landmarks"
)

func TestMeasureBoxShape(t *testing.T) {
	s := boxShape()
	cases := []struct {
		name string
		fill func(m *Mask)
		want Metrics
	}{
		{"empty mask", func(*Mask) {}, Metrics{}},
		{
			// mouth rows 83..88 of 81..88; nose points 2-6 of 6; one of 96 eye pixels; a
			// 100-pixel strip at y=2, outside the face region (6..115).
			"partial",
			func(m *Mask) {
				fillRect(m, 45, 83, 77, 89)
				for _, p := range s[31:36] {
					m.Set(int(p.X), int(p.Y), true)
				}
				m.Set(31, 39, true)
				fillRect(m, 0, 2, 100, 3)
			},
			Metrics{Mouth: 0.75, Nose: 5.0 / 6, Eyes: 1.0 / 96, Spill: 100.0 / (192 + 5 + 1 + 100)},
		},
		{
			"whole image",
			func(m *Mask) { fillRect(m, 0, 0, 130, 130) },
			Metrics{Mouth: 1, Nose: 1, Eyes: 1, Spill: 1 - 110.0*110/(130*130)},
		},
		{
			// the face region's left column (x=6) is inside, x=5 is outside
			"region edge",
			func(m *Mask) { fillRect(m, 5, 50, 7, 51) },
			Metrics{Spill: 0.5},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := NewMask(130, 130)
			c.fill(m)
			got := Measure(m, []landmarks.Shape{s})[0]
			if !near(got, c.want, 1e-12) {
				t.Errorf("Measure = %+v, want %+v", got, c.want)
			}
		})
	}
}

func near(a, b Metrics, tol float64) bool {
	return math.Abs(a.Mouth-b.Mouth) <= tol && math.Abs(a.Nose-b.Nose) <= tol &&
		math.Abs(a.Eyes-b.Eyes) <= tol && math.Abs(a.Spill-b.Spill) <= tol
}

// TestMeasureCutOffRegion: the part of a region outside the image counts in its area, as
// visible: a whole-image mask on a face whose mouth hangs half out of the bottom edge covers
// half the mouth.
func TestMeasureCutOffRegion(t *testing.T) {
	s := boxShape() // mouth rows 81..88
	m := NewMask(130, 85)
	fillRect(m, 0, 0, 130, 85) // rows 81..84 in the image: half the mouth
	got := Measure(m, []landmarks.Shape{s})[0]
	if got.Mouth != 0.5 {
		t.Errorf("mouth = %v, want 0.5", got.Mouth)
	}
}

// TestSpillTwoFaces: an occluded pixel inside either face's region is not spill.
func TestSpillTwoFaces(t *testing.T) {
	a := boxShape()
	var b landmarks.Shape
	for i, p := range a {
		b[i] = landmarks.Point{X: p.X + 200, Y: p.Y}
	}
	m := NewMask(330, 130)
	fillRect(m, 60, 60, 70, 70)   // inside a: 100 px
	fillRect(m, 260, 60, 270, 70) // inside b: 100 px
	fillRect(m, 150, 60, 160, 65) // between the faces: 50 px
	if got, want := Spill(m, []landmarks.Shape{a, b}), 50.0/250; got != want {
		t.Errorf("two faces: spill = %v, want %v", got, want)
	}
	if got, want := Spill(m, []landmarks.Shape{a}), 150.0/250; got != want {
		t.Errorf("face a only: spill = %v, want %v", got, want)
	}
}

// TestCoverageMatchesClippedArea checks the area weights on irregular polygons (a synth-like
// mouth and a rotated hull) against the exact area of the polygon clipped by a half-plane
// (Sutherland-Hodgman + shoelace): a mask of all rows y >= cut covers the part of the region
// below the pixel edge cut-0.5. The 8-bit edge weights allow a small difference.
func TestCoverageMatchesClippedArea(t *testing.T) {
	lip := []landmarks.Point{{X: 30.2, Y: 70.9}, {X: 36.1, Y: 66.3}, {X: 44.7, Y: 64.8}, {X: 50.3, Y: 66.1},
		{X: 56.2, Y: 64.6}, {X: 63.9, Y: 66.7}, {X: 70.4, Y: 71.2}, {X: 63.1, Y: 77.4}, {X: 56.0, Y: 80.3},
		{X: 50.1, Y: 80.9}, {X: 43.8, Y: 80.1}, {X: 37.0, Y: 76.8}}
	for _, cut := range []int{60, 66, 70, 73, 79, 85} {
		m := NewMask(100, 100)
		fillRect(m, 0, cut, 100, 100)
		hit, total := rasterize(lip).covered(m)
		got := float64(hit) / float64(total)
		want := area(clipBelow(lip, float64(cut)-0.5)) / area(lip)
		if math.Abs(got-want) > 2e-3 {
			t.Errorf("cut %d: coverage %.5f, exact %.5f", cut, got, want)
		}
	}
}

func area(p []landmarks.Point) float64 {
	var a float64
	for i := range p {
		q := p[(i+1)%len(p)]
		a += p[i].X*q.Y - q.X*p[i].Y
	}
	return math.Abs(a) / 2
}

// clipBelow keeps the part of a convex-or-not simple polygon with y >= c.
func clipBelow(p []landmarks.Point, c float64) []landmarks.Point {
	var out []landmarks.Point
	for i := range p {
		a, b := p[i], p[(i+1)%len(p)]
		ina, inb := a.Y >= c, b.Y >= c
		if ina {
			out = append(out, a)
		}
		if ina != inb {
			t := (c - a.Y) / (b.Y - a.Y)
			out = append(out, landmarks.Point{X: a.X + t*(b.X-a.X), Y: c})
		}
	}
	return out
}

func TestFaceRegion(t *testing.T) {
	s := boxShape()
	got := FaceRegion(&s)
	want := []landmarks.Point{{X: 5.5, Y: 5.5}, {X: 115.5, Y: 5.5}, {X: 115.5, Y: 115.5}, {X: 5.5, Y: 115.5}}
	if len(got) != len(want) {
		t.Fatalf("FaceRegion = %v, want %v (in some order)", got, want)
	}
	for _, w := range want {
		if !slices.ContainsFunc(got, func(p landmarks.Point) bool { return math.Abs(p.X-w.X) < 1e-9 && math.Abs(p.Y-w.Y) < 1e-9 }) {
			t.Fatalf("FaceRegion = %v, want %v (in some order)", got, want)
		}
	}
}

func TestJudge(t *testing.T) {
	pass := Metrics{Mouth: 0.8, Nose: 0.8, Eyes: 0.05, Spill: 0.2} // every mask bound met exactly
	cases := []struct {
		name, kind string
		m          Metrics
		failed     []string
		excess     float64
	}{
		{"mask on the bounds", "mask", pass, nil, 0},
		{"mask with room", "mask", Metrics{Mouth: 0.9, Nose: 1, Eyes: 0.01, Spill: 0.1}, nil, -0.04},
		{"mask low mouth", "mask", Metrics{Mouth: 0.7, Nose: 1, Spill: 0.1}, []string{"mouth >= 80%"}, 0.1},
		{"mask on the eyes, spilling", "mask", Metrics{Mouth: 1, Nose: 1, Eyes: 0.25, Spill: 0.5}, []string{"eyes <= 5%", "spill <= 20%"}, 0.5},
		{"sunglasses on the bounds", "sunglasses", Metrics{Eyes: 0.6, Mouth: 0.05, Spill: 0.25, Nose: 1}, nil, 0},
		{"sunglasses on the mouth", "sunglasses", Metrics{Eyes: 0.9, Mouth: 0.3}, []string{"mouth <= 5%"}, 0.25},
		{"random has no rules", "random", Metrics{}, nil, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			failed, excess := Judge(c.m, RulesFor(c.kind))
			if !slices.Equal(failed, c.failed) || math.Abs(excess-c.excess) > 1e-12 {
				t.Errorf("Judge = %q, %v; want %q, %v", failed, excess, c.failed, c.excess)
			}
		})
	}
}
