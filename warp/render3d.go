package warp

import (
	"fmt"
	"image"
	"math"
	"sync"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/landmarks/face68"
)

// meshTarget is the roi-sized premultiplied BGRA overlay being drawn, with its depth buffer
// (nearest surface wins) and the triangle that owns each pixel (for the edge anti-aliasing).
type meshTarget struct {
	roi  image.Rectangle
	w, h int
	pix  []uint8
	z    []float32
	// owner is who drew each pixel: 0 nothing (its z is then meaningless), -1 the face (the
	// occluder), k+1 triangle k.
	owner []int32
}

// renderScratch holds renderMesh's working buffers; a pool recycles them, so drawing a stream
// of faces allocates none (they were a third of a dataset run's garbage).
type renderScratch struct {
	z     []float32
	owner []int32
	front []bool
	aff   []triAffine
}

var scratchPool = sync.Pool{New: func() any { return new(renderScratch) }}

// grow returns s resized to n, reallocated only when too small (contents undefined).
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// triAffine maps roi pixel coordinates to level pixel coordinates for one triangle.
type triAffine struct {
	a, b, c, d, e, f float64 // u = a·x + b·y + c, v = d·x + e·y + f
	data             []uint8 // the level's premultiplied BGRA pixels
	w, h             int     // the level's size
}

// renderMesh draws the posed mesh into a new roi-sized premultiplied BGRA Mat (transparent
// where nothing is drawn): each triangle that faces the camera is filled by sampling its
// template level bilinearly through the triangle's affine map, the nearest surface wins at
// each pixel, and triangles behind the face's nose (sunglasses on a turned head) are hidden.
// Edges where the surface turns away from the camera are anti-aliased by their exact
// coverage. Pixel (x, y) has its centre at (x, y).
func renderMesh(t *Template, pm *posedMesh, occ *posedMesh, roi image.Rectangle) (gocv.Mat, error) {
	out := gocv.NewMatWithSizeFromScalar(gocv.Scalar{}, roi.Dy(), roi.Dx(), gocv.MatTypeCV8UC4)
	pix, err := out.DataPtrUint8()
	if err != nil {
		out.Close()
		return gocv.Mat{}, fmt.Errorf("overlay buffer: %w", err)
	}
	sc := scratchPool.Get().(*renderScratch)
	defer scratchPool.Put(sc)
	n := roi.Dx() * roi.Dy()
	sc.z, sc.owner = grow(sc.z, n), grow(sc.owner, n)
	mt := &meshTarget{roi: roi, w: roi.Dx(), h: roi.Dy(), pix: pix, z: sc.z, owner: sc.owner}
	clear(mt.owner)
	if occ != nil {
		for i, tr := range occ.mesh.tris {
			if occ.area[i] > 0 {
				mt.fill(occ, tr, -1)
			}
		}
	}
	m := pm.mesh
	sc.front, sc.aff = grow(sc.front, len(m.tris)), grow(sc.aff, len(m.tris))
	front, aff := sc.front, sc.aff
	clear(front)
	var levels [maxLevel + 1]*level
	for i, tr := range m.tris {
		if !m.opaque[i] || pm.area[i] <= 0 {
			continue
		}
		a, ok := pm.affine(tr)
		if !ok {
			continue
		}
		k := levelIndex(a.scale)
		if levels[k] == nil {
			lv, err := t.levelFor(math.Pow(2, -float64(k)/2))
			if err != nil {
				out.Close()
				return gocv.Mat{}, err
			}
			levels[k] = lv
		}
		front[i] = true
		aff[i] = a.toLevel(levels[k], roi)
		mt.fill(pm, tr, int32(i)+1)
	}
	// Sample each pixel once, from the triangle that won it (a surface hidden behind another
	// costs no samples).
	for y := 0; y < mt.h; y++ {
		row := y * mt.w
		prev := int32(-1)
		var u, v float64
		for x := 0; x < mt.w; x++ {
			o := mt.owner[row+x] - 1
			if o < 0 {
				prev = -1
				continue
			}
			af := &aff[o]
			if o == prev { // along a run of one triangle the map advances by a constant step
				u, v = u+af.a, v+af.d
			} else {
				u, v, prev = af.a*float64(x)+af.b*float64(y)+af.c, af.d*float64(x)+af.e*float64(y)+af.f, o
			}
			af.sampleAt(u, v, float64(x), float64(y), mt.pix[4*(row+x):4*(row+x)+4])
		}
	}
	// anti-alias the outline where the surface turns away (or a front triangle borders one
	// that faces away)
	for i, tr := range m.tris {
		if !front[i] {
			continue
		}
		for e := 0; e < 3; e++ {
			if n := m.adj[i][e]; n >= 0 && !front[n] && pm.area[n] <= 0 {
				depth := (pm.depth[tr[e]] + pm.depth[tr[(e+1)%3]]) / 2
				mt.smoothEdge(pm.img[tr[e]], pm.img[tr[(e+1)%3]], depth, int32(i)+1, &aff[i])
			}
		}
	}
	return out, nil
}

