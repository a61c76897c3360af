package occlusion

import (
	"fmt"
	"image"
	"math"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/warp"
)

// A small anti-aliased rasteriser for the procedural occluders. It is plain Go so that what
// is drawn depends only on the item's RNG (OpenCV's drawing would do too, but its RNG-backed
// helpers would not, and this keeps every occluder pixel-exact and easy to test).

// shape is a region in image coordinates.
type shape interface {
	inside(x, y float64) bool
}

// ellipse is rotated by angle (radians) about its centre.
type ellipse struct{ cx, cy, rx, ry, cos, sin float64 }

func newEllipse(cx, cy, rx, ry, angle float64) ellipse {
	return ellipse{cx, cy, rx, ry, math.Cos(angle), math.Sin(angle)}
}

func (e ellipse) inside(x, y float64) bool {
	dx, dy := x-e.cx, y-e.cy
	u := (dx*e.cos + dy*e.sin) / e.rx
	v := (-dx*e.sin + dy*e.cos) / e.ry
	return u*u+v*v <= 1
}

// ring is the band between two concentric ellipses (a cup handle).
type ring struct{ outer, inner ellipse }

func (r ring) inside(x, y float64) bool { return r.outer.inside(x, y) && !r.inner.inside(x, y) }

// capsule is a segment thickened by radius r (a finger, a hair strand piece).
type capsule struct{ ax, ay, bx, by, r float64 }

func (c capsule) inside(x, y float64) bool {
	dx, dy := c.bx-c.ax, c.by-c.ay
	l2 := dx*dx + dy*dy
	t := 0.0
	if l2 > 0 {
		t = math.Max(0, math.Min(1, ((x-c.ax)*dx+(y-c.ay)*dy)/l2))
	}
	px, py := c.ax+t*dx-x, c.ay+t*dy-y
	return px*px+py*py <= c.r*c.r
}

// rrect is a rounded rectangle with half sizes hw, hh and corner radius r, rotated by angle.
type rrect struct{ cx, cy, hw, hh, r, cos, sin float64 }

func newRRect(cx, cy, hw, hh, r, angle float64) rrect {
	return rrect{cx, cy, hw, hh, math.Min(r, math.Min(hw, hh)), math.Cos(angle), math.Sin(angle)}
}

func (q rrect) inside(x, y float64) bool {
	dx, dy := x-q.cx, y-q.cy
	u := math.Abs(dx*q.cos+dy*q.sin) - (q.hw - q.r)
	v := math.Abs(-dx*q.sin+dy*q.cos) - (q.hh - q.r)
	if u <= 0 || v <= 0 {
		return u <= q.r && v <= q.r
	}
	return u*u+v*v <= q.r*q.r
}

// union is inside when any part is.
type union []shape

func (s union) inside(x, y float64) bool {
	for _, p := range s {
		if p.inside(x, y) {
			return true
		}
	}
	return false
}

// rect is an axis-aligned half-open pixel rectangle.
type rect image.Rectangle

func (r rect) inside(x, y float64) bool {
	return x >= float64(r.Min.X) && x < float64(r.Max.X) && y >= float64(r.Min.Y) && y < float64(r.Max.Y)
}

// bgr is one colour in OpenCV's channel order.
type bgr [3]uint8

// layer paints fill over region; later layers of an occluder cover earlier ones.
type layer struct {
	region shape
	fill   func(x, y int) bgr
}

func solid(c bgr) func(x, y int) bgr { return func(int, int) bgr { return c } }

// canvas is an 8-bit BGR image (a view of a continuous gocv.Mat's bytes, so painting edits
// the Mat in place) and its occlusion mask.
type canvas struct {
	pix  []uint8 // BGR, stride 3*w
	occ  warp.Mask
	w, h int
}

func newCanvas(img gocv.Mat) (*canvas, error) {
	if img.Type() != gocv.MatTypeCV8UC3 || !img.IsContinuous() {
		return nil, fmt.Errorf("internal: want a continuous 8-bit BGR image, got type %v", img.Type())
	}
	pix, err := img.DataPtrUint8()
	if err != nil {
		return nil, err
	}
	w, h := img.Cols(), img.Rows()
	return &canvas{pix: pix, occ: warp.NewMask(w, h), w: w, h: h}, nil
}

// mask is the binary occlusion mask drawn so far.
func (c *canvas) mask() warp.Mask { return c.occ }

// samples are the 2x2 sub-pixel offsets used for anti-aliasing (pixel centres at integers).
var samples = [4][2]float64{{-0.25, -0.25}, {0.25, -0.25}, {-0.25, 0.25}, {0.25, 0.25}}

// paint composites layers inside box: each pixel takes the colour of the topmost layer at each
// of its four sub-samples and blends by the covered fraction. The mask marks pixels that are
// at least half covered, so a binary mask and the coverage fractions agree with what a viewer
// sees as hidden.
func (c *canvas) paint(box image.Rectangle, layers []layer) {
	box = box.Intersect(image.Rect(0, 0, c.w, c.h))
	for y := box.Min.Y; y < box.Max.Y; y++ {
		for x := box.Min.X; x < box.Max.X; x++ {
			var acc [3]int
			n := 0
			for _, s := range samples {
				sx, sy := float64(x)+s[0], float64(y)+s[1]
				for i := len(layers) - 1; i >= 0; i-- {
					if layers[i].region.inside(sx, sy) {
						col := layers[i].fill(x, y)
						acc[0] += int(col[0])
						acc[1] += int(col[1])
						acc[2] += int(col[2])
						n++
						break
					}
				}
			}
			if n == 0 {
				continue
			}
			o := 3 * (y*c.w + x)
			for k := 0; k < 3; k++ {
				// n of 4 samples covered: blend the mean covered colour with the pixel.
				c.pix[o+k] = uint8((acc[k] + (4-n)*int(c.pix[o+k]) + 2) / 4)
			}
			if n >= 2 {
				c.occ.Pix[y*c.w+x] = 255
			}
		}
	}
}
