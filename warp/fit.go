package warp

import (
	"fmt"
	"math"

	"github.com/occfer/occfer/landmarks/face68"
)

// FitKind names a transform model fitted from template anchors to face points.
type FitKind string

const (
	// FitSimilarity is rotation + uniform scale + translation (4 dof, ≥2 anchors).
	FitSimilarity FitKind = "similarity"
	// FitAffine is a general affine map (6 dof, ≥3 anchors).
	FitAffine FitKind = "affine"
	// FitHomography is a projective map (8 dof, ≥4 anchors).
	FitHomography FitKind = "homography"
	// FitPiecewise is two homographies, one per half of the template, split
	// along the line through the two centre anchors (side "both"); see
	// place.go for why masks use it.
	FitPiecewise FitKind = "piecewise"
)

// minAnchors is the number of anchors each model needs to be determined.
func (k FitKind) minAnchors() int {
	switch k {
	case FitSimilarity:
		return 2
	case FitAffine:
		return 3
	case FitHomography:
		return 4
	case FitPiecewise:
		return 6
	}
	return 0
}

// Fit fits the model kind (not piecewise) mapping src[i] to dst[i] in the
// least-squares sense over all pairs.
func Fit(kind FitKind, src, dst []face68.Point) (Mat3, error) {
	switch kind {
	case FitSimilarity:
		return FitSimilarityLS(src, dst)
	case FitAffine:
		return FitAffineLS(src, dst)
	case FitHomography:
		return FitHomographyLS(src, dst)
	}
	return Mat3{}, fmt.Errorf("fit: unsupported transform %q", kind)
}

// normaliser is Hartley's conditioning: translate the centroid to the origin
// and scale the mean distance to √2, so the normal equations of the fits stay
// well conditioned whatever the pixel scale of template and image.
func normaliser(pts []face68.Point) (Mat3, bool) {
	var cx, cy float64
	for _, p := range pts {
		cx += p.X
		cy += p.Y
	}
	n := float64(len(pts))
	cx, cy = cx/n, cy/n
	d := 0.0
	for _, p := range pts {
		d += math.Hypot(p.X-cx, p.Y-cy)
	}
	d /= n
	if d < 1e-9 {
		return Mat3{}, false
	}
	s := math.Sqrt2 / d
	return Mat3{{s, 0, -s * cx}, {0, s, -s * cy}, {0, 0, 1}}, true
}

// prepare checks the pair counts and returns the normalised points and the
// normalisers, so that a fit in normalised space T is denormalised as
// Nd⁻¹ · T · Ns.
func prepare(src, dst []face68.Point, need int) (ns, nd Mat3, s, d []face68.Point, err error) {
	if len(src) != len(dst) {
		return ns, nd, nil, nil, fmt.Errorf("fit: %d source points but %d targets", len(src), len(dst))
	}
	if len(src) < need {
		return ns, nd, nil, nil, fmt.Errorf("fit: %d point pairs, need at least %d", len(src), need)
	}
	var ok1, ok2 bool
	ns, ok1 = normaliser(src)
	nd, ok2 = normaliser(dst)
	if !ok1 || !ok2 {
		return ns, nd, nil, nil, fmt.Errorf("fit: degenerate: all points coincide")
	}
	s = make([]face68.Point, len(src))
	d = make([]face68.Point, len(dst))
	for i := range src {
		s[i] = ns.Apply(src[i])
		d[i] = nd.Apply(dst[i])
	}
	return ns, nd, s, d, nil
}

func denormalise(t, ns, nd Mat3) (Mat3, error) {
	ndi, ok := nd.Inverse()
	if !ok {
		return Mat3{}, fmt.Errorf("fit: degenerate target points")
	}
	r := ndi.Mul(t).Mul(ns)
	if r[2][2] != 0 {
		k := 1 / r[2][2]
		for i := range r {
			for j := range r[i] {
				r[i][j] *= k
			}
		}
	}
	return r, nil
}

