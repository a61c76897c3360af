package assetgen

import "math"

// Side variants are the frontal drawing wrapped on a vertical cylinder (radius
// = half the template width, axis through the template centre) and turned by
// yawAngle: a point at frontal offset u = R·sin φ is seen at R·sin(φ + θ).
// The far side is foreshortened and anything turned past 90° (the far ear
// loop) disappears, which is what a frontal drawing gets wrong on a turned
// head. θ > 0 is the "right" variant: the nose points toward image right.
const yawAngle = 28 * math.Pi / 180

type cylinder struct {
	cx, r, theta float64
}

func newCylinder(width int, variant string) cylinder {
	c := cylinder{cx: float64(width-1) / 2, r: float64(width) / 2}
	switch variant {
	case "right":
		c.theta = yawAngle
	case "left":
		c.theta = -yawAngle
	}
	return c
}

// forward maps a frontal x to the variant's x (for anchors).
func (c cylinder) forward(x float64) float64 {
	u := clampUnit((x - c.cx) / c.r)
	return c.cx + c.r*math.Sin(math.Asin(u)+c.theta)
}

// inverse maps a variant x back to the frontal x; ok is false where the
// surface seen there would lie beyond the drawing's edge. cosView is the
// cosine between the surface normal and the view direction, used for shading.
func (c cylinder) inverse(x float64) (fx, cosView float64, ok bool) {
	u := (x - c.cx) / c.r
	if u < -1 || u > 1 {
		return 0, 0, false
	}
	seen := math.Asin(u)
	phi := seen - c.theta
	if phi < -math.Pi/2 || phi > math.Pi/2 {
		return 0, 0, false
	}
	return c.cx + c.r*math.Sin(phi), math.Cos(seen), true
}

// wrap turns a frontal scene (which receives the shading cosine) into the
// variant's scene.
func (c cylinder) wrap(s func(x, y, cosView float64) rgba) scene {
	return func(x, y float64) rgba {
		fx, cv, ok := c.inverse(x)
		if !ok {
			return rgba{}
		}
		return s(fx, y, cv)
	}
}

func clampUnit(u float64) float64 { return math.Min(math.Max(u, -1), 1) }
