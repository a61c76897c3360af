package synth

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/face3d"
	"github.com/occfer/occfer/landmarks/face68"
)

// View is a head pose to draw a face at: yaw and pitch in degrees, with face3d's conventions
// (yaw > 0 turns the face toward image right, pitch > 0 tilts it up). The identity's own roll
// (±15°), size and position still apply on top.
type View struct{ Yaw, Pitch float64 }

// MaxViewYaw and MaxViewPitch bound View: beyond them the far eye and brow leave the face's
// outline, which this 2-D drawing does not hide.
const (
	MaxViewYaw   = 70
	MaxViewPitch = 30
)

// PosedLandmarks are the 68 landmarks of a posed face in pixel-centre coordinates, in the two
// conventions for the jaw contour (0-16) of a turned face; points 17-67 are the same in both.
type PosedLandmarks struct {
	// Visible puts a jaw point that turned away from the camera on the face's visible outline
	// at its height, as 300-W and dlib annotate.
	Visible face68.Shape
	// Hidden puts every jaw point where its 3-D position projects, behind the face when it
	// turned away, as AFLW2000-3D, 3DDFA and FAN-3D annotate.
	Hidden face68.Shape
}

// PosedFace draws the face of Face(seed, rel, class, size) turned to view v, with exact
// landmarks in both jaw conventions. The landmark geometry is the face's own 2-D layout
// lifted onto a 3-D head (face3d.ReferenceHead's depths stretched to this face's outline),
// rotated and projected; the drawing follows: every feature is drawn through the same
// projection (foreshortened, shifted by its depth), the head's fill is its projected outline,
// and the nose is filled so that it hides what lies behind it. View{} gives Face's image and
// landmarks (in both conventions).
func PosedFace(seed uint64, rel string, class, size int, v View) (*image.RGBA, PosedLandmarks, error) {
	var pl PosedLandmarks
	if math.Abs(v.Yaw) > MaxViewYaw || math.Abs(v.Pitch) > MaxViewPitch || math.IsNaN(v.Yaw+v.Pitch) {
		return nil, pl, fmt.Errorf("synth: view yaw %g, pitch %g outside ±%d, ±%d", v.Yaw, v.Pitch, MaxViewYaw, MaxViewPitch)
	}
	if v == (View{}) {
		img, lm, err := Face(seed, rel, class, size)
		return img, PosedLandmarks{lm, lm}, err
	}
	if class < 0 || class >= len(ClassNames) {
		return nil, pl, fmt.Errorf("synth: class %d out of range 0..%d", class, len(ClassNames)-1)
	}
	if size < MinSize || size > MaxSize {
		return nil, pl, fmt.Errorf("synth: size %d out of range %d..%d", size, MinSize, MaxSize)
	}
	f := newFace(seed, rel, class)
	ps, err := newPoser(f, size, v)
	if err != nil {
		return nil, pl, err
	}
	img := f.drawPosed(ps, size, dataset.ItemRNG(seed, rel, "synth/noise"))
	pl.Visible, pl.Hidden = ps.landmarks(f)
	return img, pl, nil
}

// poser carries a face's 3-D head and a view: canonical points are lifted onto the head,
// rotated, then placed by the identity's 2-D pose (scale, roll, shift).
type poser struct {
	h    *head3d
	rot  face3d.Pose // rotation only (scale 1, at the origin)
	flat func(face68.Point) face68.Point
}

func newPoser(f *face, size int, v View) (*poser, error) {
	h, err := newHead3d(f)
	if err != nil {
		return nil, err
	}
	return &poser{h: h, rot: face3d.NewPose(v.Yaw, v.Pitch, 0, 1, 0, 0), flat: poseFunc(f.id, size)}, nil
}

// project places a canonical 3-D point in the image (continuous coordinates).
func (ps *poser) project(v face3d.Vec3) face68.Point {
	q := ps.rot.Project(v)
	return ps.flat(face68.Point{X: q.X, Y: q.Y})
}

// pose is the canvas transform: a canonical 2-D point on the face, lifted and projected.
func (ps *poser) pose(p face68.Point) face68.Point { return ps.project(ps.h.lift(p)) }

// silhouette is the head's visible outline at canonical height y on one side (−1 image left),
// in canonical 3-D, or ok false.
func (ps *poser) silhouette(y, side float64) (face3d.Vec3, bool) {
	v, ok := ps.h.head.Silhouette(ps.rot, y/ps.h.io, side)
	return face3d.Vec3{X: v.X * ps.h.io, Y: v.Y * ps.h.io, Z: v.Z * ps.h.io}, ok
}

