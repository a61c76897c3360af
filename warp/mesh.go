package warp

import (
	"fmt"
	"image"
	"math"

	"github.com/occfer/occfer/face3d"
	"github.com/occfer/occfer/landmarks/face68"
)

// overlayMesh is a template draped over its 3-D surface: a grid of vertices, each with its
// template pixel and head-frame position, triangulated, with the landmarks whose residuals
// move each vertex on a particular face (see place3d.go). It depends only on the template and
// the reference head, so it is built once per template.
type overlayMesh struct {
	uv   []face68.Point // template pixel of each vertex
	pos  []face3d.Vec3  // head-frame position of each vertex
	tris [][3]int32     // positive signed area (clockwise on screen, y down) when seen from the front
	// uvArea is twice each triangle's area in template pixels.
	uvArea []float64
	// opaque: the triangle covers template pixels with alpha > 0. The others are skipped:
	// drawn they would be transparent, and would still cost their pixels.
	opaque []bool
	// adj[t][e] is the triangle across edge e (vertices e, e+1 mod 3) of triangle t, or -1.
	adj [][3]int32
	// ctrl: for each vertex, the controls that move it (index into controls, unnormalised
	// kernel weight).
	ctrl     [][]ctrlWeight
	controls []control
	sigma    float64 // width of the control kernel (head units)
	jaw      bool    // the jaw landmarks 0-16 are controls too (when on the outline)
	occluder bool    // the face's nose can hide parts of it (sunglasses)
}

// control is a group of landmarks whose mean residual moves the overlay around the group's
// mean reference position, over a Gaussian kernel of width sigma (0: the mesh's).
type control struct {
	idx   []int
	at    face3d.Vec3
	sigma float64
}

func controlsOf(groups ...[]int) []control {
	cs := make([]control, len(groups))
	for i, g := range groups {
		var c face3d.Vec3
		for _, l := range g {
			r := face3d.Reference[l]
			c = face3d.Vec3{X: c.X + r.X, Y: c.Y + r.Y, Z: c.Z + r.Z}
		}
		n := float64(len(g))
		cs[i] = control{idx: g, at: face3d.Vec3{X: c.X / n, Y: c.Y / n, Z: c.Z / n}}
	}
	return cs
}

func singles(idx ...int) [][]int {
	g := make([][]int, len(idx))
	for i, l := range idx {
		g[i] = []int{l}
	}
	return g
}

// ctrlWeight is one control's kernel weight at a vertex.
type ctrlWeight struct {
	k int32
	w float32
}

// ctrlCutoff drops, at each vertex, the controls whose weight is below this fraction of the
// largest one. Controls are weighted by a Gaussian kernel of the 3-D distance (head units): a
// control moves the overlay around it by its full residual and fades over the kernel's width.
// Every control within reach counts, normalised, so the displacement field is smooth: a fixed
// number of nearest controls would switch abruptly between neighbouring vertices and fold the
// overlay where many controls crowd (the jaw).
const ctrlCutoff = 1e-2

// Landmark controls of each overlay kind: the landmarks (or groups, by their mean) whose
// residual (landmark minus the fitted reference) is spread over the overlay. A mask is fabric
// that follows the nose, each lip point, the lower lids and the jaw points on the visible
// outline, over half an inter-ocular distance; sunglasses are rigid, so each lens follows its
// eye's centre and the bridge the nose bridge, over a wide kernel that moves the frame
// without bending it.
var (
	maskControls    = controlsOf(singles(append(append(span(27, 35), span(48, 59)...), 40, 41, 46, 47)...)...)
	glassesControls = controlsOf(span(36, 41), span(42, 47), []int{27, 28})
	maskSigma       = 0.25
	glassesSigma    = 0.6
	// jawSigma is the wider kernel of the jaw points: a face wider or narrower than the
	// reference moves the whole side of a mask, not a strip along the jaw (which would fold
	// the mask's edge over its neighbours).
	jawSigma = 0.5
)

func span(a, b int) []int {
	var s []int
	for i := a; i <= b; i++ {
		s = append(s, i)
	}
	return s
}

// refPixels is the reference face in pixels at refScale pixels per head unit, where the
// template anchors are fitted (the template's frontal placement): head (x, y) ↦ refScale·(x,
// y) + refOrigin.
const refScale = 200.0

