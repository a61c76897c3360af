package warp

import (
	"fmt"
	"math"

	"github.com/occfer/occfer/landmarks/face68"
)

// piece is one transform with the template region it draws.
type piece struct {
	H      Mat3
	domain []face68.Point // convex template-space polygon (the template rectangle or one half)
}

// placement is a fitted template: one piece, or two for piecewise fits.
type placement struct {
	global Mat3 // least-squares fit over all anchors (homography for piecewise)
	pieces []piece
	// piecewise only: the seam in image space (through the two centre
	// anchors' face points) and the cross-product sign of the left half.
	seamA, seamB face68.Point
	leftSign     float64
}

// templateRect is the template's pixel area as a polygon (pixel edges).
func (t *Template) templateRect() []face68.Point {
	w, h := float64(t.Image.Bounds().Dx()), float64(t.Image.Bounds().Dy())
	return []face68.Point{{X: -0.5, Y: -0.5}, {X: w - 0.5, Y: -0.5}, {X: w - 0.5, Y: h - 0.5}, {X: -0.5, Y: h - 0.5}}
}

// placeOn fits the template's transform to a face.
func (t *Template) placeOn(face *face68.Shape) (placement, error) {
	var pl placement
	if t.Transform != FitPiecewise {
		src, dst := t.anchorPoints(face, nil)
		h, err := Fit(t.Transform, src, dst)
		if err != nil {
			return pl, err
		}
		if err := checkPiece(h, t.templateRect()); err != nil {
			return pl, err
		}
		pl.global = h
		pl.pieces = []piece{{H: h, domain: t.templateRect()}}
		return pl, nil
	}
	return t.placePiecewise(face)
}

// placePiecewise fits one homography per half. Why: a single homography maps
// the mask as a flat sheet, so on a jaw that curves back it either floats off
// the chin or cuts into the cheek; two halves that share the nose-bridge and
// chin anchors bend along the face's midline and follow each jaw line.
//
// Two homographies that agree at the two seam anchors map the seam to the
// same image line but may slide along it differently (measured: up to 5% of
// its length on a turned face), which shows as a step where pleats or a
// pattern cross the seam. A 1-D projective map is fixed by three points, so
// after an exact 4-point fit per half both halves are refitted with a third
// seam point (the template seam midpoint, sent to the mean of where the two
// first fits put it) weighted heavily: the halves then agree along the whole
// seam, and the cheek and jaw anchors absorb the small difference.
func (t *Template) placePiecewise(face *face68.Shape) (placement, error) {
	var pl placement
	var centre []Anchor
	for _, a := range t.Anchors {
		if a.Side == "both" {
			centre = append(centre, a)
		}
	}
	if len(centre) != 2 {
		return pl, fmt.Errorf("piecewise fit needs exactly 2 anchors with side \"both\" on the seam, found %d", len(centre))
	}
	a, b := centre[0].At, centre[1].At
	leftSign, err := t.seamSides(a, b)
	if err != nil {
		return pl, err
	}
	src, dst := t.anchorPoints(face, nil)
	g, err := FitHomographyLS(src, dst)
	if err != nil {
		return pl, err
	}
	pl.global = g
	sides := []string{"left", "right"}
	var doms [2][]face68.Point
	var first [2]Mat3
	for i, s := range sides {
		sign := leftSign
		if s == "right" {
			sign = -leftSign
		}
		doms[i] = clipHalfPlane(t.templateRect(), a, b, sign)
		src, dst := t.halfAnchors(face, s)
		if len(src) < 4 {
			return pl, fmt.Errorf("piecewise %s half has %d anchors, needs 4 (2 seam + 2 own)", s, len(src))
		}
		first[i], err = fitHalf(src, dst, nil, doms[i])
		if err != nil {
			return pl, fmt.Errorf("%s half: %w", s, err)
		}
	}
	// shared seam midpoint, then the weighted refit of both halves
	m := face68.Point{X: (a.X + b.X) / 2, Y: (a.Y + b.Y) / 2}
	ml, mr := first[0].Apply(m), first[1].Apply(m)
	mImg := face68.Point{X: (ml.X + mr.X) / 2, Y: (ml.Y + mr.Y) / 2}
	for i, s := range sides {
		src, dst := t.halfAnchors(face, s)
		w := make([]float64, 0, len(src)+1)
		for _, an := range t.Anchors {
			if an.Side == "both" {
				w = append(w, seamWeight)
			} else if an.Side == s {
				w = append(w, 1)
			}
		}
		src, dst, w = append(src, m), append(dst, mImg), append(w, seamWeight)
		h, err := fitHalf(src, dst, w, doms[i])
		if err != nil {
			h = first[i] // keep the exact fit rather than fail the image
		}
		pl.pieces = append(pl.pieces, piece{H: h, domain: doms[i]})
	}
	fa, fb := centre[0].Face.At(face), centre[1].Face.At(face)
	if fa == fb {
		return pl, fmt.Errorf("seam anchors %q and %q land on the same face point", centre[0].Name, centre[1].Name)
	}
	pl.seamA, pl.seamB = fa, fb
	// Orientation is preserved (checkPiece refuses mirrors), so the left half
	// lies on the same side of the image seam as of the template seam.
	pl.leftSign = leftSign
	return pl, nil
}

// seamWeight is the weight of seam points in the refit of each half (own
// anchors weigh 1); large enough that the halves meet to within a
// hundredth of a pixel along the seam.
const seamWeight = 1e4

