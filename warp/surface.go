package warp

import (
	"math"
	"sync"

	"github.com/occfer/occfer/face3d"
)

// Overlay surfaces in head coordinates (face3d: inter-ocular distance units, x right, y down,
// z toward the camera). A template is drawn as seen from the front; each surface lifts a
// frontal position (x, y) to 3-D while keeping x and y, so a frontal face shows the template
// as drawn and a turned face sees it foreshortened, wrapped and partly hidden.

// Mask surface constants (head units; millimetres at 63 mm per unit in the comments).
const (
	// maskStandoff is how far the fabric stands off the skin (4 mm).
	maskStandoff = 4.0 / 63
	// maskTentSlope is the fall of the fabric from the nose ridge toward the cheeks, in depth
	// per unit of |x|: 45°, so the mask spans from the nose to the cheek about half an
	// inter-ocular distance out, as a mask pulled over a nose does.
	maskTentSlope = 1.0
	// flareSlope is the depth lost per unit of frontal distance beyond the head's frontal
	// silhouette (ear loops, the edge under the chin): the surface turns back at 50° from the
	// image plane, toward the ears and the neck, so it stays visible from the front and turns
	// away once the head turns past about 40°.
	flareSlope = 1.2
)

// maskSurface lifts frontal (x, y) onto a face mask: the head surface plus the standoff, or
// the tent from the nose ridge (over the bridge and the tip, then straight down to the chin's
// front, not into the lips), whichever is in front; outside the head's frontal silhouette it
// flares back (flareSlope).
func maskSurface(h *face3d.Head, x, y float64) face3d.Vec3 {
	return face3d.Vec3{X: x, Y: y, Z: math.Max(headOrFlare(h, x, y)+maskStandoff, maskTent(h, x, y))}
}

// headOrFlare is the body surface's depth inside the frontal silhouette and the flare outside
// it (beside the face and below the chin): the depth of the nearest silhouette point, less
// flareSlope times the frontal distance to it. Measuring to the nearest point of the outline
// (not along the row) keeps the surface smooth around the chin, where the outline turns.
func headOrFlare(h *face3d.Head, x, y float64) float64 {
	if z, ok := h.Body(x, y); ok {
		return z
	}
	best, bz := math.Inf(1), 0.0
	ol := outline(h)
	for i := 0; i+1 < len(ol); i++ {
		a, b := ol[i], ol[i+1]
		ex, ey := b.X-a.X, b.Y-a.Y
		t := 0.0
		if l2 := ex*ex + ey*ey; l2 > 0 {
			t = math.Max(0, math.Min(1, ((math.Abs(x)-a.X)*ex+(y-a.Y)*ey)/l2))
		}
		if d := math.Hypot(math.Abs(x)-a.X-t*ex, y-a.Y-t*ey); d < best {
			best, bz = d, a.Z+t*(b.Z-a.Z)
		}
	}
	return bz - flareSlope*best
}

// outline is the right half of h's frontal silhouette, top to bottom: (W, y, ZSil) every
// hundredth of a head unit (the left half mirrors it).
func outline(h *face3d.Head) []face3d.Vec3 {
	if h == face3d.ReferenceHead {
		return refOutline()
	}
	return buildOutline(h)
}

var refOutline = sync.OnceValue(func() []face3d.Vec3 { return buildOutline(face3d.ReferenceHead) })

func buildOutline(h *face3d.Head) []face3d.Vec3 {
	var ol []face3d.Vec3
	for y := h.Top(); ; y += 0.01 {
		y = math.Min(y, h.Bottom())
		r := h.Row(y)
		ol = append(ol, face3d.Vec3{X: r.W, Y: y, Z: r.ZSil})
		if y == h.Bottom() {
			return ol
		}
	}
}

// maskTent is the depth of the fabric's ridge at y minus the fall to |x|.
func maskTent(h *face3d.Head, x, y float64) float64 {
	tip := face3d.Reference[30]
	pogY := face3d.Reference[6].Y // the pogonion's height: the chin's most forward point
	var ridge float64
	switch {
	case y <= tip.Y:
		ridge = h.NoseDepth(0, y) + maskStandoff
		if math.IsInf(ridge, -1) {
			return ridge
		}
	case y <= pogY:
		tz := h.NoseDepth(0, tip.Y) + maskStandoff
		pz := h.Row(pogY).ZFront + maskStandoff
		ridge = tz + (pz-tz)*(y-tip.Y)/(pogY-tip.Y)
	default:
		return math.Inf(-1)
	}
	return ridge - maskTentSlope*math.Abs(x)
}

// Sunglasses geometry (head units; millimetres at 63 mm per unit in the comments).
const (
	// lensDepth is the depth of the lens centres, 2 mm in front of the eye plane and 8 mm in
	// front of the centroid of the eye landmarks (their corners lie 7-13 mm behind the lids).
	// A lens sits about 12 mm in front of the cornea (the vertex distance), but wrapped
	// sunglasses seen from the side still cover the near eye and, past the nose, the far one:
	// measured on AFLW2000-3D faces turned 45-60°, lens centres 8 mm in front of the eye
	// outlines cover both eyes as annotated in 98-99% of faces, 14 mm in 93-95%.
	lensDepth = 2.0 / 63
	// lensFaceForm is the outward tilt of each lens (the frame's face-form wrap, 10°), and
	// lensCurve the radius of each lens's own curvature (88 mm, a base-6 curve).
	lensFaceForm = 10 * math.Pi / 180
	lensCurve    = 88.0 / 63
	// bridgeClearance keeps the frame off the nose: where the lenses would cut into it (the
	// bridge and the nose pads), the frame follows the nose 3 mm in front.
	bridgeClearance = 3.0 / 63
	// glassesTilt is the pantoscopic tilt: the lower rims sit nearer the cheeks (8°).
	glassesTilt = 0.14
	// glassesHinge is |x| of the hinges, where the temples turn back toward the ears: the
	// frame's front is about as wide as the face at the eye line.
	glassesHinge = 0.88
	// templeAngle is the temples' angle from the image plane (80°): they run back along the
	// head to the ears, so from the front they show as short stubs and from the side at length.
	templeAngle = 80 * math.Pi / 180
)

// glassesSurface lifts frontal (x, y) onto a pair of sunglasses: two lenses in front of the
// eyes (x = ±0.5), each tilted outward and curved, joined by a bridge over the nose, and
// beyond the hinges the temples running back.
func glassesSurface(h *face3d.Head, x, y float64) face3d.Vec3 {
	ax := math.Abs(x)
	front := func(ax float64) float64 {
		u := ax - 0.5 // from the eye's centre, outward
		z := lensDepth - u*math.Tan(lensFaceForm) - u*u/(2*lensCurve) - glassesTilt*y
		return math.Max(z, h.NoseDepth(x, y)+bridgeClearance)
	}
	if ax <= glassesHinge {
		return face3d.Vec3{X: x, Y: y, Z: front(ax)}
	}
	d := (ax - glassesHinge) / math.Cos(templeAngle) // length along the temple
	return face3d.Vec3{X: x, Y: y, Z: front(glassesHinge) - d*math.Sin(templeAngle)}
}