var refOrigin = face68.Point{X: 500, Y: 400}

func refPixels() face68.Shape {
	var s face68.Shape
	for i, v := range face3d.Reference {
		s[i] = face68.Point{X: refScale*v.X + refOrigin.X, Y: refScale*v.Y + refOrigin.Y}
	}
	return s
}

// buildMesh drapes template t over its kind's surface. Its grid is laid out in frontal head
// coordinates over the template's visible pixels: for masks, columns are spaced evenly in the
// angle around the head (x = W·sin α), which puts many of them near the silhouette where a
// turned face shows the outline, plus a few over the flare beyond it; for sunglasses evenly in
// x over the front, plus a few over the temples. Each vertex's template pixel comes from the
// inverse of the template's anchor fit on the reference face.
//
// detail divides the grid's rows and columns: 1 for the full grid (about 1,200 triangles for
// a mask), 2 or 3 for smaller faces (see meshDetail).
func buildMesh(t *Template, detail int) (*overlayMesh, error) {
	ref := refPixels()
	pl, err := t.placeOn(&ref)
	if err != nil {
		return nil, fmt.Errorf("fit to the reference face: %w", err)
	}
	inv := make([]Mat3, len(pl.pieces))
	for i, p := range pl.pieces {
		var ok bool
		if inv[i], ok = p.H.Inverse(); !ok {
			return nil, fmt.Errorf("fit to the reference face: singular transform")
		}
	}
	toHead := func(p face68.Point) face68.Point {
		return face68.Point{X: (p.X - refOrigin.X) / refScale, Y: (p.Y - refOrigin.Y) / refScale}
	}
	toUV := func(x, y float64) face68.Point {
		p := face68.Point{X: refScale*x + refOrigin.X, Y: refScale*y + refOrigin.Y}
		k := 0
		if len(pl.pieces) == 2 {
			k = pl.imageSide(p.X, p.Y)
		}
		return inv[k].Apply(p)
	}
	vis, ok := visibleBounds(t.Image)
	if !ok {
		return nil, fmt.Errorf("template image is fully transparent")
	}
	// footprint of the visible pixels in head coordinates
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, u := range rectOutline(vis, 16) {
		k := 0
		if len(pl.pieces) == 2 {
			k = t.templateSide(pl, u)
		}
		p := toHead(pl.pieces[k].H.Apply(u))
		x0, x1 = math.Min(x0, p.X), math.Max(x1, p.X)
		y0, y1 = math.Min(y0, p.Y), math.Max(y1, p.Y)
	}
	m := &overlayMesh{}
	var rowsN int
	var cols func(y float64) []float64
	var lift func(x, y float64) face3d.Vec3
	head := face3d.ReferenceHead
	switch t.Kind {
	case KindMask:
		rowsN, m.controls, m.sigma, m.jaw = 20/detail, maskControls, maskSigma, true
		lift = func(x, y float64) face3d.Vec3 { return maskSurface(head, x, y) }
		cols = func(y float64) []float64 {
			// Near and below the chin the head's width falls to 0. There the columns keep a
			// minimum spread and are spaced evenly in x (the silhouette they would crowd is
			// the chin's underside, not a side): a grid that collapsed into slivers would fold
			// and cut the template's lower edge into steps.
			w := head.Width(y)
			wm := math.Max(w, minMaskColumns)
			lam := math.Max(0, math.Min(1, (w-0.3)/0.4))
			return splitColumns(wm, x0, x1, 24/detail, 3, func(w, u float64) float64 {
				return w * (lam*math.Sin(u*math.Pi/2) + (1-lam)*u)
			})
		}
	case KindSunglasses:
		rowsN, m.controls, m.sigma, m.occluder = 8, glassesControls, glassesSigma, true
		if detail > 1 {
			rowsN = 6
		}
		if detail > 2 {
			rowsN = 5
		}
		lift = func(x, y float64) face3d.Vec3 { return glassesSurface(head, x, y) }
		cols = func(float64) []float64 {
			return splitColumns(glassesHinge, x0, x1, 20/detail, 3, func(w, u float64) float64 { return w * u })
		}
	default:
		return nil, fmt.Errorf("no 3-D surface for kind %q", t.Kind)
	}
	var nc int
	for r := 0; r <= rowsN; r++ {
		y := y0 + (y1-y0)*float64(r)/float64(rowsN)
		xs := cols(y)
		nc = len(xs)
		for _, x := range xs {
			m.pos = append(m.pos, lift(x, y))
			m.uv = append(m.uv, toUV(x, y))
		}
	}
	m.triangulate(rowsN+1, nc, vis)
	m.markOpaque(t.Image)
	m.weigh()
	return m, nil
}