// seamSides checks the side labels and returns the sign of
// cross(b−a, p−a) for template points p of the left half.
func (t *Template) seamSides(a, b face68.Point) (float64, error) {
	var leftSign float64
	for _, an := range t.Anchors {
		switch an.Side {
		case "both":
		case "left", "right":
			s := math.Copysign(1, cross(b.X-a.X, b.Y-a.Y, an.At.X-a.X, an.At.Y-a.Y))
			if an.Side == "right" {
				s = -s
			}
			if leftSign == 0 {
				leftSign = s
			} else if s != leftSign {
				return 0, fmt.Errorf("anchor %q is marked %s but lies on the other side of the seam", an.Name, an.Side)
			}
		default:
			return 0, fmt.Errorf("anchor %q: side %q, want left, right or both", an.Name, an.Side)
		}
	}
	if leftSign == 0 {
		return 0, fmt.Errorf("piecewise fit needs anchors with side left and right")
	}
	return leftSign, nil
}

// halfAnchors returns the seam and own-side anchors of one half, in spec order.
func (t *Template) halfAnchors(face *face68.Shape, side string) (src, dst []face68.Point) {
	return t.anchorPoints(face, func(an Anchor) bool { return an.Side == side || an.Side == "both" })
}

// fitHalf fits a half's homography; one that folds or mirrors its domain
// (extreme landmarks) falls back to the affine fit: less faithful, never torn.
func fitHalf(src, dst []face68.Point, w []float64, dom []face68.Point) (Mat3, error) {
	h, err := FitHomographyWeighted(src, dst, w)
	if err == nil {
		err = checkPiece(h, dom)
	}
	if err == nil {
		return h, nil
	}
	h, err = FitAffineLS(src, dst)
	if err == nil {
		err = checkPiece(h, dom)
	}
	return h, err
}

// checkPiece refuses transforms that fold the domain through infinity, mirror
// it, or collapse it.
func checkPiece(h Mat3, dom []face68.Point) error {
	w0 := h.W(dom[0])
	for _, p := range dom {
		w := h.W(p)
		if w*w0 <= 0 || math.Abs(w/w0) > 8 || math.Abs(w0/w) > 8 {
			return fmt.Errorf("degenerate fit: transform folds or over-stretches the template (perspective denominator %.3g vs %.3g)", w, w0)
		}
	}
	img := make([]face68.Point, len(dom))
	for i, p := range dom {
		img[i] = h.Apply(p)
	}
	area := polygonArea(img)
	if math.IsNaN(area) || math.Abs(area) < 1e-3 {
		return fmt.Errorf("degenerate fit: template collapses to zero area")
	}
	if area*polygonArea(dom) < 0 {
		return fmt.Errorf("degenerate fit: transform mirrors the template (left/right anchors swapped?)")
	}
	return nil
}

// rmsResidual is the RMS distance between where the anchors land and their
// face points.
func (pl placement) rmsResidual(t *Template, face *face68.Shape) float64 {
	sum := 0.0
	for _, a := range t.Anchors {
		p := pl.mapAnchor(a)
		q := a.Face.At(face)
		sum += (p.X-q.X)*(p.X-q.X) + (p.Y-q.Y)*(p.Y-q.Y)
	}
	return math.Sqrt(sum / float64(len(t.Anchors)))
}

// mapAnchor maps an anchor with the piece that owns it (seam anchors: mean of
// both halves).
func (pl placement) mapAnchor(a Anchor) face68.Point {
	if len(pl.pieces) == 1 {
		return pl.pieces[0].H.Apply(a.At)
	}
	l, r := pl.pieces[0].H.Apply(a.At), pl.pieces[1].H.Apply(a.At)
	switch a.Side {
	case "left":
		return l
	case "right":
		return r
	}
	return face68.Point{X: (l.X + r.X) / 2, Y: (l.Y + r.Y) / 2}
}

// imageSide reports which piece draws image pixel p: 0 left, 1 right.
func (pl placement) imageSide(x, y float64) int {
	c := cross(pl.seamB.X-pl.seamA.X, pl.seamB.Y-pl.seamA.Y, x-pl.seamA.X, y-pl.seamA.Y)
	if c*pl.leftSign >= 0 {
		return 0
	}
	return 1
}

func cross(ax, ay, bx, by float64) float64 { return ax*by - ay*bx }

// polygonArea is the signed shoelace area.
func polygonArea(p []face68.Point) float64 {
	s := 0.0
	for i := range p {
		j := (i + 1) % len(p)
		s += p[i].X*p[j].Y - p[j].X*p[i].Y
	}
	return s / 2
}

// clipHalfPlane keeps the part of convex polygon poly where
// sign·cross(b−a, p−a) ≥ 0 (Sutherland–Hodgman against one line).
func clipHalfPlane(poly []face68.Point, a, b face68.Point, sign float64) []face68.Point {
	f := func(p face68.Point) float64 { return sign * cross(b.X-a.X, b.Y-a.Y, p.X-a.X, p.Y-a.Y) }
	var out []face68.Point
	for i := range poly {
		p, q := poly[i], poly[(i+1)%len(poly)]
		fp, fq := f(p), f(q)
		if fp >= 0 {
			out = append(out, p)
		}
		if (fp >= 0) != (fq >= 0) {
			t := fp / (fp - fq)
			out = append(out, face68.Point{X: p.X + t*(q.X-p.X), Y: p.Y + t*(q.Y-p.Y)})
		}
	}
	return out
}