// texAffine is a triangle's map from image pixels to template pixels and its magnification.
type texAffine struct {
	m     [6]float64 // u = m0·x + m1·y + m2, v = m3·x + m4·y + m5
	scale float64    // image pixels per template pixel (square root of the area ratio)
}

// affine solves the image-to-template affine map of triangle tr from its three vertices.
func (pm *posedMesh) affine(tr [3]int32) (texAffine, bool) {
	p0, p1, p2 := pm.img[tr[0]], pm.img[tr[1]], pm.img[tr[2]]
	u0, u1, u2 := pm.mesh.uv[tr[0]], pm.mesh.uv[tr[1]], pm.mesh.uv[tr[2]]
	det := cross(p1.X-p0.X, p1.Y-p0.Y, p2.X-p0.X, p2.Y-p0.Y)
	udet := cross(u1.X-u0.X, u1.Y-u0.Y, u2.X-u0.X, u2.Y-u0.Y)
	if math.Abs(det) < 1e-12 || math.Abs(udet) < 1e-12 {
		return texAffine{}, false
	}
	// [u] = A·[x − x0] with A = U·P⁻¹, U = [u1−u0 u2−u0], P = [p1−p0 p2−p0]
	inv := [4]float64{(p2.Y - p0.Y) / det, -(p2.X - p0.X) / det, -(p1.Y - p0.Y) / det, (p1.X - p0.X) / det}
	ux := [2]float64{u1.X - u0.X, u2.X - u0.X}
	uy := [2]float64{u1.Y - u0.Y, u2.Y - u0.Y}
	a := ux[0]*inv[0] + ux[1]*inv[2]
	b := ux[0]*inv[1] + ux[1]*inv[3]
	d := uy[0]*inv[0] + uy[1]*inv[2]
	e := uy[0]*inv[1] + uy[1]*inv[3]
	return texAffine{
		m:     [6]float64{a, b, u0.X - a*p0.X - b*p0.Y, d, e, u0.Y - d*p0.X - e*p0.Y},
		scale: math.Sqrt(math.Abs(det / udet)),
	}, true
}

// toLevel composes the map with the level's scaling and shifts it to roi coordinates.
func (a texAffine) toLevel(lv *level, roi image.Rectangle) triAffine {
	ox, oy := float64(roi.Min.X), float64(roi.Min.Y)
	sx, tx := lv.fx, 0.5*lv.fx-0.5
	sy, ty := lv.fy, 0.5*lv.fy-0.5
	m := a.m
	// template (u, v) at image (x+ox, y+oy), then level = s·u + t
	return triAffine{
		a: sx * m[0], b: sx * m[1], c: sx*(m[0]*ox+m[1]*oy+m[2]) + tx,
		d: sy * m[3], e: sy * m[4], f: sy*(m[3]*ox+m[4]*oy+m[5]) + ty,
		data: lv.data, w: lv.w, h: lv.h,
	}
}

// levelIndex is the cache level levelFor uses for magnification s: ⌊−2·log₂ s⌋ clamped to
// 0..maxLevel, without a logarithm (it runs per triangle).
func levelIndex(s float64) int {
	if !(s > 0 && s < 1) {
		return 0
	}
	k := 0
	for s2 := s * s; s2 < 0.5 && k < maxLevel; s2 *= 2 {
		k++ // s² < 2^−k: at least level k+1
	}
	return k
}

