package face3d

import (
	"fmt"
	"math"
	"sort"
)

// HeadRow is one horizontal cross-section of a head surface, in head units: at height Y the
// frontal silhouette is at x = ±W with depth ZSil, and the front of the face (without the
// nose) at x = 0 has depth ZFront.
type HeadRow struct{ Y, W, ZSil, ZFront float64 }

// Head is a head surface: cross-sections between a top and a bottom row (both with W = 0),
// each the curve
//
//	x = W·sin α,  z = ZSil + (ZFront − ZSil)·c(α),  c(α) = sign(cos α)·|cos α|^Flat
//
// for α in (−π, π): α = 0 is the front, α = ±π/2 the frontal silhouette (the jaw contour,
// where the surface is seen edge-on), |α| > π/2 the sides beyond it, turning back. Flat < 1
// makes the front flatter than an ellipse, as a face is across the brows and cheekbones (the
// cross-section is the face's convex hull; eye sockets and the mouth corners lie inside it).
// Rows are interpolated linearly in Y. A nose ridge (Nose) stands on the front.
type Head struct {
	Rows []HeadRow // sorted by Y
	Flat float64
	Nose []NoseRow // sorted by Y; empty for no nose
}

// NoseRow is the nose at height Y: the ridge at depth Z, the sides falling by Slope per unit
// of |x| until they meet the face.
type NoseRow struct{ Y, Z, Slope float64 }

func mm(v float64) float64 { return v / mmPerUnit }

// ReferenceHead is the head surface of the reference face (docs/face3d.md). Its rows at the
// jaw points' heights are the jaw contour of Reference (W = |x|, ZSil = z), so the reference
// jaw points lie on its frontal silhouette.
var ReferenceHead = &Head{
	Flat: 0.6,
	Rows: []HeadRow{
		{-1.45, 0, mm(-50), mm(-50)}, // the crown (only synth draws this high)
		{-1.40, 0.30, mm(-55), mm(-40)},
		{-1.25, 0.62, mm(-65), mm(-22)},
		{-1.00, 0.85, mm(-72), mm(-8)},
		{-0.70, 0.97, mm(-75), mm(2)},
		{-0.30, 1.04, mm(-75), mm(10)}, // brow ridge, glabella
		{0.08, 1.0687, mm(-72), mm(7)}, // jaw 0/16
		{0.3523, 1.0463, mm(-70), mm(6)},
		{0.6153, 1.0057, mm(-65), mm(11)},
		{0.8806, 0.9551, mm(-58), mm(13)}, // upper lip
		{1.1378, 0.8625, mm(-48), mm(10)}, // lower lip
		{1.3603, 0.7063, mm(-36), mm(5)},  // labiomental fold
		{1.5394, 0.4938, mm(-22), mm(8)},  // pogonion
		{1.6848, 0.2606, mm(-8), mm(5)},
		{1.7309, 0, mm(2), mm(2)}, // menton (jaw 8)
	},
	Nose: []NoseRow{
		{-0.15, mm(8), 1.6},
		{-0.0025, mm(10), 1.5}, // sellion (27)
		{0.1867, mm(16), 1.4},
		{0.3663, mm(22), 1.2},
		{0.5548, mm(29), 1.0}, // pronasale (30)
		{0.62, mm(24), 0.95},
		{0.7204, mm(15), 0.9}, // subnasale (33)
	},
}

