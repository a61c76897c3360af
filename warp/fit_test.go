package warp

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/occfer/occfer/landmarks/face68"
)

func randomPoints(rng *rand.Rand, n int) []face68.Point {
	p := make([]face68.Point, n)
	for i := range p {
		p[i] = face68.Point{X: 500 * rng.Float64(), Y: 400 * rng.Float64()}
	}
	return p
}

func mapAll(m Mat3, pts []face68.Point) []face68.Point {
	out := make([]face68.Point, len(pts))
	for i, p := range pts {
		out[i] = m.Apply(p)
	}
	return out
}

func maxAbsDiff(a, b Mat3) float64 {
	d := 0.0
	for i := range a {
		for j := range a[i] {
			d = math.Max(d, math.Abs(a[i][j]-b[i][j]))
		}
	}
	return d
}

// TestFitsRecoverKnownTransforms: each fit recovers a known transform of its
// own kind from exact correspondences (minimal and over-determined).
func TestFitsRecoverKnownTransforms(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	th := 0.3
	sim := Mat3{{0.2 * math.Cos(th), -0.2 * math.Sin(th), 140}, {0.2 * math.Sin(th), 0.2 * math.Cos(th), 90}, {0, 0, 1}}
	aff := Mat3{{0.18, 0.04, 120}, {-0.03, 0.22, 75}, {0, 0, 1}}
	hom := Mat3{{0.19, 0.02, 130}, {-0.01, 0.21, 80}, {0.0002, -0.0001, 1}}
	for _, tc := range []struct {
		kind FitKind
		want Mat3
	}{{FitSimilarity, sim}, {FitAffine, aff}, {FitHomography, hom}} {
		for _, n := range []int{tc.kind.minAnchors(), 12} {
			src := randomPoints(rng, n)
			got, err := Fit(tc.kind, src, mapAll(tc.want, src))
			if err != nil {
				t.Fatalf("%s with %d points: %v", tc.kind, n, err)
			}
			if d := maxAbsDiff(got, tc.want); d > 1e-9 {
				t.Errorf("%s with %d points: max coefficient error %.3g\n got %v\nwant %v", tc.kind, n, d, got, tc.want)
			}
		}
	}
}

// TestFitLeastSquares: with noisy targets the similarity fit is the
// least-squares one: the residual does not drop when any coefficient moves.
func TestFitLeastSquares(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	src := randomPoints(rng, 20)
	dst := mapAll(Mat3{{0.5, -0.1, 10}, {0.1, 0.5, 20}, {0, 0, 1}}, src)
	for i := range dst {
		dst[i].X += rng.NormFloat64()
		dst[i].Y += rng.NormFloat64()
	}
	sse := func(m Mat3) float64 {
		s := 0.0
		for i, p := range src {
			q := m.Apply(p)
			s += (q.X-dst[i].X)*(q.X-dst[i].X) + (q.Y-dst[i].Y)*(q.Y-dst[i].Y)
		}
		return s
	}
	for _, kind := range []FitKind{FitSimilarity, FitAffine} {
		m, err := Fit(kind, src, dst)
		if err != nil {
			t.Fatal(err)
		}
		base := sse(m)
		for i := 0; i < 2; i++ {
			for j := 0; j < 3; j++ {
				for _, eps := range []float64{-1e-4, 1e-4} {
					p := m
					p[i][j] += eps
					if kind == FitSimilarity && j < 2 { // keep it a similarity
						p[1-i][1-j] += map[bool]float64{true: eps, false: -eps}[i == j]
					}
					if sse(p) < base-1e-9 {
						t.Errorf("%s: moving [%d][%d] by %g lowers the residual %.6f -> %.6f", kind, i, j, eps, base, sse(p))
					}
				}
			}
		}
	}
}

func TestFitDegenerate(t *testing.T) {
	line := []face68.Point{{X: 0, Y: 0}, {X: 1, Y: 1}, {X: 2, Y: 2}, {X: 3, Y: 3}, {X: 4, Y: 4}}
	same := []face68.Point{{X: 5, Y: 5}, {X: 5, Y: 5}, {X: 5, Y: 5}, {X: 5, Y: 5}}
	for _, tc := range []struct {
		kind     FitKind
		src, dst []face68.Point
		want     string
	}{
		{FitAffine, line, line, "degenerate"},
		{FitHomography, line, line, "degenerate"},
		{FitSimilarity, same, same, "coincide"},
		{FitHomography, line[:3], line[:3], "need at least 4"},
		{FitAffine, line, line[:4], "targets"},
	} {
		_, err := Fit(tc.kind, tc.src, tc.dst)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s on %d points: error %v, want one mentioning %q", tc.kind, len(tc.src), err, tc.want)
		}
	}
}

func TestMat3Inverse(t *testing.T) {
	m := Mat3{{0.19, 0.02, 130}, {-0.01, 0.21, 80}, {0.0002, -0.0001, 1}}
	inv, ok := m.Inverse()
	if !ok {
		t.Fatal("not invertible")
	}
	if d := maxAbsDiff(m.Mul(inv), Identity3); d > 1e-12 {
		t.Errorf("m·m⁻¹ differs from I by %.3g", d)
	}
	if _, ok := (Mat3{}).Inverse(); ok {
		t.Error("zero matrix reported invertible")
	}
}

func TestParseFacePoint(t *testing.T) {
	s := astronautLandmarks(t)
	for _, tc := range []struct {
		expr string
		want face68.Point
	}{
		{"30", s[30]},
		{"mid(3,31)", face68.Point{X: (s[3].X + s[31].X) / 2, Y: (s[3].Y + s[31].Y) / 2}},
		{"lerp(2, 30, 0.25)", face68.Point{X: 0.75*s[2].X + 0.25*s[30].X, Y: 0.75*s[2].Y + 0.25*s[30].Y}},
		{"w(3:0.25,31:0.75)", face68.Point{X: 0.25*s[3].X + 0.75*s[31].X, Y: 0.25*s[3].Y + 0.75*s[31].Y}},
		{"mean(36,37,38,39,40,41)", s.RightEye()},
	} {
		fp, err := ParseFacePoint(tc.expr)
		if err != nil {
			t.Fatalf("%q: %v", tc.expr, err)
		}
		if p := fp.At(&s); math.Hypot(p.X-tc.want.X, p.Y-tc.want.Y) > 1e-9 {
			t.Errorf("%q = %v, want %v", tc.expr, p, tc.want)
		}
	}
	for expr, want := range map[string]string{
		"68":          "outside 0..67",
		"mid(3,99)":   "99",
		"mid(3)":      "mid takes 2",
		"top(3,4)":    "unknown face point function",
		"w(3:0.5)":    "sum to 0.5",
		"nose":        "unknown face point",
		"lerp(1,2,x)": "lerp",
		"":            "empty",
	} {
		if _, err := ParseFacePoint(expr); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want one mentioning %q", expr, err, want)
		}
	}
}
