package face3d

import (
	"errors"
	"fmt"
	"math"

	"github.com/occfer/occfer/landmarks/face68"
)

// Fit is a pose fitted to 68 landmarks.
type Fit struct {
	Pose Pose
	// RMS is the weighted root-mean-square distance between landmarks 17-67 and the projected
	// reference, in head units (inter-ocular distances): about 0.03-0.06 on real faces with
	// neutral to strong expressions. Much larger values mean the landmarks are not a face the
	// reference explains (swapped points, a failed detection).
	RMS float64
	// Residual is each landmark minus its projected reference point, in pixels (for the jaw,
	// the reference jaw point, whichever contour convention the landmarks follow).
	Residual [68]face68.Point
}

// ErrDegenerate reports landmarks from which no pose can be fitted: non-finite coordinates,
// or brows, eyes, nose and mouth collapsed onto a point or a line.
var ErrDegenerate = errors.New("degenerate landmarks")

// huberK is the residual, as a fraction of the inter-ocular distance of a frontal face, beyond
// which a landmark's weight falls off as 1/residual (Huber's M-estimator): a landmark misplaced
// by a detector, or an extreme expression, then pulls the pose as little as a residual of
// huberK would.
const huberK = 0.04

// FitPose fits a Pose to the landmarks 17-67 of s (pixels) by weighted, robust least squares
// of the reprojection error under scaled orthographic projection (see the package comment):
// an affine-camera solution and its depth-reversed twin (the two poses that look alike under
// parallel projection), and a frontal start, are each refined by Gauss-Newton with Huber
// weights, and the one with the lowest cost is kept. It returns ErrDegenerate (wrapped) when
// the landmarks cannot define a pose. Cost: a few tens of microseconds.
func FitPose(s *face68.Shape) (Fit, error) {
	var f Fit
	for i, p := range s[17:] {
		if !finiteP(p) {
			return f, fmt.Errorf("landmark %d is (%g, %g): %w", i+17, p.X, p.Y, ErrDegenerate)
		}
	}
	// Normalise: centroid at 0, mean distance 1, so the fit is scale-free.
	c := face68.Centroid(s[17:])
	d := 0.0
	for _, p := range s[17:] {
		d += face68.Distance(p, c)
	}
	d /= 51
	if d < 1e-9 {
		return f, fmt.Errorf("landmarks 17-67 coincide: %w", ErrDegenerate)
	}
	var q [68]face68.Point
	var sxx, sxy, syy float64
	for i := 17; i < 68; i++ {
		q[i] = scaleP(sub(s[i], c), 1/d)
		sxx, sxy, syy = sxx+q[i].X*q[i].X, sxy+q[i].X*q[i].Y, syy+q[i].Y*q[i].Y
	}
	// Even a profile spreads brows, eyes, nose and mouth over two dimensions; points on a line
	// (smallest eigenvalue of their scatter ≈ 0) define no rotation.
	tr, det := sxx+syy, sxx*syy-sxy*sxy
	if lmin := tr/2 - math.Sqrt(math.Max(0, tr*tr/4-det)); lmin < 1e-3*tr {
		return f, fmt.Errorf("landmarks 17-67 lie on a line: %w", ErrDegenerate)
	}
	// Refine every start briefly, then only the best one to convergence: the starts differ
	// in the pose's basin (the depth-reversed twin, a frontal guess), which a few steps show.
	starts := affineStarts(&q)
	best := math.Inf(1)
	var bp poseParams
	for _, st := range starts {
		p, cost := refine(st, &q, 2)
		if cost < best {
			best, bp = cost, p
		}
	}
	bp, best = refine(bp, &q, 12)
	if math.IsInf(best, 1) || bp.s <= 1e-9 {
		return f, fmt.Errorf("no pose fits landmarks 17-67: %w", ErrDegenerate)
	}
	f.Pose = poseFromRotation(bp.r, bp.s*d, c.X+bp.tx*d, c.Y+bp.ty*d)
	var wsum, esum float64
	for i := 0; i < 68; i++ {
		pr := f.Pose.Project(Reference[i])
		f.Residual[i] = sub(s[i], pr)
		if w := fitWeight[i]; w > 0 {
			e := f.Residual[i].X*f.Residual[i].X + f.Residual[i].Y*f.Residual[i].Y
			wsum += w
			esum += w * e
		}
	}
	f.RMS = math.Sqrt(esum/wsum) / f.Pose.Scale
	return f, nil
}

