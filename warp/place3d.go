package warp

import (
	"math"

	"github.com/occfer/occfer/face3d"
	"github.com/occfer/occfer/landmarks/face68"
)

// Placement kinds, recorded per face (Result.Placement, the manifest's "placement").
const (
	// PlacementRefined: the template's surface is posed with the fitted head pose and then
	// moved, around each landmark control, by that landmark's residual (landmark minus fitted
	// reference): the overlay follows this face's nose, lips, eyes and the jaw points that lie
	// on its visible outline (face3d.ClassifyJaw), not only the average face.
	PlacementRefined = "pose+landmarks"
	// PlacementPose: the surface is posed with the fitted pose alone, because the landmarks
	// are not explained well enough by a face (fit RMS above maxRefineRMS) or their residuals
	// would fold the overlay. Always drawable; less tight on unusual faces.
	PlacementPose = "pose"
)

// Limits of the per-landmark refinement.
const (
	// maxRefineRMS is the pose fit's RMS (inter-ocular distances) above which the landmarks
	// are not trusted to refine the overlay: real faces fit to 0.03-0.09 (AFLW2000-3D: median
	// 0.06, 90th percentile 0.085), strong expressions on synth faces (a gaping mouth, raised
	// brows) up to about 0.15; landmarks that are not a face fit far worse.
	maxRefineRMS = 0.2
	// maxControlResidual drops a single control whose residual exceeds this (inter-ocular
	// distances): a landmark that far from the fitted face is a detector error, not a feature.
	maxControlResidual = 0.45
	// maxJawOutward is how far (inter-ocular distances) a jaw landmark outside the reference
	// face may move a mask's edge out. Contours drawn on the hair or the background lie
	// further out. Placed with dlib's landmarks and measured against AFLW2000-3D's
	// annotations, masks pass per yaw band up to 0.7 points more often with 0.04 than with
	// 0.08, and up to 1.1 points less often than with 0 (edge never moved out).
	maxJawOutward = 0.04
	// maxFolded is the share of the overlay's visible area (in triangles that face the camera)
	// the refinement may flip before it is abandoned for pose-only placement.
	maxFolded = 0.03
)

// posedMesh is an overlayMesh on one face: image positions and depths of its vertices.
type posedMesh struct {
	mesh      *overlayMesh
	pose      face3d.Pose
	placement string
	img       []face68.Point // image pixels
	depth     []float64      // toward the camera, head units
	area      []float64      // twice each triangle's signed image area (> 0: facing the camera)
	jaw       [17]face3d.JawPoint
}

// poseMesh places mesh m on the face with landmarks s and fitted pose fit.
func poseMesh(m *overlayMesh, s *face68.Shape, fit face3d.Fit) *posedMesh {
	pm := &posedMesh{mesh: m, pose: fit.Pose, placement: PlacementPose}
	n := len(m.pos)
	pm.img = make([]face68.Point, n)
	pm.depth = make([]float64, n)
	base := make([]face68.Point, n)
	p := fit.Pose
	for v, q := range m.pos {
		pr := p.Project(q)
		base[v] = face68.Point{X: pr.X, Y: pr.Y}
		pm.depth[v] = p.Depth(q)
	}
	copy(pm.img, base)
	baseArea := make([]float64, len(m.tris))
	for i, t := range m.tris {
		baseArea[i] = signedArea(base, t)
	}
	pm.area = append([]float64(nil), baseArea...)
	if fit.RMS > maxRefineRMS {
		return pm
	}
	// residual of each control; NaN marks an unused one
	res := make([]face68.Point, len(m.controls))
	limit := maxControlResidual * p.Scale
	var sil []silControl
	var centre face68.Point // the face's middle in the image: the projected nose
	if m.jaw {
		pm.jaw = face3d.ReferenceHead.ClassifyJaw(p, s)
		centre = p.Project(face3d.Reference[29])
	}
	for k, c := range m.controls {
		var r face68.Point
		if l := c.idx[0]; len(c.idx) == 1 && l <= 16 {
			switch pm.jaw[l].Kind {
			case face3d.JawOutline:
				r = inward(pm.jaw[l].Residual, jawNormal(p, l, centre), maxJawOutward*p.Scale)
			case face3d.JawSilhouette:
				// on the far outline: it moves the overlay near the outline point, not near the
				// hidden reference jaw point, so it gets its own weights below
				// the far outline runs along the head's side: outward is away from the middle
				at := p.Project(pm.jaw[l].Target)
				rs := inward(pm.jaw[l].Residual, unit(at.X-centre.X, at.Y-centre.Y), maxJawOutward*p.Scale)
				if math.Hypot(rs.X, rs.Y) <= limit {
					sil = append(sil, silControl{pm.jaw[l].Target, rs})
				}
				r = face68.Point{X: math.NaN()}
			default:
				r = face68.Point{X: math.NaN()}
			}
		} else {
			for _, l := range c.idx {
				r.X += fit.Residual[l].X / float64(len(c.idx))
				r.Y += fit.Residual[l].Y / float64(len(c.idx))
			}
		}
		if math.Hypot(r.X, r.Y) > limit {
			r = face68.Point{X: math.NaN()}
		}
		res[k] = r
	}
	disp := make([]face68.Point, n)
	for v := range m.pos {
		disp[v] = m.displacement(v, res, sil)
	}
	// A refinement that folds the overlay (landmarks pulling neighbours across each other) is
	// worse than none: it is damped by half, then dropped. Triangles seen almost edge-on may
	// flip by a hair without harm, so the share is by area.
	for _, damp := range []float64{1, 0.5} {
		for v := range pm.img {
			pm.img[v] = face68.Point{X: base[v].X + damp*disp[v].X, Y: base[v].Y + damp*disp[v].Y}
		}
		front, folded := 0.0, 0.0
		for i, t := range m.tris {
			pm.area[i] = signedArea(pm.img, t)
			if a := baseArea[i]; a > 0 {
				front += a
				if pm.area[i] <= 0 {
					folded += a
				}
			}
		}
		if front > 0 && folded <= maxFolded*front {
			pm.placement = PlacementRefined
			return pm
		}
	}
	copy(pm.img, base)
	copy(pm.area, baseArea)
	return pm
}

