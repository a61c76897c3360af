package warp

import (
	"sync"

	"github.com/occfer/occfer/face3d"
	"github.com/occfer/occfer/landmarks/face68"
)

// The nose is the one part of a face that stands in front of an overlay: on a head turned
// beyond about 60°, it hides the far lens of a pair of sunglasses. noseOccluder is the
// reference head's nose as a mesh (its ridge and the planes of its sides, not the rest of the
// face, whose eye sockets lie behind the lenses); posed on a face like an overlay, it is drawn
// into the depth buffer before the overlay (renderMesh). A mask needs none: its tent always
// lies over the nose.
var noseOccluder = sync.OnceValue(func() *overlayMesh {
	h := face3d.ReferenceHead
	const rows, cols = 10, 12
	x0, x1 := -0.35, 0.35
	y0, y1 := h.Nose[0].Y, h.Nose[len(h.Nose)-1].Y
	m := &overlayMesh{controls: controlsOf(singles(span(27, 35)...)...), sigma: maskSigma}
	for r := 0; r <= rows; r++ {
		y := y0 + (y1-y0)*float64(r)/rows
		for c := 0; c <= cols; c++ {
			x := x0 + (x1-x0)*float64(c)/cols
			m.pos = append(m.pos, face3d.Vec3{X: x, Y: y, Z: h.NoseDepth(x, y)})
			m.uv = append(m.uv, face68.Point{})
		}
	}
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			a, b := int32(r*(cols+1)+c), int32(r*(cols+1)+c+1)
			d, e := a+cols+1, b+cols+1
			m.tris = append(m.tris, [3]int32{a, b, d}, [3]int32{b, e, d})
		}
	}
	m.weigh()
	return m
})

// mesh returns t's overlay mesh for a face of scale pixels per inter-ocular distance, built
// on first use (safe for concurrent callers). Smaller faces get coarser grids, down to a
// third of the full grid's rows and columns (meshDetail): a triangle of a pixel or less costs
// more to set up than it draws.
func (t *Template) mesh(scale float64) (*overlayMesh, error) {
	k := meshDetail(scale) - 1
	t.meshOnce[k].Do(func() { t.meshV[k], t.meshErr[k] = buildMesh(t, k+1) })
	return t.meshV[k], t.meshErr[k]
}

// meshDetail is the grid coarseness (buildMesh's detail) for faces whose eye centres are
// scale pixels apart. At each level the rows lie at most about 0.3 inter-ocular distances
// (and the columns round the head 22°) apart, which bends a face-sized curve by under a
// pixel: 1 from 120 px, 2 from 60 px, 3 below (RAF-DB's aligned crops: about 35 px).
func meshDetail(scale float64) int {
	switch {
	case scale >= 120:
		return 1
	case scale >= 60:
		return 2
	}
	return 3
}