// poseParams is a pose in normalised image coordinates.
type poseParams struct {
	r         Mat33
	s, tx, ty float64
}

// affineStarts returns the starting poses for refine: the rotation nearest to the
// least-squares affine camera, its depth-reversed twin, and a frontal pose with the eye line's
// roll.
func affineStarts(q *[68]face68.Point) []poseParams {
	var out []poseParams
	// frontal start: roll from the eyes, scale from their distance
	le, re := face68.Centroid(q[36:42]), face68.Centroid(q[42:48])
	io := face68.Distance(le, re)
	if io > 1e-9 {
		roll := math.Atan2(re.Y-le.Y, re.X-le.X)
		m := mid(le, re)
		out = append(out, poseParams{r: rotZ(roll), s: io, tx: m.X, ty: m.Y})
	}
	// affine camera: [u v] = M·X + t, two independent 4-unknown weighted least squares
	var ata [4][4]float64
	var atu, atv [4]float64
	for i := 17; i < 68; i++ {
		w := fitWeight[i]
		x := [4]float64{Reference[i].X, Reference[i].Y, Reference[i].Z, 1}
		for a := 0; a < 4; a++ {
			atu[a] += w * x[a] * q[i].X
			atv[a] += w * x[a] * q[i].Y
			for b := 0; b < 4; b++ {
				ata[a][b] += w * x[a] * x[b]
			}
		}
	}
	mu, ok1 := solve4(ata, atu)
	mv, ok2 := solve4(ata, atv)
	if !ok1 || !ok2 {
		return out
	}
	m1, m2 := Vec3{mu[0], mu[1], mu[2]}, Vec3{mv[0], mv[1], mv[2]}
	n1, n2 := m1.norm(), m2.norm()
	if n1 < 1e-9 || n2 < 1e-9 {
		return out
	}
	r1 := m1.scale(1 / n1)
	r2 := m2.sub(r1.scale(m2.dot(r1)))
	if r2.norm() < 1e-9 {
		return out
	}
	r2 = r2.unit()
	r := rows(r1, r2, r1.cross(r2))
	s := (n1 + n2) / 2
	out = append(out, poseParams{r: r, s: s, tx: mu[3], ty: mv[3]})
	// the depth-reversed twin: z mirrored in both frames, D·R·D with D = diag(1, 1, −1)
	tw := r
	tw[0][2], tw[1][2], tw[2][0], tw[2][1] = -tw[0][2], -tw[1][2], -tw[2][0], -tw[2][1]
	out = append(out, poseParams{r: tw, s: s, tx: mu[3], ty: mv[3]})
	return out
}