// Validate checks the rows and nose: at least two rows, sorted by Y, the first and last with
// W = 0 (a closed surface), W ≥ 0, the silhouette behind the front, and 0 < Flat ≤ 1.
func (h *Head) Validate() error {
	if len(h.Rows) < 2 {
		return fmt.Errorf("head: %d rows, need at least 2", len(h.Rows))
	}
	if !(h.Flat > 0 && h.Flat <= 1) {
		return fmt.Errorf("head: Flat %g outside (0, 1]", h.Flat)
	}
	if !sort.SliceIsSorted(h.Rows, func(i, j int) bool { return h.Rows[i].Y < h.Rows[j].Y }) {
		return fmt.Errorf("head: rows not sorted by Y")
	}
	if h.Rows[0].W != 0 || h.Rows[len(h.Rows)-1].W != 0 {
		return fmt.Errorf("head: first and last rows must have W = 0")
	}
	for i, r := range h.Rows {
		if r.W < 0 || r.ZSil > r.ZFront || !finite(r.Y+r.W+r.ZSil+r.ZFront) {
			return fmt.Errorf("head: row %d %+v: want W ≥ 0 and ZSil ≤ ZFront", i, r)
		}
		if i > 0 && r.Y <= h.Rows[i-1].Y {
			return fmt.Errorf("head: rows %d and %d share Y %g", i-1, i, r.Y)
		}
	}
	for i := 1; i < len(h.Nose); i++ {
		if h.Nose[i].Y <= h.Nose[i-1].Y {
			return fmt.Errorf("head: nose rows not sorted by Y")
		}
	}
	return nil
}

// Top and Bottom are the heights of the first and last rows.
func (h *Head) Top() float64    { return h.Rows[0].Y }
func (h *Head) Bottom() float64 { return h.Rows[len(h.Rows)-1].Y }

// Row interpolates the cross-section at height y (clamped to the head's span).
func (h *Head) Row(y float64) HeadRow {
	rs := h.Rows
	if y <= rs[0].Y {
		return rs[0]
	}
	if y >= rs[len(rs)-1].Y {
		return rs[len(rs)-1]
	}
	i := sort.Search(len(rs), func(i int) bool { return rs[i].Y > y })
	a, b := rs[i-1], rs[i]
	t := (y - a.Y) / (b.Y - a.Y)
	return HeadRow{Y: y, W: a.W + t*(b.W-a.W), ZSil: a.ZSil + t*(b.ZSil-a.ZSil), ZFront: a.ZFront + t*(b.ZFront-a.ZFront)}
}

// Width is the half-width W of the frontal silhouette at height y (0 outside the head).
func (h *Head) Width(y float64) float64 {
	if y < h.Top() || y > h.Bottom() {
		return 0
	}
	return h.Row(y).W
}

// crossZ is the cross-section depth at angle α of row r.
func (h *Head) crossZ(r HeadRow, alpha float64) float64 {
	c := math.Cos(alpha)
	return r.ZSil + (r.ZFront-r.ZSil)*math.Copysign(math.Pow(math.Abs(c), h.Flat), c)
}

// At is the body surface point (no nose) at angle α of the cross-section at height y.
func (h *Head) At(alpha, y float64) Vec3 {
	r := h.Row(y)
	return Vec3{r.W * math.Sin(alpha), y, h.crossZ(r, alpha)}
}

// Body is the depth of the front half of the body surface (no nose) seen at frontal position
// (x, y); ok is false outside the frontal silhouette.
func (h *Head) Body(x, y float64) (z float64, ok bool) {
	if y < h.Top() || y > h.Bottom() {
		return 0, false
	}
	r := h.Row(y)
	if r.W <= 0 || math.Abs(x) > r.W {
		return 0, false
	}
	return h.crossZ(r, math.Asin(x/r.W)), true
}

// NoseDepth is the depth of the nose surface at frontal (x, y), −Inf where there is no nose.
func (h *Head) NoseDepth(x, y float64) float64 {
	ns := h.Nose
	if len(ns) == 0 || y < ns[0].Y || y > ns[len(ns)-1].Y {
		return math.Inf(-1)
	}
	i := sort.Search(len(ns), func(i int) bool { return ns[i].Y > y })
	if i == len(ns) {
		i--
	}
	if i == 0 {
		i = 1
	}
	a, b := ns[i-1], ns[i]
	t := (y - a.Y) / (b.Y - a.Y)
	z, s := a.Z+t*(b.Z-a.Z), a.Slope+t*(b.Slope-a.Slope)
	return z - s*math.Abs(x)
}