// landmarks returns the landmarks in both conventions (pixel-centre coordinates).
func (ps *poser) landmarks(f *face) (visible, hidden face68.Shape) {
	for i, p := range f.lm {
		q := ps.pose(p)
		hidden[i] = face68.Point{X: q.X - 0.5, Y: q.Y - 0.5}
	}
	visible = hidden
	for j := 0; j <= 16; j++ {
		if j == 8 {
			continue
		}
		side := math.Copysign(1, f.lm[j].X)
		y := f.lm[j].Y / ps.h.io
		if ps.rot.Facing(ps.h.head.Normal(side*math.Pi/2, y)) >= 0 {
			continue // facing the camera or edge-on: on the outline in both conventions
		}
		if v, ok := ps.silhouette(f.lm[j].Y, side); ok {
			q := ps.project(v)
			visible[j] = face68.Point{X: q.X - 0.5, Y: q.Y - 0.5}
		}
	}
	return visible, hidden
}

// outline returns the head's projected outline in image coordinates (the visible outline of
// each row, down the image-left side and back up the image-right side), and the outline of
// the face and the sides of the head up to the ears: each row's visible part limited to
// earAngle from the front.
func (ps *poser) outline(f *face) (full, face []face68.Point) {
	top, chin := f.jawTop-f.id.foreheadH, f.id.chinY
	var left, right, fl, fr []face68.Point
	const n = 64
	for i := 0; i <= n; i++ {
		y := top + (chin-top)*float64(i)/n
		for _, side := range []float64{-1, 1} {
			v, ok := ps.silhouette(y, side)
			if !ok {
				continue
			}
			ear := ps.h.head.At(side*earAngle, y/ps.h.io)
			lim := face3d.Vec3{X: ear.X * ps.h.io, Y: ear.Y * ps.h.io, Z: ear.Z * ps.h.io}
			fv := v
			if v.Z < lim.Z { // the outline lies behind the ear: the face part ends at the ear
				fv = lim
			}
			if side < 0 {
				left, fl = append(left, ps.project(v)), append(fl, ps.project(fv))
			} else {
				right, fr = append(right, ps.project(v)), append(fr, ps.project(fv))
			}
		}
	}
	return append(left, reversed(right)...), append(fl, reversed(fr)...)
}

// earAngle is how far round the head (from the front, radians) skin shows before the ear
// and the hair behind it: 105°.
const earAngle = 105 * math.Pi / 180

// drawPosed is draw for a turned head: the same layers, through the 3-D projection.
func (f *face) drawPosed(ps *poser, size int, noise *rand.Rand) *image.RGBA {
	c := newCanvas(size, ps.pose)
	f.drawBackground(c)
	outline := f.drawHeadPosed(c, ps)
	// Features are clipped to the face: at the far outline the mouth's corner and lips reach
	// the silhouette of the head's convex hull, which a real face's recessed corners do not.
	clip := c.coverageImage(outline)
	nose := f.noseOutline(ps)
	for i, v := range c.coverageImage(nose).Pix {
		clip.Pix[i] = max(clip.Pix[i], v)
	}
	c.clip = clip
	f.drawEyes(c)
	f.drawBrows(c)
	c.fillImage(nose, f.id.skin.scale(1.03), 1)
	f.drawNose(c)
	f.drawMouth(c)
	c.clip = nil
	f.light(c, noise)
	return c.img
}

// drawHeadPosed draws shoulders and neck (they do not turn with the head), the hair behind
// the head (moved toward the back of the turned head), the head's outline, and the fringe. It
// returns the outline of the face's skin.
func (f *face) drawHeadPosed(c *canvas, ps *poser) []face68.Point {
	id := f.id
	flat := func(pts []face68.Point) []face68.Point {
		out := make([]face68.Point, len(pts))
		for i, p := range pts {
			out[i] = ps.flat(p)
		}
		return out
	}
	shoulders, neck := f.shouldersNeck()
	c.fillImage(flat(shoulders), id.cloth, 1)
	c.fillImage(flat(neck), id.skin.scale(0.8), 1)
	if hair := f.backHair(); hair != nil {
		// the back of the head comes into view opposite the nose
		back := ps.rot.Project(face3d.Vec3{Z: -1.4 * ps.h.io})
		for i := range hair {
			hair[i].X += back.X
		}
		c.fillImage(flat(hair), id.hair, 1)
	}
	full, face := ps.outline(f)
	if id.hairBack {
		c.fillImage(full, id.hair, 1) // the back of the head, behind the ear, is hair
	} else {
		c.fillImage(full, id.skin.scale(0.95), 1)
		face = full
	}
	c.fillImage(face, id.skin, 1)
	c.fill(f.fringe(-0.5), id.hair, 1)
	return face
}

// noseOutline is the nose's projected outline: on a turned head it stands out of the face and
// hides part of the far cheek and eye, so it is filled (drawPosed) before its lines are drawn.
func (f *face) noseOutline(ps *poser) []face68.Point {
	var pts []face68.Point
	for i := 27; i <= 35; i++ {
		pts = append(pts, ps.pose(f.lm[i]))
	}
	side := 0.45 * f.id.noseW
	for _, i := range []int{27, 28, 29} {
		pts = append(pts, ps.pose(face68.Point{X: -side, Y: f.lm[i].Y}), ps.pose(face68.Point{X: side, Y: f.lm[i].Y}))
	}
	return face68.ConvexHull(pts)
}
