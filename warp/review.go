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
// (no realism steps) and, for each anchor, its face point (green circle), its
// fitted position (red cross) and the residual between them, labelled with
// the anchor name. It backs `occlude templates check`, where a person judges
// a new template by eye; the residuals are returned for a printed summary.
func RenderAnchors(img gocv.Mat, face face68.Shape, t *Template) (gocv.Mat, []AnchorResidual, error) {
	if t == nil {
		return gocv.Mat{}, nil, fmt.Errorf("render anchors: nil template")
	}
	out := img.Clone()
	if _, err := Apply(out, face, t, Options{Feather: 0.5}, nil); err != nil {
		out.Close()
		return gocv.Mat{}, nil, fmt.Errorf("render anchors: %w", err)
	}
	pl, err := t.placeOn(&face)
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
		p := pl.mapAnchor(a)
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
