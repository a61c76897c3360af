package synth

import (
	"image"
	"math"
	"math/rand/v2"

	"github.com/occfer/occfer/landmarks/face68"
)

// poseFunc maps canonical coordinates (origin between the eyes, 100-pixel crop at scale 1)
// to continuous image coordinates of a size x size crop, where pixel (i, j) covers
// [i, i+1) x [j, j+1). The eye midpoint lands near (50, 38) and the mouth near y = 75, as in
// RAF-DB's aligned crops.
func poseFunc(id identity, size int) func(face68.Point) face68.Point {
	k := float64(size) / 100
	sin, cos := math.Sincos(id.roll)
	return func(p face68.Point) face68.Point {
		x := id.scale * (p.X*cos - p.Y*sin)
		y := id.scale * (p.X*sin + p.Y*cos)
		return face68.Point{X: k * (50 + id.dx + x), Y: k * (38 + id.dy + y)}
	}
}

// draw renders f and returns the image and its landmarks in pixel-centre coordinates (the
// centre of pixel (i, j) is (i, j), as dlib and OpenCV count).
func (f *face) draw(size int, noise *rand.Rand) (*image.RGBA, face68.Shape) {
	pose := poseFunc(f.id, size)
	c := newCanvas(size, pose)
	f.drawBackground(c)
	f.drawHead(c)
	f.drawEyes(c)
	f.drawBrows(c)
	f.drawNose(c)
	f.drawMouth(c)
	f.light(c, noise)
	var lm face68.Shape
	for i, p := range f.lm {
		q := pose(p)
		lm[i] = face68.Point{X: q.X - 0.5, Y: q.Y - 0.5}
	}
	return c.img, lm
}

func (f *face) drawBackground(c *canvas) {
	id := f.id
	b := c.img.Bounds()
	n := float64(b.Dx())
	dx, dy := math.Cos(id.bgAngle), math.Sin(id.bgAngle)
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			t := 0.5 + ((float64(x)/n-0.5)*dx+(float64(y)/n-0.5)*dy)*0.9
			col := toNRGBA(id.bg1.mix(id.bg2, t), 1)
			o := c.img.PixOffset(x, y)
			c.img.Pix[o], c.img.Pix[o+1], c.img.Pix[o+2], c.img.Pix[o+3] = col.R, col.G, col.B, 255
		}
	}
}

// shouldersNeck are the outlines of the shoulders and of the neck in face coordinates, for
// the frontal and the posed head alike.
func (f *face) shouldersNeck() (shoulders, neck []face68.Point) {
	id := f.id
	w := id.faceW
	shoulders = []face68.Point{{X: -w * 0.5, Y: id.chinY + 2}, {X: -w * 1.9, Y: id.chinY + 18}, {X: -w * 2.2, Y: 90}, {X: w * 2.2, Y: 90}, {X: w * 1.9, Y: id.chinY + 18}, {X: w * 0.5, Y: id.chinY + 2}}
	neck = []face68.Point{{X: -w * 0.52, Y: 20}, {X: w * 0.52, Y: 20}, {X: w * 0.56, Y: id.chinY + 12}, {X: -w * 0.56, Y: id.chinY + 12}}
	return shoulders, neck
}

// backHair is the outline of the hair behind the head in face coordinates (long hair falls
// to the shoulders), or nil when the identity has none.
func (f *face) backHair() []face68.Point {
	id := f.id
	if !id.hairBack {
		return nil
	}
	w := id.faceW
	top := f.jawTop - id.foreheadH - 6
	hair := sample(func(u float64) face68.Point {
		t := u * math.Pi
		return face68.Point{X: (w + 5) * math.Cos(t), Y: f.jawTop - (f.jawTop-top)*math.Sin(t)}
	}, 0, 1, 32)
	if id.longHair {
		return append(hair, face68.Point{X: -w - 6, Y: 45}, face68.Point{X: w + 6, Y: 45})
	}
	return append(hair, face68.Point{X: -w - 4, Y: 8}, face68.Point{X: w + 4, Y: 8})
}

func (f *face) drawHead(c *canvas) {
	id := f.id
	// Shoulders and neck first, the head covers their tops.
	shoulders, neck := f.shouldersNeck()
	c.fill(shoulders, id.cloth, 1)
	c.fill(neck, id.skin.scale(0.8), 1)
	if hair := f.backHair(); hair != nil {
		c.fill(hair, id.hair, 1)
	}
	outline := append(sample(f.jaw, 0, 1, 48), sample(f.skull, 0, 1, 48)[1:]...)
	c.fill(outline, id.skin, 1)
	// The fringe runs 1.5 pixels outside the skull so the skin's anti-aliased edge does not
	// show through the hair as a faint line.
	c.fill(f.fringe(1.5), id.hair, 1)
}