// Surface is the depth of the face surface (body and nose) at frontal (x, y); ok is false
// outside the frontal silhouette.
func (h *Head) Surface(x, y float64) (z float64, ok bool) {
	z, ok = h.Body(x, y)
	if !ok {
		return 0, false
	}
	return math.Max(z, h.NoseDepth(x, y)), true
}

// Normal is the outward unit normal of the body surface at (α, y), from the derivatives of
// the parametrisation (rows are linear in y between knots). At the frontal silhouette the
// α-derivative of |cos α|^Flat is infinite; the tangent is rescaled by |cos α|^(1−Flat) > 0,
// which keeps its direction and makes it finite.
func (h *Head) Normal(alpha, y float64) Vec3 {
	r, d := h.rowSlope(y)
	return h.normal(r, d, alpha)
}

// normal is Normal on a row and its slope.
func (h *Head) normal(r, d HeadRow, alpha float64) Vec3 {
	sn, cs := math.Sincos(alpha)
	ac := math.Abs(cs)
	pk := math.Pow(ac, h.Flat)
	c := math.Copysign(pk, cs)
	rest := 0.0 // |cos α|^(1−Flat), from the one Pow
	if pk > 0 {
		rest = ac / pk
	}
	dz := r.ZFront - r.ZSil
	// ∂S/∂α·|cos α|^(1−Flat)
	ta := Vec3{r.W * cs * rest, 0, -dz * h.Flat * sn}
	// ∂S/∂y
	ty := Vec3{d.W * sn, 1, d.ZSil + (d.ZFront-d.ZSil)*c}
	n := ta.cross(ty)
	if l := n.norm(); l > 1e-12 && finite(l) {
		return n.scale(1 / l)
	}
	// a row of zero width (the chin or crown): the normal points along the head's axis
	return Vec3{0, math.Copysign(1, r.Y-(h.Top()+h.Bottom())/2), 0}
}

// rowSlope is Row(y) and the derivative of its fields with respect to y (zero outside).
func (h *Head) rowSlope(y float64) (r, d HeadRow) {
	rs := h.Rows
	r = h.Row(y)
	if y < rs[0].Y || y > rs[len(rs)-1].Y {
		return r, d
	}
	i := sort.Search(len(rs), func(i int) bool { return rs[i].Y > y })
	if i == len(rs) {
		i--
	}
	if i == 0 {
		i = 1
	}
	a, b := rs[i-1], rs[i]
	dy := b.Y - a.Y
	return r, HeadRow{W: (b.W - a.W) / dy, ZSil: (b.ZSil - a.ZSil) / dy, ZFront: (b.ZFront - a.ZFront) / dy}
}

// Silhouette finds where the cross-section at height y, seen with pose p, turns from facing
// the camera to facing away, on the side of the head given by side (−1 image-left half of the
// frontal face, +1 image-right): the visible outline of the head at that height. It searches
// α from the back (±π·0.95) toward the front and returns the first point that faces the camera
// (refined by bisection), or ok false when the whole side faces away.
func (h *Head) Silhouette(p Pose, y, side float64) (v Vec3, ok bool) {
	r, d := h.rowSlope(y)
	facing := func(a float64) float64 { return p.Facing(h.normal(r, d, side*a)) }
	const steps = 16
	hi := 0.95 * math.Pi
	prev := hi
	if facing(prev) >= 0 {
		return h.At(side*prev, y), true
	}
	for i := 1; i <= steps; i++ {
		a := hi * (1 - float64(i)/steps)
		if facing(a) >= 0 {
			lo, up := a, prev // facing(lo) ≥ 0 > facing(up)
			for k := 0; k < 14; k++ {
				m := (lo + up) / 2
				if facing(m) >= 0 {
					lo = m
				} else {
					up = m
				}
			}
			return h.At(side*lo, y), true
		}
		prev = a
	}
	return Vec3{}, false
}