// fill rasterises triangle tr of pm into the depth buffer: it takes the pixel centres inside
// it where it is nearer than what is there, and records id as their owner. Each row is one
// span, bounded from the three edges; depth advances by a constant step.
func (mt *meshTarget) fill(pm *posedMesh, tr [3]int32, id int32) {
	ox, oy := float64(mt.roi.Min.X), float64(mt.roi.Min.Y)
	var p [3]face68.Point
	var z [3]float64
	for i := range p {
		q := pm.img[tr[i]]
		p[i] = face68.Point{X: q.X - ox, Y: q.Y - oy}
		z[i] = pm.depth[tr[i]]
	}
	area := cross(p[1].X-p[0].X, p[1].Y-p[0].Y, p[2].X-p[0].X, p[2].Y-p[0].Y)
	if area <= 0 {
		return
	}
	minY, maxY := min(p[0].Y, p[1].Y, p[2].Y), max(p[0].Y, p[1].Y, p[2].Y)
	y0, y1 := max(0, int(math.Ceil(minY))), min(mt.h-1, int(math.Floor(maxY)))
	minX, maxX := min(p[0].X, p[1].X, p[2].X), max(p[0].X, p[1].X, p[2].X)
	bx0, bx1 := max(0, int(math.Ceil(minX))), min(mt.w-1, int(math.Floor(maxX)))
	if y0 > y1 || bx0 > bx1 {
		return
	}
	// Edge e runs from p[e] to p[e+1]; its edge function E_e = ex·x + ey·y + ec =
	// cross(b−a, q−a) is ≥ 0 inside.
	var ex, ey, ec [3]float64
	for e := 0; e < 3; e++ {
		a, b := p[e], p[(e+1)%3]
		ex[e], ey[e] = -(b.Y - a.Y), b.X-a.X
		ec[e] = -(ex[e]*a.X + ey[e]*a.Y)
	}
	// depth = (E1·z0 + E2·z1 + E0·z2)/area, linear in x and y
	inv := 1 / area
	dzx := (ex[1]*z[0] + ex[2]*z[1] + ex[0]*z[2]) * inv
	dzy := (ey[1]*z[0] + ey[2]*z[1] + ey[0]*z[2]) * inv
	dz0 := (ec[1]*z[0] + ec[2]*z[1] + ec[0]*z[2]) * inv
	for y := y0; y <= y1; y++ {
		fy := float64(y)
		// The span where every edge function is ≥ 0. A pixel centre on an edge shared by two
		// triangles goes to both (within 1e-9: their edge functions are computed from the
		// vertices in opposite order and may differ by rounding), never to neither, so the
		// mesh has no cracks; the depth test settles the double claim.
		lo, hi := float64(bx0), float64(bx1)
		for e := 0; e < 3; e++ {
			c := ey[e]*fy + ec[e]
			switch {
			case ex[e] > 0:
				lo = max(lo, math.Ceil(-c/ex[e]-1e-9))
			case ex[e] < 0:
				hi = min(hi, math.Floor(-c/ex[e]+1e-9))
			case c < -1e-9:
				lo = hi + 1 // a horizontal edge with the row outside
			}
		}
		xa, xb := int(lo), int(hi)
		row := y * mt.w
		depth := dz0 + dzy*fy + dzx*float64(xa)
		for x := xa; x <= xb; x, depth = x+1, depth+dzx {
			i := row + x
			d := float32(depth)
			if mt.owner[i] != 0 && d <= mt.z[i] {
				continue
			}
			mt.z[i] = d
			mt.owner[i] = id
		}
	}
}

// sampleAt writes the level's bilinear sample at level coordinates (u, v) (those of roi pixel
// (x, y)) at full coverage into dst, in 8-bit fixed point (weights in 1/256, exact to half a
// level): the per-pixel path of renderMesh. Taps outside the level take sample's checked path.
func (af *triAffine) sampleAt(u, v, x, y float64, dst []uint8) {
	if !(u >= 0 && v >= 0) {
		af.sample(x, y, dst, 1)
		return
	}
	iu, iv := int(u), int(v) // u, v ≥ 0: truncation is the floor
	if iu+1 >= af.w || iv+1 >= af.h {
		af.sample(x, y, dst, 1)
		return
	}
	fu := uint32((u-float64(iu))*256 + 0.5)
	fv := uint32((v-float64(iv))*256 + 0.5)
	w00, w01 := (256-fu)*(256-fv), fu*(256-fv)
	w10, w11 := (256-fu)*fv, fu*fv
	o := (iv*af.w + iu) * 4
	p := af.data[o : o+8 : o+8]
	q := af.data[o+4*af.w : o+4*af.w+8 : o+4*af.w+8]
	_ = dst[3]
	dst[0] = uint8((w00*uint32(p[0]) + w01*uint32(p[4]) + w10*uint32(q[0]) + w11*uint32(q[4]) + 32768) >> 16)
	dst[1] = uint8((w00*uint32(p[1]) + w01*uint32(p[5]) + w10*uint32(q[1]) + w11*uint32(q[5]) + 32768) >> 16)
	dst[2] = uint8((w00*uint32(p[2]) + w01*uint32(p[6]) + w10*uint32(q[2]) + w11*uint32(q[6]) + 32768) >> 16)
	dst[3] = uint8((w00*uint32(p[3]) + w01*uint32(p[7]) + w10*uint32(q[3]) + w11*uint32(q[7]) + 32768) >> 16)
}