// refine runs up to iters Gauss-Newton steps with Huber weights from p and returns the result
// and its robust cost. Rotation updates are applied on the left (camera frame):
// R ← exp([δ]×)·R.
func refine(p poseParams, q *[68]face68.Point, iters int) (poseParams, float64) {
	cost := math.Inf(1)
	for it := 0; it <= iters; it++ {
		var jtj [6][6]float64
		var jte [6]float64
		c := 0.0
		// The threshold is fixed in the normalised data (mean distance 1 from the centroid,
		// about 0.7 inter-ocular distances): tied to the pose's scale, the robust cost would
		// reward shrinking the face, and collapse a profile's fit.
		const k = huberK / 0.7
		r0, r1, r2 := p.r.row(0), p.r.row(1), p.r.row(2)
		for i := 17; i < 68; i++ {
			v := Reference[i]
			y := Vec3{r0.dot(v), r1.dot(v), r2.dot(v)}
			eu := q[i].X - (p.s*y.X + p.tx)
			ev := q[i].Y - (p.s*y.Y + p.ty)
			e := math.Sqrt(eu*eu + ev*ev)
			w := fitWeight[i]
			if e > k {
				c += w * k * (2*e - k) // Huber's ρ, ×2
				w *= k / e
			} else {
				c += w * e * e
			}
			// Jacobian rows of (u, v) in (δx, δy, δz, s, tx, ty):
			// ju = (0, s·Yz, −s·Yy, Yx, 1, 0), jv = (−s·Yz, 0, s·Yx, Yy, 0, 1); the zeros are
			// written out, which makes this loop (the fit's cost) about twice as fast.
			a, b, cc := p.s*y.Z, p.s*y.Y, p.s*y.X
			jte[0] -= w * a * ev
			jte[1] += w * a * eu
			jte[2] += w * (-b*eu + cc*ev)
			jte[3] += w * (y.X*eu + y.Y*ev)
			jte[4] += w * eu
			jte[5] += w * ev
			jtj[0][0] += w * a * a
			jtj[0][2] -= w * a * cc
			jtj[0][3] -= w * a * y.Y
			jtj[0][5] -= w * a
			jtj[1][1] += w * a * a
			jtj[1][2] -= w * a * b
			jtj[1][3] += w * a * y.X
			jtj[1][4] += w * a
			jtj[2][2] += w * (b*b + cc*cc)
			jtj[2][3] += w * (-b*y.X + cc*y.Y)
			jtj[2][4] -= w * b
			jtj[2][5] += w * cc
			jtj[3][3] += w * (y.X*y.X + y.Y*y.Y)
			jtj[3][4] += w * y.X
			jtj[3][5] += w * y.Y
			jtj[4][4] += w
			jtj[5][5] += w
		}
		cost = c
		if it == iters {
			break
		}
		for a := 0; a < 6; a++ {
			jtj[a][a] *= 1 + 1e-6 // Levenberg damping: keeps the system solvable when flat
			for b := 0; b < a; b++ {
				jtj[a][b] = jtj[b][a]
			}
		}
		dx, ok := solve6(jtj, jte)
		if !ok {
			break
		}
		p.r = rodrigues(Vec3{dx[0], dx[1], dx[2]}).Mul(p.r)
		p.s += dx[3]
		p.tx += dx[4]
		p.ty += dx[5]
		if math.Abs(dx[0])+math.Abs(dx[1])+math.Abs(dx[2]) < 1e-6 && math.Abs(dx[3]) < 1e-6*p.s {
			it = iters - 1 // converged: one more pass computes the final cost
		}
	}
	if p.s <= 0 || !finite(cost) {
		return p, math.Inf(1)
	}
	return p, cost
}

// solve4 solves a 4×4 system by Gaussian elimination with partial pivoting.
func solve4(a [4][4]float64, b [4]float64) ([4]float64, bool) {
	var m [6][6]float64
	var v [6]float64
	for i := 0; i < 4; i++ {
		copy(m[i][:4], a[i][:])
		v[i] = b[i]
	}
	x, ok := gauss(&m, &v, 4)
	return [4]float64{x[0], x[1], x[2], x[3]}, ok
}

// solve6 solves the 6×6 normal equations of refine.
func solve6(a [6][6]float64, b [6]float64) ([6]float64, bool) { return gauss(&a, &b, 6) }

// gauss solves the top-left n×n block of m·x = v (both overwritten) by elimination with partial
// pivoting; false when a pivot is negligible against the matrix scale. Fixed-size arrays keep
// the pose fit free of allocations.
func gauss(m *[6][6]float64, v *[6]float64, n int) ([6]float64, bool) {
	var x [6]float64
	scale := 0.0
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			scale = math.Max(scale, math.Abs(m[i][j]))
		}
	}
	if scale == 0 || !finite(scale) {
		return x, false
	}
	for col := 0; col < n; col++ {
		piv := col
		for r := col + 1; r < n; r++ {
			if math.Abs(m[r][col]) > math.Abs(m[piv][col]) {
				piv = r
			}
		}
		if math.Abs(m[piv][col]) < 1e-12*scale {
			return x, false
		}
		m[col], m[piv] = m[piv], m[col]
		v[col], v[piv] = v[piv], v[col]
		for r := col + 1; r < n; r++ {
			f := m[r][col] / m[col][col]
			for c := col; c < n; c++ {
				m[r][c] -= f * m[col][c]
			}
			v[r] -= f * v[col]
		}
	}
	for r := n - 1; r >= 0; r-- {
		s := v[r]
		for c := r + 1; c < n; c++ {
			s -= m[r][c] * x[c]
		}
		x[r] = s / m[r][r]
	}
	return x, true
}
