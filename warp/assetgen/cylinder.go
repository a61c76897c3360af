package assetgen

import "math"

// frontShading shades a frontal drawing as a vertical cylinder would be lit
// from the camera: the scene receives cosView, the cosine between the surface
// normal and the view direction, 1 at the template's centre line and falling
// toward its side edges (radius = half the template width). Why: a mask or a
// frame curves around the face, and its sides, seen more obliquely, are
// darker. The 3-D placement (package warp) turns and foreshortens the
// template; the shading here is only the drawing's own.
func frontShading(width int, s func(x, y, cosView float64) rgba) scene {
	cx, r := float64(width-1)/2, float64(width)/2
	return func(x, y float64) rgba {
		u := (x - cx) / r
		if u < -1 || u > 1 {
			return rgba{}
		}
		seen := math.Asin(u) // x and the cosine through the angle, as the drawings were made
		return s(cx+r*math.Sin(seen), y, math.Cos(seen))
	}
}

func clampUnit(u float64) float64 { return math.Min(math.Max(u, -1), 1) }
