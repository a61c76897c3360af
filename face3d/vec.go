package face3d

import (
	"math"

	"github.com/occfer/occfer/landmarks/face68"
)

// Vec3 is a point or direction in head coordinates (see the package comment).
type Vec3 struct{ X, Y, Z float64 }

func (a Vec3) add(b Vec3) Vec3      { return Vec3{a.X + b.X, a.Y + b.Y, a.Z + b.Z} }
func (a Vec3) sub(b Vec3) Vec3      { return Vec3{a.X - b.X, a.Y - b.Y, a.Z - b.Z} }
func (a Vec3) scale(k float64) Vec3 { return Vec3{a.X * k, a.Y * k, a.Z * k} }
func (a Vec3) dot(b Vec3) float64   { return a.X*b.X + a.Y*b.Y + a.Z*b.Z }
func (a Vec3) norm() float64        { return math.Sqrt(a.dot(a)) }
func (a Vec3) cross(b Vec3) Vec3 {
	return Vec3{a.Y*b.Z - a.Z*b.Y, a.Z*b.X - a.X*b.Z, a.X*b.Y - a.Y*b.X}
}
func (a Vec3) unit() Vec3                           { return a.scale(1 / a.norm()) }
func sub(p, q face68.Point) face68.Point            { return face68.Point{X: p.X - q.X, Y: p.Y - q.Y} }
func mid(p, q face68.Point) face68.Point            { return face68.Point{X: (p.X + q.X) / 2, Y: (p.Y + q.Y) / 2} }
func scaleP(p face68.Point, k float64) face68.Point { return face68.Point{X: p.X * k, Y: p.Y * k} }
func rad(deg float64) float64                       { return deg * math.Pi / 180 }
func deg(rad float64) float64                       { return rad * 180 / math.Pi }
func clamp(v, lo, hi float64) float64               { return math.Max(lo, math.Min(hi, v)) }
func finite(v float64) bool                         { return !math.IsNaN(v) && !math.IsInf(v, 0) }
func finiteP(p face68.Point) bool                   { return finite(p.X) && finite(p.Y) }
func (m Mat33) row(i int) Vec3                      { return Vec3{m[i][0], m[i][1], m[i][2]} }
func rows(a, b, c Vec3) Mat33                       { return Mat33{{a.X, a.Y, a.Z}, {b.X, b.Y, b.Z}, {c.X, c.Y, c.Z}} }
func (m Mat33) apply(v Vec3) Vec3                   { return Vec3{m.row(0).dot(v), m.row(1).dot(v), m.row(2).dot(v)} }

// Mat33 is a 3×3 matrix acting on column vectors; rotations are Mat33 with orthonormal rows
// and determinant +1.
type Mat33 [3][3]float64

// Mul returns m·n (n applied first).
func (m Mat33) Mul(n Mat33) Mat33 {
	var r Mat33
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			r[i][j] = m[i][0]*n[0][j] + m[i][1]*n[1][j] + m[i][2]*n[2][j]
		}
	}
	return r
}

// T returns the transpose (the inverse of a rotation).
func (m Mat33) T() Mat33 {
	return Mat33{{m[0][0], m[1][0], m[2][0]}, {m[0][1], m[1][1], m[2][1]}, {m[0][2], m[1][2], m[2][2]}}
}

// rotY, rotX and rotZ are the elementary rotations of the pose convention (package comment):
// rotY(+) turns +z toward +x, rotX(+) turns +z toward −y (up), rotZ(+) turns +x toward +y.
func rotY(a float64) Mat33 {
	s, c := math.Sincos(a)
	return Mat33{{c, 0, s}, {0, 1, 0}, {-s, 0, c}}
}

func rotX(a float64) Mat33 {
	s, c := math.Sincos(a)
	return Mat33{{1, 0, 0}, {0, c, -s}, {0, s, c}}
}

func rotZ(a float64) Mat33 {
	s, c := math.Sincos(a)
	return Mat33{{c, -s, 0}, {s, c, 0}, {0, 0, 1}}
}

// rodrigues is the rotation by |w| radians about w.
func rodrigues(w Vec3) Mat33 {
	th := w.norm()
	if th < 1e-12 {
		return Mat33{{1, -w.Z, w.Y}, {w.Z, 1, -w.X}, {-w.Y, w.X, 1}}
	}
	k := w.scale(1 / th)
	s, c := math.Sincos(th)
	v := 1 - c
	return Mat33{
		{c + k.X*k.X*v, k.X*k.Y*v - k.Z*s, k.X*k.Z*v + k.Y*s},
		{k.Y*k.X*v + k.Z*s, c + k.Y*k.Y*v, k.Y*k.Z*v - k.X*s},
		{k.Z*k.X*v - k.Y*s, k.Z*k.Y*v + k.X*s, c + k.Z*k.Z*v},
	}
}
