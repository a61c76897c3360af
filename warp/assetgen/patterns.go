package assetgen

import "math"

// Cloth patterns, in frontal template pixels. Periods are large (tens of
// pixels) so that they survive down-scaling to a 100-px face as a visible
// texture rather than turning into a flat average colour.

func plaid(x, y float64) rgba {
	c := hex(0xa3262d)
	navy := hex(0x1d2540)
	mx, my := math.Mod(x, 56), math.Mod(y, 56)
	if mx < 18 {
		c = mix(c, navy, 0.45)
	}
	if my < 18 {
		c = mix(c, navy, 0.45)
	}
	if math.Abs(mx-37) < 1.6 || math.Abs(my-37) < 1.6 {
		c = mix(c, rgb(0.95, 0.9, 0.8), 0.6)
	}
	return c
}

func dots(x, y float64) rgba {
	dx, dy := staggered(x, y, 34.0)
	if math.Hypot(dx, dy) < 7.5 {
		return hex(0xf4f1e8)
	}
	return hex(0x22305a)
}

func floral(x, y float64) rgba {
	dx, dy := staggered(x, y, 84.0)
	r, th := math.Hypot(dx, dy), math.Atan2(dy, dx)
	switch {
	case r < 6.5:
		return hex(0xf2c14e)
	case r < 22*(0.45+0.55*math.Abs(math.Cos(2.5*th))):
		return hex(0xe07a9a)
	}
	// a leaf pair between the flowers
	lx, ly := dx-30, dy+26
	if (lx*lx)/(14*14)+(ly*ly)/(6*6) < 1 {
		return hex(0x5f8a4e)
	}
	return hex(0xf1e6d0)
}

// staggered returns the offset of (x, y) from the centre of its cell in a grid of p-pixel cells
// whose odd rows are shifted by half a cell, the layout of printed dot and flower fabrics.
func staggered(x, y, p float64) (dx, dy float64) {
	ox := 0.0
	if int(math.Floor(y/p))%2 != 0 {
		ox = p / 2
	}
	return math.Mod(x+ox, p) - p/2, math.Mod(y, p) - p/2
}
