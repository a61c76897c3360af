package assetgen

import "math"

// Mask template geometry, in frontal template pixels. The anchors follow the
// face outline (design: six-point piecewise fit): nose bridge and chin on the
// seam, cheeks at nose height and jaw at lip height on either side. The
// proportions are those of a real frontal face (dlib landmarks of the
// astronaut fixture scaled by ≈5.2).
const (
	maskW, maskH = 560, 440
	maskCX       = (maskW - 1) / 2.0
	maskHalf     = 230.0 // body half-width: the cheek anchors sit on the body's side edges
)

var maskAnchors = []anchorDef{
	{"nose_bridge", maskCX, 52, "mid(28,29)", "both"},
	{"chin", maskCX, 380, "8", "both"},
	{"cheek_left", maskCX - maskHalf, 150, "2", "left"},
	{"jaw_left", maskCX - 202, 272, "4", "left"},
	{"cheek_right", maskCX + maskHalf, 150, "14", "right"},
	{"jaw_right", maskCX + 202, 272, "12", "right"},
}

// maskStyle describes one mask design.
type maskStyle struct {
	style, colour string
	// outline gives the top and bottom edge at u = (x − centre)/maskHalf.
	outline func(u float64) (top, bot float64)
	// surface returns the colour of the body at (x, y) before shading.
	surface func(x, y, u, top, bot float64) rgba
	strap   rgba // ear loop / strap colour
}

// maskScene is the frontal drawing of a style; cosView shades the surface as
// it turns away from the camera (1 when facing it).
func maskScene(ms maskStyle) func(x, y, cosView float64) rgba {
	return func(x, y, cosView float64) rgba {
		u := (x - maskCX) / maskHalf
		top, bot := ms.outline(clampUnit(u))
		var body rgba
		if math.Abs(u) <= 1 && y >= top && y <= bot {
			c := ms.surface(x, y, u, top, bot)
			// soft roundness top-to-bottom plus view-angle shading
			v := (y - (top+bot)/2) / ((bot - top) / 2)
			body = c.scale((0.8 + 0.2*cosView) * (1 - 0.07*v*v))
		}
		return over(body, loops(x, y, ms))
	}
}

// loops draws short ear-loop stubs leaving the body's four corners.
func loops(x, y float64, ms maskStyle) rgba {
	if math.Abs(x-maskCX) < maskHalf-6 {
		return rgba{}
	}
	t0, b0 := ms.outline(1)
	d := math.Inf(1)
	for _, s := range []float64{-1, 1} {
		ex := maskCX + s*maskHalf
		d = math.Min(d, quadDist(x, y, ex-s*6, t0+16, ex+s*20, t0+10, ex+s*34, t0+22))
		d = math.Min(d, quadDist(x, y, ex-s*6, b0-16, ex+s*22, b0-14, ex+s*34, b0-34))
	}
	if d > 3.2 {
		return rgba{}
	}
	return ms.strap.scale(0.92 + 0.08*(1-d/3.2))
}

// edgeDistance is the distance inside the body to its nearest edge.
func edgeDistance(x, y, u, top, bot float64) float64 {
	side := maskHalf * (1 - math.Abs(u))
	return math.Min(math.Min(y-top, bot-y), side)
}

func surgical(colour string, base rgba) maskStyle {
	return maskStyle{
		style: "surgical", colour: colour, strap: mix(base, rgb(1, 1, 1), 0.5),
		outline: func(u float64) (float64, float64) { return 40 + 90*u*u, 400 - 110*u*u },
		surface: func(x, y, u, top, bot float64) rgba {
			c := base
			k := 1.0
			// three pleats: a lit fold above a thin shadow line
			for _, f := range []float64{0.34, 0.52, 0.70} {
				d := y - (top + f*(bot-top))
				k *= 1 - 0.22*band(d, 0, 4, 1.5)
				k *= 1 + 0.05*band(d, -16, -1, 4)
			}
			// hems: bound edges are double layered (darker) and stitched
			e := edgeDistance(x, y, u, top, bot)
			if e < 12 {
				k *= 0.94
			}
			k *= 1 - 0.25*band(e, 12, 13.5, 0.8)
			c = c.scale(k)
			// nose wire under the top hem
			if math.Abs(x-maskCX) < 78 {
				c = mix(c, rgb(0.86, 0.87, 0.88), 0.55*band(y-top, 4, 10, 1.5))
			}
			return c
		},
	}
}