// displacement is the image displacement of vertex v: the controls' residuals (NaN: unused)
// and the silhouette controls', weighted by their kernels and normalised.
func (m *overlayMesh) displacement(v int, res []face68.Point, sil []silControl) face68.Point {
	var sx, sy, sw float64
	for _, cw := range m.ctrl[v] {
		w := float64(cw.w)
		if r := res[cw.k]; !math.IsNaN(r.X) {
			sx, sy, sw = sx+w*r.X, sy+w*r.Y, sw+w
		}
	}
	if len(sil) > 0 {
		// stored weights are relative to the vertex's largest (mesh.go), and so must these be
		d := m.pos[v]
		var best float64
		for _, cw := range m.ctrl[v] {
			if cw.w == 1 {
				c := m.controls[cw.k]
				best = kernel(sq(d.X-c.at.X)+sq(d.Y-c.at.Y)+sq(d.Z-c.at.Z), c.width(m.sigma))
			}
		}
		for _, c := range sil {
			w := kernel(sq(d.X-c.at.X)+sq(d.Y-c.at.Y)+sq(d.Z-c.at.Z), jawSigma) / best
			if w >= ctrlCutoff {
				sx, sy, sw = sx+w*c.res.X, sy+w*c.res.Y, sw+w
			}
		}
	}
	if sw <= 0 {
		return face68.Point{}
	}
	return face68.Point{X: sx / sw, Y: sy / sw}
}

// silControl is a jaw landmark on the far outline: the head point it stands for and its
// residual.
type silControl struct {
	at  face3d.Vec3
	res face68.Point
}

// signedArea is twice the signed image area of triangle t (> 0: facing the camera).
func signedArea(img []face68.Point, t [3]int32) float64 {
	a, b, c := img[t[0]], img[t[1]], img[t[2]]
	return cross(b.X-a.X, b.Y-a.Y, c.X-a.X, c.Y-a.Y)
}

func sq(v float64) float64 { return v * v }

// inward is a jaw point's residual r with its component along the outward normal n limited to
// maxOutward (pixels): a jaw annotated far outside the reference face (a contour drawn on the
// hair or the background, as predictors do on turned faces) must not pull a mask over the
// background, while faces somewhat wider than the reference, and narrower ones, still move
// the mask's edge. The mouth and nose, which masks must cover, lie inside.
func inward(r, n face68.Point, maxOutward float64) face68.Point {
	if out := r.X*n.X + r.Y*n.Y; out > maxOutward {
		r.X -= (out - maxOutward) * n.X
		r.Y -= (out - maxOutward) * n.Y
	}
	return r
}

// jawNormal is the outward unit normal, in the image, of the projected reference jaw contour
// at jaw point j (from its neighbours), turned away from centre.
func jawNormal(p face3d.Pose, j int, centre face68.Point) face68.Point {
	a, b := p.Project(face3d.Reference[max(j-1, 0)]), p.Project(face3d.Reference[min(j+1, 16)])
	n := face68.Point{X: b.Y - a.Y, Y: -(b.X - a.X)}
	l := math.Hypot(n.X, n.Y)
	if l == 0 {
		return n
	}
	n.X, n.Y = n.X/l, n.Y/l
	at := p.Project(face3d.Reference[j])
	if (at.X-centre.X)*n.X+(at.Y-centre.Y)*n.Y < 0 {
		n.X, n.Y = -n.X, -n.Y
	}
	return n
}

func unit(x, y float64) face68.Point {
	l := math.Hypot(x, y)
	if l == 0 {
		return face68.Point{}
	}
	return face68.Point{X: x / l, Y: y / l}
}
