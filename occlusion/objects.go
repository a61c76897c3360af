package occlusion

import (
	"image"
	"math"
	"math/rand/v2"
)

// Procedurally drawn everyday occluders: the hands, cups, phones, hair and scarves that hide
// faces in in-the-wild FER photos. Each is laid out in box-relative units (u, v in [-0.5, 0.5])
// and turned by a small random angle; paint clips it to the box.

// frame maps box-relative coordinates to image coordinates with a rotation about the centre.
type frame struct{ cx, cy, w, h, cos, sin float64 }

func newFrame(box image.Rectangle, angle float64) frame {
	return frame{
		cx: float64(box.Min.X+box.Max.X-1) / 2, cy: float64(box.Min.Y+box.Max.Y-1) / 2,
		w: float64(box.Dx()), h: float64(box.Dy()), cos: math.Cos(angle), sin: math.Sin(angle),
	}
}

func (f frame) at(u, v float64) (float64, float64) {
	x, y := u*f.w, v*f.h
	return f.cx + x*f.cos - y*f.sin, f.cy + x*f.sin + y*f.cos
}

func (f frame) angle() float64 { return math.Atan2(f.sin, f.cos) }

func (f frame) minSide() float64 { return math.Min(f.w, f.h) }

func randAngle(rng *rand.Rand, maxDeg float64) float64 {
	return (rng.Float64()*2 - 1) * maxDeg * math.Pi / 180
}

// skinTones are BGR skin colours spanning light to dark (Fitzpatrick I-VI-ish).
var skinTones = []bgr{{172, 219, 255}, {125, 194, 241}, {105, 172, 224}, {66, 134, 198}, {36, 85, 141}, {30, 60, 90}}

func handLayers(box image.Rectangle, rng *rand.Rand) ([]layer, string) {
	f := newFrame(box, randAngle(rng, 35))
	skin := jitter(skinTones[rng.IntN(len(skinTones))], rng, 12)
	px, py := f.at(0, 0.18)
	parts := union{newEllipse(px, py, 0.33*f.w, 0.30*f.h, f.angle())}
	r := 0.075 * f.minSide()
	for i, u := range []float64{-0.22, -0.075, 0.075, 0.22} {
		top := -0.46 + 0.06*math.Abs(float64(i)-1.5) // middle fingers longest
		ax, ay := f.at(u, 0.05)
		bx, by := f.at(u*1.1, top)
		parts = append(parts, capsule{ax, ay, bx, by, r})
	}
	tx, ty := f.at(0.25, 0.2)
	ux, uy := f.at(0.46, -0.05)
	parts = append(parts, capsule{tx, ty, ux, uy, r * 1.1})
	return []layer{{parts, grain(skin, 6)}}, hexColour(skin)
}

func cupLayers(box image.Rectangle, rng *rand.Rand) ([]layer, string) {
	f := newFrame(box, randAngle(rng, 15))
	body := randomColour(rng)
	bx, by := f.at(-0.1, 0.03)
	hx, hy := f.at(0.3, 0)
	rx, ry := f.at(-0.1, -0.42)
	return []layer{
		{ring{newEllipse(hx, hy, 0.17*f.w, 0.22*f.h, f.angle()), newEllipse(hx, hy, 0.09*f.w, 0.13*f.h, f.angle())}, grain(darker(body, 0.85), 4)},
		{newRRect(bx, by, 0.36*f.w, 0.45*f.h, 0.1*f.minSide(), f.angle()), grain(body, 4)},
		{newEllipse(rx, ry, 0.34*f.w, 0.05*f.h, f.angle()), solid(darker(body, 0.6))},
	}, hexColour(body)
}

func phoneLayers(box image.Rectangle, rng *rand.Rand) ([]layer, string) {
	f := newFrame(box, randAngle(rng, 20))
	caseCol := jitter(bgr{35, 35, 35}, rng, 20)
	screen := jitter(bgr{200, 150, 90}, rng, 40)
	top := f.cy - 0.4*f.h
	lit := func(x, y int) bgr { // a vertical gradient reads as a lit screen
		t := math.Max(0, math.Min(1, (float64(y)-top)/(0.8*f.h)))
		return darker(screen, 1-0.35*t)
	}
	return []layer{
		{newRRect(f.cx, f.cy, 0.47*f.w, 0.48*f.h, 0.14*f.minSide(), f.angle()), grain(caseCol, 3)},
		{newRRect(f.cx, f.cy, 0.39*f.w, 0.4*f.h, 0.04*f.minSide(), f.angle()), lit},
	}, hexColour(caseCol)
}

// hairTones are BGR hair colours from black to blond.
var hairTones = []bgr{{20, 20, 25}, {30, 40, 60}, {40, 60, 95}, {70, 110, 160}, {110, 170, 210}}

func hairLayers(box image.Rectangle, rng *rand.Rand) ([]layer, string) {
	f := newFrame(box, randAngle(rng, 25))
	base := hairTones[rng.IntN(len(hairTones))]
	n := 14 + rng.IntN(10) // dense enough to read as a lock of hair, not a few lines
	var layers []layer
	for i := 0; i < n; i++ {
		// a quadratic Bezier from the top edge to the bottom edge with a sideways sway
		u0 := rng.Float64() - 0.5
		u1 := u0 + (rng.Float64()-0.5)*0.6
		sway := (rng.Float64() - 0.5) * 0.8
		r := (0.04 + 0.04*rng.Float64()) * f.minSide()
		col := jitter(base, rng, 8)
		var strand union
		const seg = 8
		prevX, prevY := f.at(u0, -0.5)
		for k := 1; k <= seg; k++ {
			t := float64(k) / seg
			u := (1-t)*(1-t)*u0 + 2*(1-t)*t*(0.5*(u0+u1)+sway) + t*t*u1
			x, y := f.at(u, -0.5+t)
			strand = append(strand, capsule{prevX, prevY, x, y, math.Max(0.6, r)})
			prevX, prevY = x, y
		}
		layers = append(layers, layer{strand, grain(col, 5)})
	}
	return layers, hexColour(base)
}

// wavyBand is the region between two sine-waved edges across a frame.
type wavyBand struct {
	f               frame
	half, amp, freq float64
	phaseT, phaseB  float64
}

func (b wavyBand) inside(x, y float64) bool {
	dx, dy := x-b.f.cx, y-b.f.cy
	u := (dx*b.f.cos + dy*b.f.sin) / b.f.w
	v := (-dx*b.f.sin + dy*b.f.cos) / b.f.h
	if u < -0.5 || u > 0.5 {
		return false
	}
	top := -b.half + b.amp*math.Sin(b.freq*u+b.phaseT)
	bot := b.half + b.amp*math.Sin(b.freq*u+b.phaseB)
	return v >= top && v <= bot
}

func scarfLayers(box image.Rectangle, rng *rand.Rand) ([]layer, string) {
	f := newFrame(box, randAngle(rng, 20))
	a, b := randomColour(rng), randomColour(rng)
	period := math.Max(3, (0.12+0.1*rng.Float64())*f.minSide())
	stripes := func(x, y int) bgr {
		if int(math.Floor(float64(x+y)/period))%2 == 0 {
			return a
		}
		return b
	}
	band := wavyBand{f: f, half: 0.38, amp: 0.06, freq: 2 * math.Pi * (1 + rng.Float64()), phaseT: rng.Float64() * 2 * math.Pi, phaseB: rng.Float64() * 2 * math.Pi}
	return []layer{{band, stripes}}, hexColour(a)
}
