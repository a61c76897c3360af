package assetgen

import "math"

// Sunglasses geometry, in frontal template pixels: lens centres 260 px apart
// sit on the eye centres, the bridge point on the upper nose; a similarity
// fit then scales by eye distance and rotates with roll.
const (
	glassW, glassH = 560, 220
	glassCX        = (glassW - 1) / 2.0
	lensDX         = 130.0 // lens centre offset from the template centre
	lensCY         = 110.0
)

var glassAnchors = []anchorDef{
	{"eye_left", glassCX - lensDX, lensCY, "mean(36,37,38,39,40,41)", ""},
	{"eye_right", glassCX + lensDX, lensCY, "mean(42,43,44,45,46,47)", ""},
	{"nose", glassCX, 136, "mid(27,28)", ""},
}

// glassStyle describes one frame design. lens reports the lens "level" at an
// offset from the lens centre (dx > 0 toward the nose): < 1 inside.
type glassStyle struct {
	style, colour  string
	lens           func(dx, dy float64) float64
	frameScale     float64 // outer frame = lens shape scaled by this
	frameTop       float64 // extra frame height above the lens (browline)
	frame          rgba
	metal          bool
	tintTop, tintB rgba
	bridge         func(x, y float64) bool
	temple         float64 // half thickness of the temple stubs
}

func glassScene(gs glassStyle) func(x, y, cosView float64) rgba {
	return func(x, y, cosView float64) rgba {
		side := 1.0 // +1 for the image-left lens: toward the nose is +x
		cx := glassCX - lensDX
		if x > glassCX {
			side, cx = -1, glassCX+lensDX
		}
		dx, dy := (x-cx)*side, y-lensCY
		shade := 0.75 + 0.25*cosView
		if l := gs.lens(dx, dy); l < 1 {
			return lensColour(gs, x-cx, dy).scale(shade)
		}
		oy := dy
		if dy < 0 {
			oy = dy * gs.frameScale / (gs.frameScale + gs.frameTop)
		}
		if gs.lens(dx/gs.frameScale, oy/gs.frameScale) < 1 || gs.bridge(x, y) || temple(gs, x, y) {
			return frameColour(gs, dy).scale(shade)
		}
		return rgba{}
	}
}

// lensColour is a gradient tint (darker, denser at the top) with a soft
// diagonal specular streak and a small highlight spot; ix is the image-space
// offset so every lens is lit from the same (upper-left) side.
func lensColour(gs glassStyle, ix, dy float64) rgba {
	t := clamp01((dy + 80) / 160)
	c := mix(gs.tintTop, gs.tintB, t)
	c.a = 0.94 - 0.2*t
	s := ix*0.6 + dy*0.8
	h := 0.3 * math.Exp(-math.Pow((s+38)/11, 2)) * smoothstep(40, -20, dy)
	spot := 0.75 * (1 - smoothstep(5, 10, math.Hypot(ix+48, dy+34)))
	return over(rgb(1, 1, 1).alpha(math.Max(h, spot)), c)
}

func frameColour(gs glassStyle, dy float64) rgba {
	if gs.metal {
		// brushed metal: bright on top, darker underneath
		return gs.frame.scale(1.15 - 0.35*clamp01((dy+90)/180))
	}
	// glossy acetate: a thin highlight along the upper part
	return mix(gs.frame, rgb(0.55, 0.55, 0.55), 0.5*band(dy, -84, -76, 3))
}

func temple(gs glassStyle, x, y float64) bool {
	for _, s := range []float64{-1, 1} {
		ax := glassCX + s*(lensDX+100)
		if segDist(x, y, ax, 72, glassCX+s*(glassCX-4), 68) < gs.temple {
			return true
		}
	}
	return false
}

func wayfarer() glassStyle {
	return glassStyle{
		style: "wayfarer", colour: "black",
		lens: func(dx, dy float64) float64 {
			hw := 100 - 12*(dy/70) // wider at the top: the trapezoid wayfarer look
			return math.Pow(math.Abs(dx)/hw, 4) + math.Pow(math.Abs(dy)/68, 4)
		},
		frameScale: 1.12, frameTop: 0.12, frame: hex(0x141414),
		tintTop: hex(0x151a17), tintB: hex(0x3a423d),
		bridge: func(x, y float64) bool {
			d := (x - glassCX) / 40
			return math.Abs(d) < 1 && y > 66 && y < 100-18*(1-d*d)
		},
		temple: 6,
	}
}

func aviator() glassStyle {
	return glassStyle{
		style: "aviator", colour: "green",
		lens: func(dx, dy float64) float64 {
			b := 60.0
			if dy > 0 {
				b = 80 + 12*clampUnit(dx/100) // the teardrop drops toward the nose
			}
			return (dx/102)*(dx/102) + (dy/b)*(dy/b)
		},
		frameScale: 1.05, frame: hex(0xc9a24a), metal: true,
		tintTop: hex(0x1f2a1c), tintB: hex(0x4d5a41),
		bridge: func(x, y float64) bool {
			// double bridge: a straight brow bar between the upper inner
			// lens corners over an arched nose bar
			d := (x - glassCX) / 36
			if math.Abs(d) < 1.75 && math.Abs(y-64) < 3.2 {
				return true
			}
			return math.Abs(d) < 1.05 && math.Abs(y-(92-10*(1-d*d))) < 3.2
		},
		temple: 3,
	}
}

func round() glassStyle {
	return glassStyle{
		style: "round", colour: "brown",
		lens: func(dx, dy float64) float64 {
			return (dx*dx + dy*dy) / (86 * 86)
		},
		frameScale: 1.06, frame: hex(0xb9bdc3), metal: true,
		tintTop: hex(0x3a2412), tintB: hex(0x8a6440),
		bridge: func(x, y float64) bool {
			d := (x - glassCX) / 46
			return math.Abs(d) < 1 && math.Abs(y-(98-14*(1-d*d))) < 3.5
		},
		temple: 3,
	}
}

func glassStyles() []glassStyle { return []glassStyle{aviator(), wayfarer(), round()} }