// minMaskColumns is the least half-width (head units) over which a mask grid row spreads its
// angle-spaced columns.
const minMaskColumns = 0.5

// splitColumns returns the x of a grid row: n intervals across [−w, w] placed by at(w, u)
// for u in [−1, 1], then k intervals on each side out to the footprint [x0, x1] (collapsing
// onto ±w where the footprint does not reach beyond it).
func splitColumns(w, x0, x1 float64, n, k int, at func(w, u float64) float64) []float64 {
	xs := make([]float64, 0, n+1+2*k)
	left := math.Min(-w, x0)
	for i := k; i >= 1; i-- {
		xs = append(xs, -w+(left+w)*float64(i)/float64(k))
	}
	for i := 0; i <= n; i++ {
		xs = append(xs, at(w, -1+2*float64(i)/float64(n)))
	}
	right := math.Max(w, x1)
	for i := 1; i <= k; i++ {
		xs = append(xs, w+(right-w)*float64(i)/float64(k))
	}
	return xs
}

// triangulate splits each grid cell into two triangles, keeping those with frontal area whose
// template pixels reach the visible part of the template, and links neighbours.
func (m *overlayMesh) triangulate(rows, cols int, vis image.Rectangle) {
	idx := func(r, c int) int32 { return int32(r*cols + c) }
	vr := image.Rect(vis.Min.X-1, vis.Min.Y-1, vis.Max.X+1, vis.Max.Y+1)
	keep := func(a, b, c int32) bool {
		pa, pb, pc := m.pos[a], m.pos[b], m.pos[c]
		if cross(pb.X-pa.X, pb.Y-pa.Y, pc.X-pa.X, pc.Y-pa.Y) < 1e-9 {
			return false // collapsed in the frontal view (columns meeting at the silhouette)
		}
		ua, ub, uc := m.uv[a], m.uv[b], m.uv[c]
		minX, maxX := math.Min(ua.X, math.Min(ub.X, uc.X)), math.Max(ua.X, math.Max(ub.X, uc.X))
		minY, maxY := math.Min(ua.Y, math.Min(ub.Y, uc.Y)), math.Max(ua.Y, math.Max(ub.Y, uc.Y))
		return maxX >= float64(vr.Min.X) && minX <= float64(vr.Max.X) && maxY >= float64(vr.Min.Y) && minY <= float64(vr.Max.Y)
	}
	for r := 0; r+1 < rows; r++ {
		for c := 0; c+1 < cols; c++ {
			a, b, d, e := idx(r, c), idx(r, c+1), idx(r+1, c), idx(r+1, c+1)
			if keep(a, b, d) {
				m.tris = append(m.tris, [3]int32{a, b, d})
			}
			if keep(b, e, d) {
				m.tris = append(m.tris, [3]int32{b, e, d})
			}
		}
	}
	m.uvArea = make([]float64, len(m.tris))
	for i, tr := range m.tris {
		m.uvArea[i] = math.Abs(signedArea(m.uv, tr))
	}
	type edge struct{ a, b int32 }
	owner := map[edge]int32{}
	m.adj = make([][3]int32, len(m.tris))
	for t, tr := range m.tris {
		for e := 0; e < 3; e++ {
			m.adj[t][e] = -1
			owner[edge{tr[e], tr[(e+1)%3]}] = int32(t)
		}
	}
	for t, tr := range m.tris {
		for e := 0; e < 3; e++ {
			if o, ok := owner[edge{tr[(e+1)%3], tr[e]}]; ok {
				m.adj[t][e] = o
			}
		}
	}
}

