package warp

import (
	"math"
	"testing"

	"github.com/occfer/occfer/landmarks/face68"
)

// alphaEdgeWidth measures the edge width of a warped overlay from its alpha
// channel (BGRA, alpha at offset 3).
func alphaEdgeWidth(bgra []uint8, w, h int) float64 {
	var eg, el float64
	n := 0
	for y := 1; y < h-1; y++ {
		for x := 1; x < w-1; x++ {
			o := (y*w + x) * 4
			c := int32(bgra[o+3])
			l, r := int32(bgra[o-4+3]), int32(bgra[o+4+3])
			u, d := int32(bgra[o-4*w+3]), int32(bgra[o+4*w+3])
			if l == c && r == c && u == c && d == c {
				continue
			}
			gx, gy := float64(r-c), float64(d-c)
			lap := float64(l + r + u + d - 4*c)
			eg += gx*gx + gy*gy
			el += lap * lap
			n++
		}
	}
	return edgeWidth(eg, el, n)
}

// TestOverlayEdgeWidth backs overlayEdgeWidth: a template drawn (no blur) on faces of 40 to
// 300 px has an alpha outline of edge width ≈ 0.5 px, and a magnified one about 0.5·s.
func TestOverlayEdgeWidth(t *testing.T) {
	lm := astronautLandmarks(t)
	tpl := templateByName(t, "mask_surgical_blue")
	for _, k := range []float64{0.45, 1, 2, 3.3, 12} {
		var face face68.Shape
		for i, p := range lm {
			face[i] = face68.Point{X: (p.X-220)*k + 1500, Y: (p.Y-130)*k + 1500}
		}
		pm, _, err := tpl.pose(&face)
		if err != nil {
			t.Fatal(err)
		}
		s := pm.scale()
		roi, _ := pm.imageBounds(3000, 3000, 2)
		ov, err := renderMesh(tpl, pm, nil, roi)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := ov.DataPtrUint8()
		got := alphaEdgeWidth(b, roi.Dx(), roi.Dy())
		ov.Close()
		want := overlayEdgeWidth(s)
		t.Logf("face ×%.2f: magnification %.3f, edge width %.3f (model %.3f)", k, s, got, want)
		if math.Abs(got-want) > 0.2*want+0.1 {
			t.Errorf("face ×%.2f (magnification %.3f): edge width %.3f, model %.3f", k, s, got, want)
		}
	}
}
