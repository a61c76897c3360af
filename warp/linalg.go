package warp

import (
	"errors"
	"math"
)

// errSingular reports a linear system without a unique solution; callers turn
// it into a "degenerate fit" error naming the template.
var errSingular = errors.New("singular system")

// solveLeastSquares returns x minimising |A x - b|² for a tall A (rows×n) by
// forming the normal equations. The fits here have at most 8 unknowns and the
// points are normalised first (see normalise), so the squared condition number
// stays far from float64 limits and a QR/SVD would buy nothing.
func solveLeastSquares(a [][]float64, b []float64, n int) ([]float64, error) {
	if len(a) < n {
		return nil, errSingular
	}
	ata := make([][]float64, n)
	atb := make([]float64, n)
	for i := range ata {
		ata[i] = make([]float64, n)
	}
	for r, row := range a {
		for i := 0; i < n; i++ {
			atb[i] += row[i] * b[r]
			for j := 0; j < n; j++ {
				ata[i][j] += row[i] * row[j]
			}
		}
	}
	return solveSquare(ata, atb)
}

// solveSquare solves M x = v by Gaussian elimination with partial pivoting.
// M and v are overwritten. A pivot that is tiny relative to the matrix scale
// means the anchors do not pin the transform down (collinear or coincident).
func solveSquare(m [][]float64, v []float64) ([]float64, error) {
	n := len(v)
	scale := 0.0
	for i := range m {
		for j := range m[i] {
			scale = math.Max(scale, math.Abs(m[i][j]))
		}
	}
	if scale == 0 {
		return nil, errSingular
	}
	for col := 0; col < n; col++ {
		p := col
		for r := col + 1; r < n; r++ {
			if math.Abs(m[r][col]) > math.Abs(m[p][col]) {
				p = r
			}
		}
		if math.Abs(m[p][col]) < 1e-10*scale {
			return nil, errSingular
		}
		m[col], m[p] = m[p], m[col]
		v[col], v[p] = v[p], v[col]
		for r := col + 1; r < n; r++ {
			f := m[r][col] / m[col][col]
			if f == 0 {
				continue
			}
			for c := col; c < n; c++ {
				m[r][c] -= f * m[col][c]
			}
			v[r] -= f * v[col]
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		s := v[r]
		for c := r + 1; c < n; c++ {
			s -= m[r][c] * x[c]
		}
		x[r] = s / m[r][r]
	}
	return x, nil
}
