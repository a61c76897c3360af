package warp

import (
	"fmt"
	"image"
	"image/color"
	"math"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/landmarks/face68"
)

// AnchorResidual is how far one anchor lands from its face point.
type AnchorResidual struct {
	Name     string
	Face     face68.Point // where the anchor should land
	Fitted   face68.Point // where the fitted transform puts it
	Distance float64
}

// RenderAnchors returns a copy of img (8-bit BGR) with the template placed
// (no realism steps) and, for each anchor, its face point (green circle), where
// the posed 3-D surface puts the anchor's template pixel (red cross) and the
// residual between them, labelled with the anchor name. It backs `occlude
// templates check`, where a person judges a new template by eye; the residuals
// are returned for a printed summary. Anchors place the template on the
// reference face; on a real face they land near, not on, their face points.
func RenderAnchors(img gocv.Mat, face face68.Shape, t *Template) (gocv.Mat, []AnchorResidual, error) {
	if t == nil {
		return gocv.Mat{}, nil, fmt.Errorf("render anchors: nil template")
	}
	out := img.Clone()
	if _, err := Apply(out, face, t, Options{Feather: 0.5}, nil); err != nil {
		out.Close()
		return gocv.Mat{}, nil, fmt.Errorf("render anchors: %w", err)
	}
	pm, _, err := t.pose(&face)
	if err != nil {
		out.Close()
		return gocv.Mat{}, nil, fmt.Errorf("render anchors %s: %w", t.Name, err)
	}
	size := math.Hypot(face[16].X-face[0].X, face[16].Y-face[0].Y)
	r := max(2, int(size/60))
	fontScale := math.Max(0.3, size/400)
	green, red, yellow := color.RGBA{0, 255, 0, 0}, color.RGBA{255, 0, 0, 0}, color.RGBA{255, 255, 0, 0}
	var res []AnchorResidual
	for _, a := range t.Anchors {
		f := a.Face.At(&face)
		p, ok := pm.mapUV(a.At)
		if !ok {
			out.Close()
			return gocv.Mat{}, nil, fmt.Errorf("render anchors %s: anchor %s lies outside the template's mesh", t.Name, a.Name)
		}
		res = append(res, AnchorResidual{Name: a.Name, Face: f, Fitted: p, Distance: math.Hypot(p.X-f.X, p.Y-f.Y)})
		fi, pi := pt(f), pt(p)
		gocv.Line(&out, fi, pi, yellow, 1)
		gocv.Circle(&out, fi, r+1, green, 1)
		gocv.Line(&out, image.Pt(pi.X-r, pi.Y-r), image.Pt(pi.X+r, pi.Y+r), red, 1)
		gocv.Line(&out, image.Pt(pi.X-r, pi.Y+r), image.Pt(pi.X+r, pi.Y-r), red, 1)
		gocv.PutText(&out, a.Name, image.Pt(fi.X+r+2, fi.Y-r), gocv.FontHersheySimplex, fontScale, green, 1)
	}
	return out, res, nil
}

func pt(p face68.Point) image.Point { return image.Pt(int(math.Round(p.X)), int(math.Round(p.Y))) }

// mapUV is where template pixel u lands on the face: its position in the mesh triangle that
// contains it in template space, interpolated between the triangle's posed vertices.
func (pm *posedMesh) mapUV(u face68.Point) (face68.Point, bool) {
	m := pm.mesh
	for _, tr := range m.tris {
		a, b, c := m.uv[tr[0]], m.uv[tr[1]], m.uv[tr[2]]
		d := cross(b.X-a.X, b.Y-a.Y, c.X-a.X, c.Y-a.Y)
		if d == 0 {
			continue
		}
		l1 := cross(u.X-a.X, u.Y-a.Y, c.X-a.X, c.Y-a.Y) / d
		l2 := cross(b.X-a.X, b.Y-a.Y, u.X-a.X, u.Y-a.Y) / d
		if l1 < -1e-9 || l2 < -1e-9 || l1+l2 > 1+1e-9 {
			continue
		}
		p, q, r := pm.img[tr[0]], pm.img[tr[1]], pm.img[tr[2]]
		l0 := 1 - l1 - l2
		return face68.Point{X: l0*p.X + l1*q.X + l2*r.X, Y: l0*p.Y + l1*q.Y + l2*r.Y}, true
	}
	return face68.Point{}, false
}
