package synth

import (
	"math"
	"math/rand/v2"
)

// rgb is a colour with float channels in 0..255, so shading and mixing do not clip early.
type rgb struct{ R, G, B float64 }

func (c rgb) scale(k float64) rgb { return rgb{c.R * k, c.G * k, c.B * k} }

func (c rgb) mix(d rgb, t float64) rgb {
	return rgb{c.R + t*(d.R-c.R), c.G + t*(d.G-c.G), c.B + t*(d.B-c.B)}
}

// identity is everything about one image that is not the expression: the person, the pose,
// the light and the camera. Lengths are canonical pixels (a 100-pixel crop at scale 1) with
// the origin midway between the eyes.
type identity struct {
	eyeHalf, eyeW        float64 // half the eye spacing; half an eye's width
	faceW, chinY, jawPow float64 // cheek half-width, chin depth, jaw squareness (lower = squarer)
	foreheadH, hairLine  float64 // skull height above the jaw start; fringe edge
	hairBack, longHair   bool    // hair visible around the head; hair down the sides
	browY, browThick     float64
	noseLen, noseW       float64
	mouthY, mouthW       float64
	upperLip, lowerLip   float64
	skin, hair, iris     rgb
	lip, cloth, bg1, bg2 rgb
	bgAngle              float64
	scale, roll, dx, dy  float64 // pose: size factor, roll in radians, shift of the eye midpoint
	lightAngle, light    float64 // direction and strength of the multiplicative light gradient
	noise                float64 // Gaussian sensor noise sigma, 0..255 units
	intensity            float64 // how far the expression moves from neutral
}

// skinRamp spans very light to very dark skin; a tone is a point on it plus a small jitter.
var skinRamp = []rgb{
	{243, 216, 194}, {228, 180, 145}, {198, 142, 104}, {160, 108, 74}, {112, 72, 48}, {74, 48, 34},
}

var hairColours = []rgb{
	{22, 18, 16}, {48, 34, 24}, {88, 60, 38}, {140, 100, 60}, {196, 168, 116}, {150, 148, 146}, {120, 56, 30},
}

func uniform(r *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }

func jitter(r *rand.Rand, c rgb, d float64) rgb {
	return rgb{c.R + uniform(r, -d, d), c.G + uniform(r, -d, d), c.B + uniform(r, -d, d)}
}

func rampAt(ramp []rgb, t float64) rgb {
	f := t * float64(len(ramp)-1)
	i := min(int(f), len(ramp)-2)
	return ramp[i].mix(ramp[i+1], f-float64(i))
}

// sampleIdentity draws one person, pose and scene. The draw order is part of the output
// format: changing it changes every generated image for a given seed.
func sampleIdentity(r *rand.Rand) identity {
	var id identity
	id.eyeHalf = uniform(r, 15, 18.5)
	id.eyeW = uniform(r, 6, 7.4)
	id.faceW = uniform(r, 31, 37)
	id.chinY = uniform(r, 53, 60)
	id.jawPow = uniform(r, 0.7, 1.0)
	id.foreheadH = uniform(r, 42, 48)
	id.hairLine = uniform(r, -34, -20)
	id.hairBack = r.Float64() < 0.85
	id.longHair = r.Float64() < 0.35
	id.browY = uniform(r, -10.5, -8.5)
	id.browThick = uniform(r, 2.2, 3.4)
	id.noseLen = uniform(r, 19, 23)
	id.noseW = uniform(r, 5.5, 7.5)
	id.mouthY = uniform(r, 35, 39)
	id.mouthW = uniform(r, 11, 14)
	id.upperLip = uniform(r, 2.3, 3.5)
	id.lowerLip = uniform(r, 2.8, 4.3)

	id.skin = jitter(r, rampAt(skinRamp, r.Float64()), 7)
	id.hair = jitter(r, hairColours[r.IntN(len(hairColours))], 10)
	id.iris = jitter(r, rgb{70, 50, 35}.mix(rgb{70, 110, 140}, r.Float64()*r.Float64()), 10)
	id.lip = id.skin.scale(0.82).mix(rgb{175, 70, 75}, uniform(r, 0.3, 0.5))
	id.cloth = rgb{uniform(r, 20, 230), uniform(r, 20, 230), uniform(r, 20, 230)}
	id.bg1 = rgb{uniform(r, 30, 235), uniform(r, 30, 235), uniform(r, 30, 235)}
	id.bg2 = jitter(r, id.bg1, 60)
	id.bgAngle = uniform(r, 0, 2*math.Pi)

	id.scale = uniform(r, 0.9, 1.1)
	id.roll = uniform(r, -15, 15) * math.Pi / 180
	id.dx = uniform(r, -3, 3)
	id.dy = uniform(r, -3, 3)
	// Keep the chin (landmark 8) inside the crop, as RAF-DB's aligned crops mostly do: shift
	// the face up rather than redraw, so the draw order stays fixed.
	if over := 38 + id.dy + id.scale*id.chinY - 97; over > 0 {
		id.dy -= over
	}
	id.lightAngle = uniform(r, 0, 2*math.Pi)
	id.light = uniform(r, 0, 0.3)
	id.noise = uniform(r, 1, 4.5)
	id.intensity = uniform(r, 0.8, 1.2)
	return id
}
