package synth

import (
	"fmt"
	"math"

	"github.com/occfer/occfer/face3d"
	"github.com/occfer/occfer/landmarks/face68"
)

// head3d is one drawn face in 3-D: its outline (the jaw and skull curves that draw it) as a
// face3d.Head whose depth profile is face3d.ReferenceHead's, stretched to this face's
// proportions. Lengths are canonical pixels divided by the face's inter-ocular distance
// (face3d's head units).
type head3d struct {
	io   float64 // inter-ocular distance in canonical pixels
	head *face3d.Head
	// refY maps a canonical height (head units) to the reference head's height: the same
	// point of the face (eye line, jaw top, mouth, chin, crown), linearly in between.
	refY func(y float64) float64
	// relief: the face's landmarks 17-67 (head units) and how far each reference landmark lies
	// in front of (+) or behind the reference head's surface: eye corners and mouth corners
	// are recessed, which the cross-sections (the face's convex hull) do not show.
	reliefAt  []face68.Point
	reliefDep []float64
}

// reliefSigma is the reach of a landmark's relief (head units, about 5 mm).
const reliefSigma = 0.08

// newHead3d builds f's head: rows every canonical pixel from the crown to the chin with this
// face's width, and the reference head's depths at the corresponding height; the reference
// nose ridge moved to this face's nose.
func newHead3d(f *face) (*head3d, error) {
	id := f.id
	io := 2 * id.eyeHalf
	top, chin := f.jawTop-id.foreheadH, id.chinY
	// corresponding heights: canonical (pixels) -> reference (head units)
	ref := face3d.Reference
	canon := []float64{top, 0, f.jawTop, id.mouthY, chin}
	refs := []float64{face3d.ReferenceHead.Top(), 0, ref[0].Y, (ref[48].Y + ref[54].Y) / 2, ref[8].Y}
	h := &head3d{io: io}
	h.refY = func(y float64) float64 { return piecewise(canon, refs, y*io) }
	rh := face3d.ReferenceHead
	var rows []face3d.HeadRow
	for y := top; ; y++ {
		y = math.Min(y, chin)
		r := rh.Row(h.refY(y / io))
		rows = append(rows, face3d.HeadRow{Y: y / io, W: f.halfWidth(y) / io, ZSil: r.ZSil, ZFront: r.ZFront})
		if y == chin {
			break
		}
	}
	rows[0].W, rows[len(rows)-1].W = 0, 0
	h.head = &face3d.Head{Rows: rows, Flat: rh.Flat, Nose: fitNose(f, io)}
	for i := 17; i < 68; i++ {
		r := face3d.Reference[i]
		z, ok := rh.Surface(r.X, r.Y)
		if !ok {
			continue
		}
		h.reliefAt = append(h.reliefAt, face68.Point{X: f.lm[i].X / io, Y: f.lm[i].Y / io})
		h.reliefDep = append(h.reliefDep, r.Z-z)
	}
	if err := h.head.Validate(); err != nil {
		return nil, fmt.Errorf("synth: 3-D head: %w", err)
	}
	return h, nil
}

// fitNose is the reference nose ridge moved so that its root and tip sit at this face's
// landmarks 27 and 30 (their heights vary with the identity's nose length).
func fitNose(f *face, io float64) []face3d.NoseRow {
	r0, r1 := face3d.Reference[27].Y, face3d.Reference[30].Y
	c0, c1 := f.lm[27].Y/io, f.lm[30].Y/io
	var nose []face3d.NoseRow
	for _, n := range face3d.ReferenceHead.Nose {
		nose = append(nose, face3d.NoseRow{Y: c0 + (n.Y-r0)*(c1-c0)/(r1-r0), Z: n.Z, Slope: n.Slope})
	}
	return nose
}

// halfWidth is the half-width of the face's frontal outline at canonical height y: the jaw
// curve below jawTop, the skull ellipse above (0 outside).
func (f *face) halfWidth(y float64) float64 {
	id := f.id
	switch {
	case y >= f.jawTop && y <= id.chinY:
		s := math.Pow((y-f.jawTop)/(id.chinY-f.jawTop), 1/id.jawPow) // sin of the jaw angle
		return id.faceW * math.Sqrt(math.Max(0, 1-s*s))
	case y < f.jawTop && y >= f.jawTop-id.foreheadH:
		s := (f.jawTop - y) / id.foreheadH
		return id.faceW * math.Sqrt(math.Max(0, 1-s*s))
	}
	return 0
}

// lift puts a canonical point on the face surface: (x, y, depth), canonical pixels. Points
// beyond the outline (a lip ribbon's anti-aliasing margin) take the outline's depth.
func (h *head3d) lift(p face68.Point) face3d.Vec3 {
	x, y := p.X/h.io, p.Y/h.io
	z, ok := h.head.Surface(x, y)
	if !ok {
		r := h.head.Row(y)
		z = r.ZSil
	}
	return face3d.Vec3{X: p.X, Y: p.Y, Z: (z + h.relief(x, y)) * h.io}
}

// relief is the depth of the face's features relative to the head surface at (x, y) (head
// units): the reference landmarks' offsets, blended by a narrow Gaussian around this face's
// landmarks, and nothing away from them.
func (h *head3d) relief(x, y float64) float64 {
	var sw, sz float64
	for i, a := range h.reliefAt {
		dx, dy := x-a.X, y-a.Y
		d2 := dx*dx + dy*dy
		if d2 > 9*reliefSigma*reliefSigma {
			continue
		}
		w := math.Exp(-d2 / (2 * reliefSigma * reliefSigma))
		sw += w
		sz += w * h.reliefDep[i]
	}
	return sz / math.Max(1, sw)
}

// piecewise interpolates linearly through (xs[i], ys[i]) (xs increasing), extrapolating the
// end segments.
func piecewise(xs, ys []float64, x float64) float64 {
	i := 1
	for i < len(xs)-1 && x > xs[i] {
		i++
	}
	t := (x - xs[i-1]) / (xs[i] - xs[i-1])
	return ys[i-1] + t*(ys[i]-ys[i-1])
}