func n95() maskStyle {
	base := hex(0xf2f0ea)
	valve := struct{ x, y, r float64 }{maskCX - 98, 282, 40}
	return maskStyle{
		style: "n95", colour: "white", strap: hex(0xe8d9a0),
		outline: func(u float64) (float64, float64) {
			return 48 + 75*u*u, 205 + 195*math.Pow(math.Max(1-u*u, 0), 0.4)
		},
		surface: func(x, y, u, top, bot float64) rgba {
			c := base
			// moulded dome: darker toward the rim
			dx, dy := (x-maskCX)/maskHalf, (y-230)/190
			k := 1 - 0.10*(dx*dx+dy*dy)
			e := edgeDistance(x, y, u, top, bot)
			if e < 14 {
				k *= 0.9
			}
			c = c.scale(k)
			if math.Abs(x-maskCX) < 70 {
				c = mix(c, rgb(0.78, 0.79, 0.8), band(y-top, 5, 14, 1))
			}
			r := math.Hypot(x-valve.x, y-valve.y)
			switch {
			case r < valve.r-14:
				c = hex(0x5b5e63)
				if math.Mod(y-valve.y+100, 9) < 4 && math.Abs(x-valve.x) < 20 {
					c = hex(0x8a8e94) // exhaust slots
				}
			case r < valve.r:
				c = hex(0x9da1a6).scale(1 - 0.15*(r-(valve.r-14))/14)
			case r < valve.r+6:
				c = c.scale(0.8) // shadow of the housing
			}
			return c
		},
	}
}

func kn95() maskStyle {
	base := hex(0xf3f3f1)
	return maskStyle{
		style: "kn95", colour: "white", strap: hex(0xf6f6f6),
		outline: func(u float64) (float64, float64) {
			a := math.Abs(u)
			return 38 + 95*math.Pow(a, 1.15), 405 - 125*math.Pow(a, 1.25)
		},
		surface: func(x, y, u, top, bot float64) rgba {
			c := base
			if x < maskCX {
				c = c.scale(0.94) // the two folded panels face different ways
			}
			// centre fold seam with its weld dots
			c = c.scale(1 - 0.3*band(math.Abs(x-maskCX), -1, 2, 1))
			if math.Abs(math.Abs(x-maskCX)-7) < 2.5 && math.Mod(y, 14) < 5 {
				c = c.scale(0.85)
			}
			// welded edge band: a row of dots just inside the outline
			e := edgeDistance(x, y, u, top, bot)
			if e > 7 && e < 12 && math.Mod(x+y, 12) < 6 {
				c = c.scale(0.86)
			}
			if math.Abs(x-maskCX) < 60 {
				c = mix(c, rgb(0.85, 0.85, 0.86), 0.5*band(y-top, 5, 12, 1))
			}
			return c
		},
	}
}

func cloth(colour string, pattern func(x, y float64) rgba) maskStyle {
	return maskStyle{
		style: "cloth", colour: colour, strap: pattern(maskCX, 40).scale(0.9),
		outline: func(u float64) (float64, float64) {
			return 46 + 84*u*u, 396 - 100*math.Pow(math.Abs(u), 1.7)
		},
		surface: func(x, y, u, top, bot float64) rgba {
			c := pattern(x, y)
			e := edgeDistance(x, y, u, top, bot)
			// hem with a dashed running stitch
			if e < 12 {
				c = c.scale(0.92)
			}
			if band(e, 12, 14, 0.7) > 0.5 && math.Mod(x+y, 16) < 9 {
				c = mix(c, rgb(0.95, 0.95, 0.92), 0.6)
			}
			// vertical centre seam of a two-piece cloth mask
			return c.scale(1 - 0.18*band(math.Abs(x-maskCX), -1, 1.5, 1))
		},
	}
}

// maskStyles lists every mask design rendered into assets/masks.
func maskStyles() []maskStyle {
	return []maskStyle{
		surgical("blue", hex(0x8cc3e3)),
		surgical("white", hex(0xeef0f2)),
		surgical("black", hex(0x2d2e31)),
		n95(),
		kn95(),
		cloth("plaid", plaid),
		cloth("dots", dots),
		cloth("floral", floral),
	}
}
