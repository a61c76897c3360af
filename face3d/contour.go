package face3d

import (
	"math"

	"github.com/occfer/occfer/landmarks/face68"
)

// JawKind says how an annotated jaw-contour landmark relates to the fitted head.
type JawKind uint8

const (
	// JawUnknown: the landmark matches neither where the reference jaw point projects nor the
	// head's outline (or both, too closely to tell); it is not used.
	JawUnknown JawKind = iota
	// JawOutline: the reference jaw point faces the camera or is seen edge-on, so it lies on the
	// face's visible outline and every convention puts the landmark there.
	JawOutline
	// JawSilhouette: the reference jaw point is turned away, and the landmark sits on the head's
	// visible outline at its height instead: the visible-contour convention (dlib, 300-W).
	JawSilhouette
	// JawHidden: the reference jaw point is turned away and the landmark sits where it
	// projects, behind the visible face: the hidden-contour convention (AFLW2000-3D, 3DDFA).
	// It is not on the outline.
	JawHidden
)

func (k JawKind) String() string {
	return [...]string{"unknown", "outline", "silhouette", "hidden"}[k]
}

// JawPoint is the classification of one jaw landmark (0-16).
type JawPoint struct {
	Kind JawKind
	// Target is the head point the landmark stands for: the reference jaw point (JawOutline,
	// JawHidden) or the outline point at its height (JawSilhouette).
	Target Vec3
	// Residual is the landmark minus the projected Target, in pixels (JawOutline and
	// JawSilhouette only).
	Residual face68.Point
}

// Thresholds of ClassifyJaw, in inter-ocular distances and cosines.
const (
	// facingHidden: a reference jaw point whose normal faces further away than this (about 9°
	// past edge-on) is turned away; nearer to edge-on, the outline and the point coincide.
	facingHidden = -0.15
	// jawTolerance: a landmark further than this from both candidate positions fits neither.
	jawTolerance = 0.3
	// jawSeparation: the candidates must be this far apart to tell the conventions apart...
	jawSeparation = 0.1
	// jawRatio: ...and the landmark this much nearer to one of them.
	jawRatio = 0.4
)

// ClassifyJaw decides, for each jaw landmark 0-16 of s, whether it lies on the visible outline
// of the head h seen with pose p (see JawKind). Landmarks of either contour convention thus
// give the same outline: a hidden-contour landmark on the far side of a turned face is
// recognised and left out rather than pulling an overlay inside the face.
func (h *Head) ClassifyJaw(p Pose, s *face68.Shape) [17]JawPoint {
	var out [17]JawPoint
	for j := 0; j <= 16; j++ {
		ref := Reference[j]
		side := math.Copysign(1, ref.X)
		alpha := side * math.Pi / 2
		if j == 8 {
			alpha = 0
		}
		obs := s[j]
		if !finiteP(obs) {
			continue
		}
		refImg := p.Project(ref)
		n := h.Normal(alpha, ref.Y)
		if p.Facing(n) > facingHidden {
			out[j] = JawPoint{Kind: JawOutline, Target: ref, Residual: sub(obs, refImg)}
			if face68.Distance(obs, refImg) > jawTolerance*p.Scale {
				out[j].Kind = JawUnknown
			}
			continue
		}
		sil, ok := h.Silhouette(p, ref.Y, side)
		if !ok {
			continue
		}
		silImg := p.Project(sil)
		dA, dB := face68.Distance(obs, refImg), face68.Distance(obs, silImg)
		switch {
		case math.Min(dA, dB) > jawTolerance*p.Scale:
		case face68.Distance(refImg, silImg) < jawSeparation*p.Scale:
			// the conventions agree here: the landmark is on the outline
			out[j] = JawPoint{Kind: JawSilhouette, Target: sil, Residual: sub(obs, silImg)}
		case dB < jawRatio*dA:
			out[j] = JawPoint{Kind: JawSilhouette, Target: sil, Residual: sub(obs, silImg)}
		case dA < jawRatio*dB:
			out[j] = JawPoint{Kind: JawHidden, Target: ref}
		}
	}
	return out
}

// VisibleShape is the reference face (Reference) seen with pose p in the visible-contour
// convention (300-W, dlib): landmarks 17-67 and the jaw points facing the camera where they
// project, each jaw point turned away replaced by the head's outline at its height on its side
// (Silhouette; kept where it projects when the whole side faces away). At yaw 0 it equals
// p.ProjectShape(). Image pixels, iBUG order.
func (h *Head) VisibleShape(p Pose) face68.Shape {
	s := p.ProjectShape()
	for j := 0; j <= 16; j++ {
		if j == 8 {
			continue // the chin's point is on the outline at any yaw
		}
		ref := Reference[j]
		side := math.Copysign(1, ref.X)
		if p.Facing(h.Normal(side*math.Pi/2, ref.Y)) >= 0 {
			continue
		}
		if sil, ok := h.Silhouette(p, ref.Y, side); ok {
			s[j] = p.Project(sil)
		}
	}
	return s
}