// fringe is the outline of the part of the skull above the hair line, the skull grown by grow
// pixels (shrunk when negative), closed by a slightly dipping edge; face coordinates.
func (f *face) fringe(grow float64) []face68.Point {
	id := f.id
	w := id.faceW
	s0 := math.Min(1, (f.jawTop-id.hairLine)/id.foreheadH)
	p0 := math.Asin(s0) / math.Pi
	fringe := sample(func(u float64) face68.Point {
		p := f.skull(u)
		return face68.Point{X: p.X * (w + grow) / w, Y: f.jawTop + (p.Y-f.jawTop)*(id.foreheadH+grow)/id.foreheadH}
	}, p0, 1-p0, 32)
	xe := fringe[0].X
	edge := sample(func(u float64) face68.Point {
		x := -xe + 2*xe*u
		return face68.Point{X: x, Y: id.hairLine + 3*(1-(x/xe)*(x/xe))}
	}, 0, 1, 16)
	return append(fringe, edge...)
}

func (f *face) drawEyes(c *canvas) {
	id := f.id
	for e := range 2 {
		opening := append(sample(f.eyeUp[e], -1, 1, 24), sample(f.eyeLo[e], 1, -1, 24)[1:]...)
		clip := c.coverage(opening)
		c.fill(opening, rgb{236, 232, 226}, 1)
		ic := face68.Point{X: f.eyeC[e].X, Y: f.eyeC[e].Y + 0.4}
		c.fillClipped(ellipse(ic, id.eyeW*0.5, id.eyeW*0.5), id.iris, clip)
		c.fillClipped(ellipse(ic, id.eyeW*0.2, id.eyeW*0.2), rgb{12, 10, 10}, clip)
		c.fill(ribbon(sample(f.eyeUp[e], -1.08, 1.08, 24), 0.9, 1.3), rgb{30, 22, 20}, 0.9)
	}
}

func (f *face) drawBrows(c *canvas) {
	col := f.id.hair.mix(rgb{20, 15, 12}, 0.5)
	for e := range 2 {
		c.fill(ribbon(sample(f.brow[e], 0, 1, 20), f.id.browThick*0.6, f.id.browThick), col, 0.95)
	}
}

func (f *face) drawNose(c *canvas) {
	id, lm := f.id, f.lm
	shade := id.skin.scale(0.7)
	c.fill(ribbon([]face68.Point{{X: 2.5, Y: 5}, {X: 3.2, Y: 12}, {X: 3.8, Y: id.noseLen - 1}}, 1.4, 2), id.skin.scale(0.88), 0.6)
	c.fill(ribbon(lm[31:36], 1.2, 1.2), shade, 0.8)
	for _, s := range []float64{-1, 1} {
		c.fill(ellipse(face68.Point{X: s * id.noseW * 0.5, Y: id.noseLen + 1.6}, 1.8, 1.0), id.skin.scale(0.4), 0.9)
	}
}

func (f *face) drawMouth(c *canvas) {
	id, m := f.id, f.expr.mouth
	ui := f.mouthInner
	left, right := f.mUpIn(-1), f.mUpIn(1)
	upIn := sample(f.mUpIn, -ui, ui, 32)
	loIn := sample(f.mLoIn, -ui, ui, 32)
	opening := append(append([]face68.Point{}, upIn...), reversed(loIn)...)
	if m.open > 0.05 || m.sneer > 0.05 {
		clip := c.coverage(opening)
		c.fill(opening, rgb{35, 10, 14}, 1)
		if m.teeth > 0 {
			teeth := append(append([]face68.Point{}, upIn...), reversed(shift(upIn, m.teeth+1))...)
			c.fillClipped(teeth, rgb{232, 226, 212}, clip)
		}
	}
	upper := append(append([]face68.Point{left}, sample(f.mUpOut, -1, 1, 40)...), right)
	upper = append(upper, reversed(upIn)...)
	c.fill(upper, id.lip, 1)
	lower := append(append([]face68.Point{right}, sample(f.mLoOut, 1, -1, 40)...), left)
	lower = append(lower, loIn...)
	c.fill(lower, id.lip.scale(1.06), 1)
	// The seam where closed lips meet, and the shadow in the corners.
	seam := append(append([]face68.Point{left}, sample(f.mUpIn, -ui, ui, 32)...), right)
	c.fill(ribbon(seam, 0.9, 0.9), id.lip.scale(0.5), 0.85)
}

func shift(pts []face68.Point, dy float64) []face68.Point {
	out := make([]face68.Point, len(pts))
	for i, p := range pts {
		out[i] = face68.Point{X: p.X, Y: p.Y + dy}
	}
	return out
}

// light applies the scene's multiplicative light gradient and Gaussian sensor noise.
func (f *face) light(c *canvas, noise *rand.Rand) {
	id := f.id
	b := c.img.Bounds()
	n := float64(b.Dx())
	lx, ly := math.Cos(id.lightAngle), math.Sin(id.lightAngle)
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			g := 1 + id.light*2*((float64(x)/n-0.5)*lx+(float64(y)/n-0.5)*ly)
			o := c.img.PixOffset(x, y)
			for ch := range 3 {
				v := float64(c.img.Pix[o+ch])*g + noise.NormFloat64()*id.noise
				c.img.Pix[o+ch] = uint8(math.Round(math.Max(0, math.Min(255, v))))
			}
		}
	}
}
