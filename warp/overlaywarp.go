package warp

import (
	"fmt"
	"image"
	"math"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/imageio"
)

// warpPieces warps the level into an roi-sized premultiplied BGRA Mat. For
// piecewise placements each half is warped only over its own bounding box
// (about half the pixels of warping both over the whole roi) and the halves
// are cross-faded over a narrow band around the image-space seam: both exact
// fits map the seam onto the same line, but may parametrise it differently
// by up to about 1% of its length, which a hard switch would show as a step
// in pleats or patterns crossing the seam.
func warpPieces(lv *level, pl placement, roi image.Rectangle) (gocv.Mat, error) {
	fromLevel, ok := lv.toLevel().Inverse()
	if !ok {
		return gocv.Mat{}, fmt.Errorf("level transform is singular")
	}
	if len(pl.pieces) == 1 {
		m := Translate(-float64(roi.Min.X), -float64(roi.Min.Y)).Mul(pl.pieces[0].H).Mul(fromLevel)
		return warpOne(lv.mat, m, roi.Size())
	}
	sx, sy := pl.seamB.X-pl.seamA.X, pl.seamB.Y-pl.seamA.Y
	seamLen := math.Hypot(sx, sy)
	band := math.Max(1, seamBlend*seamLen)
	var box [2]image.Rectangle
	var data [2][]uint8
	var half [2]gocv.Mat
	defer func() {
		for i := range half {
			if data[i] != nil {
				half[i].Close()
			}
		}
	}()
	for i, p := range pl.pieces {
		box[i] = pieceBounds(p, roi, int(math.Ceil(band)))
		if box[i].Empty() {
			continue
		}
		m := Translate(-float64(box[i].Min.X), -float64(box[i].Min.Y)).Mul(p.H).Mul(fromLevel)
		h, err := warpOne(lv.mat, m, box[i].Size())
		if err != nil {
			return gocv.Mat{}, err
		}
		half[i] = h
		if data[i], err = h.DataPtrUint8(); err != nil {
			h.Close()
			data[i] = nil
			return gocv.Mat{}, fmt.Errorf("warped half: %w", err)
		}
	}
	out := gocv.NewMatWithSizeFromScalar(gocv.Scalar{}, roi.Dy(), roi.Dx(), gocv.MatTypeCV8UC4)
	a, err := out.DataPtrUint8()
	if err != nil {
		out.Close()
		return gocv.Mat{}, fmt.Errorf("warped overlay: %w", err)
	}
	rw := roi.Dx()
	u := box[0].Union(box[1])
	// sample returns the 4 bytes of half i at (x, y), or nil outside its box
	sample := func(i, x, y int) []uint8 {
		if data[i] == nil || !image.Pt(x, y).In(box[i]) {
			return nil
		}
		q := ((y-box[i].Min.Y)*box[i].Dx() + x - box[i].Min.X) * 4
		return data[i][q : q+4]
	}
	for y := u.Min.Y; y < u.Max.Y; y++ {
		for x := u.Min.X; x < u.Max.X; x++ {
			// signed distance to the seam, positive on the left half's side
			d := pl.leftSign * cross(sx, sy, float64(x)-pl.seamA.X, float64(y)-pl.seamA.Y) / seamLen
			o := ((y-roi.Min.Y)*rw + x - roi.Min.X) * 4
			switch {
			case d >= band:
				if p := sample(0, x, y); p != nil {
					copy(a[o:o+4], p)
				}
			case d <= -band:
				if p := sample(1, x, y); p != nil {
					copy(a[o:o+4], p)
				}
			default:
				wl := 0.5 + 0.5*d/band
				l, r := sample(0, x, y), sample(1, x, y)
				for c := 0; c < 4; c++ {
					v := 0.0
					if l != nil {
						v += wl * float64(l[c])
					}
					if r != nil {
						v += (1 - wl) * float64(r[c])
					}
					a[o+c] = uint8(v + 0.5)
				}
			}
		}
	}
	return out, nil
}

// seamBlend is the half-width of the cross-fade band around a piecewise
// seam, as a fraction of the seam's length (at least one pixel).
const seamBlend = 0.02

// pieceBounds is the image rectangle a piece's template domain maps into
// (one pixel of slack for bilinear support, plus grow), clipped to roi.
func pieceBounds(p piece, roi image.Rectangle, grow int) image.Rectangle {
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for _, v := range p.domain {
		q := p.H.Apply(v)
		minX, maxX = math.Min(minX, q.X), math.Max(maxX, q.X)
		minY, maxY = math.Min(minY, q.Y), math.Max(maxY, q.Y)
	}
	r := image.Rect(int(math.Floor(minX))-1-grow, int(math.Floor(minY))-1-grow,
		int(math.Ceil(maxX))+2+grow, int(math.Ceil(maxY))+2+grow)
	return r.Intersect(roi)
}

// warpOne warps src by m into a new size-sized Mat with bilinear sampling,
// transparent outside the template.
func warpOne(src gocv.Mat, m Mat3, size image.Point) (gocv.Mat, error) {
	return imageio.Warp(src, m, size, gocv.InterpolationLinear, gocv.BorderConstant)
}