// markOpaque flags the triangles whose template pixels (their bounding box in template space,
// grown by a pixel for the bilinear footprint) include any with alpha > 0.
func (m *overlayMesh) markOpaque(img *image.NRGBA) {
	b := img.Bounds()
	m.opaque = make([]bool, len(m.tris))
	for i, tr := range m.tris {
		u0, u1, v0, v1 := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
		for _, k := range tr {
			u0, u1 = math.Min(u0, m.uv[k].X), math.Max(u1, m.uv[k].X)
			v0, v1 = math.Min(v0, m.uv[k].Y), math.Max(v1, m.uv[k].Y)
		}
		r := image.Rect(int(math.Floor(u0))-1, int(math.Floor(v0))-1, int(math.Ceil(u1))+2, int(math.Ceil(v1))+2).Intersect(b)
	scan:
		for y := r.Min.Y; y < r.Max.Y; y++ {
			row := img.Pix[(y-b.Min.Y)*img.Stride:]
			for x := r.Min.X; x < r.Max.X; x++ {
				if row[4*(x-b.Min.X)+3] != 0 {
					m.opaque[i] = true
					break scan
				}
			}
		}
	}
}

// weigh finds, for each vertex, the controls that move it and their kernel weights.
func (m *overlayMesh) weigh() {
	if m.jaw {
		jaw := controlsOf(singles(span(0, 16)...)...)
		for i := range jaw {
			jaw[i].sigma = jawSigma
		}
		m.controls = append(append([]control(nil), m.controls...), jaw...)
	}
	m.ctrl = make([][]ctrlWeight, len(m.pos))
	ws := make([]float64, len(m.controls))
	for v, p := range m.pos {
		best := 0.0
		for k, c := range m.controls {
			dx, dy, dz := p.X-c.at.X, p.Y-c.at.Y, p.Z-c.at.Z
			ws[k] = kernel(dx*dx+dy*dy+dz*dz, c.width(m.sigma))
			best = math.Max(best, ws[k])
		}
		for k, w := range ws {
			if w >= ctrlCutoff*best {
				// normalised by the vertex's largest weight: far from every control the
				// relative weights survive float32
				m.ctrl[v] = append(m.ctrl[v], ctrlWeight{int32(k), float32(w / best)})
			}
		}
	}
}

// width is the control's kernel width, def when it has none of its own.
func (c control) width(def float64) float64 {
	if c.sigma > 0 {
		return c.sigma
	}
	return def
}

// kernel is the Gaussian control weight at squared distance d2.
func kernel(d2, sigma float64) float64 { return math.Exp(-d2 / (2 * sigma * sigma)) }

// templateSide says which piece of a piecewise placement draws template point u (0 left).
func (t *Template) templateSide(pl placement, u face68.Point) int {
	var a, b face68.Point
	n := 0
	for _, an := range t.Anchors {
		if an.Side == "both" {
			if n == 0 {
				a = an.At
			} else {
				b = an.At
			}
			n++
		}
	}
	if cross(b.X-a.X, b.Y-a.Y, u.X-a.X, u.Y-a.Y)*pl.leftSign >= 0 {
		return 0
	}
	return 1
}

// visibleBounds is the bounding box of the pixels with non-zero alpha.
func visibleBounds(img *image.NRGBA) (image.Rectangle, bool) {
	b := img.Bounds()
	minX, minY, maxX, maxY := b.Max.X, b.Max.Y, b.Min.X-1, b.Min.Y-1
	for y := b.Min.Y; y < b.Max.Y; y++ {
		row := img.Pix[(y-b.Min.Y)*img.Stride:]
		for x := 0; x < b.Dx(); x++ {
			if row[4*x+3] != 0 {
				minX, maxX = min(minX, x+b.Min.X), max(maxX, x+b.Min.X)
				minY, maxY = min(minY, y), max(maxY, y)
			}
		}
	}
	if maxX < minX {
		return image.Rectangle{}, false
	}
	return image.Rect(minX, minY, maxX+1, maxY+1), true
}

// rectOutline samples n points along each side of r's pixel-centre rectangle.
func rectOutline(r image.Rectangle, n int) []face68.Point {
	x0, y0 := float64(r.Min.X)-0.5, float64(r.Min.Y)-0.5
	x1, y1 := float64(r.Max.X)-0.5, float64(r.Max.Y)-0.5
	var out []face68.Point
	for i := 0; i < n; i++ {
		t := float64(i) / float64(n)
		out = append(out, face68.Point{X: x0 + t*(x1-x0), Y: y0}, face68.Point{X: x1, Y: y0 + t*(y1-y0)},
			face68.Point{X: x1 - t*(x1-x0), Y: y1}, face68.Point{X: x0, Y: y1 - t*(y1-y0)})
	}
	return out
}
