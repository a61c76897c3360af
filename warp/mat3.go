package warp

import (
	"math"

	"github.com/occfer/occfer/landmarks/face68"
)

// Mat3 is a 3×3 matrix acting on homogeneous column vectors (x, y, 1).
// Every transform in this package maps template pixels to image pixels.
type Mat3 [3][3]float64

// Identity3 is the identity transform.
var Identity3 = Mat3{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}

// Apply maps p through m, dividing by the homogeneous coordinate.
func (m Mat3) Apply(p face68.Point) face68.Point {
	x := m[0][0]*p.X + m[0][1]*p.Y + m[0][2]
	y := m[1][0]*p.X + m[1][1]*p.Y + m[1][2]
	w := m[2][0]*p.X + m[2][1]*p.Y + m[2][2]
	return face68.Point{X: x / w, Y: y / w}
}

// W returns the homogeneous denominator at p; a sign change across a region
// means the homography folds that region through infinity.
func (m Mat3) W(p face68.Point) float64 {
	return m[2][0]*p.X + m[2][1]*p.Y + m[2][2]
}

// Mul returns m·n (apply n first, then m).
func (m Mat3) Mul(n Mat3) Mat3 {
	var r Mat3
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			for k := 0; k < 3; k++ {
				r[i][j] += m[i][k] * n[k][j]
			}
		}
	}
	return r
}

// Det returns the determinant.
func (m Mat3) Det() float64 {
	return m[0][0]*(m[1][1]*m[2][2]-m[1][2]*m[2][1]) -
		m[0][1]*(m[1][0]*m[2][2]-m[1][2]*m[2][0]) +
		m[0][2]*(m[1][0]*m[2][1]-m[1][1]*m[2][0])
}

// Inverse returns m⁻¹ and false when m is (numerically) singular.
func (m Mat3) Inverse() (Mat3, bool) {
	d := m.Det()
	if d == 0 || math.IsNaN(d) || math.IsInf(d, 0) {
		return Mat3{}, false
	}
	var r Mat3
	r[0][0] = (m[1][1]*m[2][2] - m[1][2]*m[2][1]) / d
	r[0][1] = (m[0][2]*m[2][1] - m[0][1]*m[2][2]) / d
	r[0][2] = (m[0][1]*m[1][2] - m[0][2]*m[1][1]) / d
	r[1][0] = (m[1][2]*m[2][0] - m[1][0]*m[2][2]) / d
	r[1][1] = (m[0][0]*m[2][2] - m[0][2]*m[2][0]) / d
	r[1][2] = (m[0][2]*m[1][0] - m[0][0]*m[1][2]) / d
	r[2][0] = (m[1][0]*m[2][1] - m[1][1]*m[2][0]) / d
	r[2][1] = (m[0][1]*m[2][0] - m[0][0]*m[2][1]) / d
	r[2][2] = (m[0][0]*m[1][1] - m[0][1]*m[1][0]) / d
	return r, true
}

// LocalScale is the linear magnification of m at p (square root of the
// Jacobian determinant): how many image pixels one template pixel spans there.
func (m Mat3) LocalScale(p face68.Point) float64 {
	const h = 1.0
	o := m.Apply(p)
	ex := m.Apply(face68.Point{X: p.X + h, Y: p.Y})
	ey := m.Apply(face68.Point{X: p.X, Y: p.Y + h})
	j := (ex.X-o.X)*(ey.Y-o.Y) - (ex.Y-o.Y)*(ey.X-o.X)
	return math.Sqrt(math.Abs(j)) / h
}

// Translate returns the translation by (dx, dy).
func Translate(dx, dy float64) Mat3 { return Mat3{{1, 0, dx}, {0, 1, dy}, {0, 0, 1}} }

// Scale returns the scaling by (sx, sy) about the origin.
func Scale(sx, sy float64) Mat3 { return Mat3{{sx, 0, 0}, {0, sy, 0}, {0, 0, 1}} }