// FitSimilarityLS fits x' = a·x − b·y + tx, y' = b·x + a·y + ty.
func FitSimilarityLS(src, dst []face68.Point) (Mat3, error) {
	ns, nd, s, d, err := prepare(src, dst, 2)
	if err != nil {
		return Mat3{}, err
	}
	a := make([][]float64, 0, 2*len(s))
	b := make([]float64, 0, 2*len(s))
	for i := range s {
		a = append(a, []float64{s[i].X, -s[i].Y, 1, 0}, []float64{s[i].Y, s[i].X, 0, 1})
		b = append(b, d[i].X, d[i].Y)
	}
	x, err := solveLeastSquares(a, b, 4)
	if err != nil {
		return Mat3{}, fmt.Errorf("fit similarity: degenerate anchors: %w", err)
	}
	t := Mat3{{x[0], -x[1], x[2]}, {x[1], x[0], x[3]}, {0, 0, 1}}
	if x[0] == 0 && x[1] == 0 {
		return Mat3{}, fmt.Errorf("fit similarity: degenerate: zero scale")
	}
	return denormalise(t, ns, nd)
}

// FitAffineLS fits a general 2-D affine map.
func FitAffineLS(src, dst []face68.Point) (Mat3, error) {
	ns, nd, s, d, err := prepare(src, dst, 3)
	if err != nil {
		return Mat3{}, err
	}
	a := make([][]float64, 0, 2*len(s))
	b := make([]float64, 0, 2*len(s))
	for i := range s {
		a = append(a, []float64{s[i].X, s[i].Y, 1, 0, 0, 0}, []float64{0, 0, 0, s[i].X, s[i].Y, 1})
		b = append(b, d[i].X, d[i].Y)
	}
	x, err := solveLeastSquares(a, b, 6)
	if err != nil {
		return Mat3{}, fmt.Errorf("fit affine: degenerate anchors (collinear?): %w", err)
	}
	t := Mat3{{x[0], x[1], x[2]}, {x[3], x[4], x[5]}, {0, 0, 1}}
	return denormalise(t, ns, nd)
}

// FitHomographyLS fits a homography by the linear DLT with h33 = 1 on
// normalised points (algebraic least squares). With exactly four pairs it is
// the exact projective map through them.
func FitHomographyLS(src, dst []face68.Point) (Mat3, error) {
	return FitHomographyWeighted(src, dst, nil)
}

// FitHomographyWeighted is FitHomographyLS with a weight per pair (nil: all
// 1): each pair's equations are scaled by √w, so a heavily weighted pair is
// matched almost exactly at the expense of the others.
func FitHomographyWeighted(src, dst []face68.Point, weight []float64) (Mat3, error) {
	if weight != nil && len(weight) != len(src) {
		return Mat3{}, fmt.Errorf("fit homography: %d weights for %d points", len(weight), len(src))
	}
	ns, nd, s, d, err := prepare(src, dst, 4)
	if err != nil {
		return Mat3{}, err
	}
	a := make([][]float64, 0, 2*len(s))
	b := make([]float64, 0, 2*len(s))
	for i := range s {
		k := 1.0
		if weight != nil {
			k = math.Sqrt(weight[i])
		}
		x, y, u, v := s[i].X, s[i].Y, d[i].X, d[i].Y
		a = append(a,
			[]float64{k * x, k * y, k, 0, 0, 0, -k * u * x, -k * u * y},
			[]float64{0, 0, 0, k * x, k * y, k, -k * v * x, -k * v * y})
		b = append(b, k*u, k*v)
	}
	h, err := solveLeastSquares(a, b, 8)
	if err != nil {
		return Mat3{}, fmt.Errorf("fit homography: degenerate anchors (three collinear?): %w", err)
	}
	t := Mat3{{h[0], h[1], h[2]}, {h[3], h[4], h[5]}, {h[6], h[7], 1}}
	return denormalise(t, ns, nd)
}