// sample writes the level's bilinear sample at roi pixel (x, y), times coverage c, into dst
// (premultiplied BGRA; outside the level is transparent).
func (af *triAffine) sample(x, y float64, dst []uint8, c float64) {
	u := af.a*x + af.b*y + af.c
	v := af.d*x + af.e*y + af.f
	fu, fv := math.Floor(u), math.Floor(v)
	iu, iv := int(fu), int(fv)
	du, dv := u-fu, v-fv
	w, h := af.w, af.h
	if iu >= 0 && iv >= 0 && iu+1 < w && iv+1 < h {
		// all four taps inside: the common case, without per-tap checks
		o := (iv*w + iu) * 4
		p, q := af.data[o:o+8:o+8], af.data[o+4*w:o+4*w+8:o+4*w+8]
		w00, w01 := (1-du)*(1-dv)*c, du*(1-dv)*c
		w10, w11 := (1-du)*dv*c, du*dv*c
		for ch := 0; ch < 4; ch++ {
			dst[ch] = uint8(w00*float64(p[ch]) + w01*float64(p[4+ch]) + w10*float64(q[ch]) + w11*float64(q[4+ch]) + 0.5)
		}
		return
	}
	var acc [4]float64
	for j := 0; j < 2; j++ {
		yy := iv + j
		if yy < 0 || yy >= h {
			continue
		}
		wy := dv
		if j == 0 {
			wy = 1 - dv
		}
		for i := 0; i < 2; i++ {
			xx := iu + i
			if xx < 0 || xx >= w {
				continue
			}
			wx := du
			if i == 0 {
				wx = 1 - du
			}
			k := wx * wy
			o := (yy*w + xx) * 4
			acc[0] += k * float64(af.data[o])
			acc[1] += k * float64(af.data[o+1])
			acc[2] += k * float64(af.data[o+2])
			acc[3] += k * float64(af.data[o+3])
		}
	}
	for ch := 0; ch < 4; ch++ {
		dst[ch] = uint8(acc[ch]*c + 0.5)
	}
}

// smoothEdge anti-aliases the edge a→b of triangle id, beyond which the surface faces away:
// pixels outside it within half a pixel get the triangle's texture at coverage 0.5 − d (d:
// distance from the edge) over whatever farther part of the overlay is there; pixels inside
// within half a pixel keep 0.5 + d of their coverage where nothing of the overlay lies behind
// the edge (on the overlay's outline, not where one part of it hides another).
func (mt *meshTarget) smoothEdge(a, b face68.Point, depth float64, id int32, af *triAffine) {
	ox, oy := float64(mt.roi.Min.X), float64(mt.roi.Min.Y)
	a, b = face68.Point{X: a.X - ox, Y: a.Y - oy}, face68.Point{X: b.X - ox, Y: b.Y - oy}
	l := math.Hypot(b.X-a.X, b.Y-a.Y)
	if l < 1e-9 {
		return
	}
	ux, uy := (b.X-a.X)/l, (b.Y-a.Y)/l
	nx, ny := -uy, ux // toward the inside (a triangle of positive signed area)
	x0 := max(0, int(math.Floor(math.Min(a.X, b.X)-1)))
	x1 := min(mt.w-1, int(math.Ceil(math.Max(a.X, b.X)+1)))
	y0 := max(0, int(math.Floor(math.Min(a.Y, b.Y)-1)))
	y1 := min(mt.h-1, int(math.Ceil(math.Max(a.Y, b.Y)+1)))
	var tmp [4]uint8
	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			qx, qy := float64(x)-a.X, float64(y)-a.Y
			along := qx*ux + qy*uy
			if along < 0 || along > l {
				continue
			}
			d := qx*nx + qy*ny
			if d >= 0.5 || d <= -0.5 {
				continue
			}
			i := y*mt.w + x
			px := mt.pix[4*i : 4*i+4]
			if d >= 0 {
				// the pixel across the edge: is the overlay there (behind this edge)?
				mx, my := int(math.Round(float64(x)-(2*d+1)*nx)), int(math.Round(float64(y)-(2*d+1)*ny))
				behind := mx >= 0 && my >= 0 && mx < mt.w && my < mt.h && mt.owner[my*mt.w+mx] > 0 && mt.owner[my*mt.w+mx] != id
				if mt.owner[i] == id && !behind {
					k := 0.5 + d
					for ch := range px {
						px[ch] = uint8(float64(px[ch])*k + 0.5)
					}
				}
				continue
			}
			if mt.owner[i] == id || mt.owner[i] == -1 || mt.owner[i] > 0 && float64(mt.z[i]) > depth {
				continue // drawn by this triangle already, or something nearer is there
			}
			c := 0.5 + d
			af.sample(float64(x), float64(y), tmp[:], 1)
			ta := float64(tmp[3]) / 255
			for ch := range px {
				px[ch] = uint8(float64(tmp[ch])*c + float64(px[ch])*(1-c*ta) + 0.5)
			}
		}
	}
}
