package face3d

import (
	"fmt"
	"math"

	"github.com/occfer/occfer/landmarks/face68"
)

// Pose is a head pose: how head coordinates project into the image (see the package comment
// for the model and the sign conventions).
type Pose struct {
	Yaw, Pitch, Roll float64 // degrees
	Scale            float64 // image pixels per head unit (the inter-ocular distance of a frontal face)
	X, Y             float64 // image position of the head origin (midway between the eye centres)
	R                Mat33   // Rz(Roll)·Rx(Pitch)·Ry(Yaw), kept with the angles
}

// NewPose builds the pose with the given angles (degrees), scale and image position.
func NewPose(yaw, pitch, roll, scale, x, y float64) Pose {
	r := rotZ(rad(roll)).Mul(rotX(rad(pitch))).Mul(rotY(rad(yaw)))
	return Pose{Yaw: yaw, Pitch: pitch, Roll: roll, Scale: scale, X: x, Y: y, R: r}
}

// poseFromRotation fills the angles from a rotation matrix (inverse of NewPose's
// composition). With R = Rz(c)·Rx(b)·Ry(a): R[2][1] = sin b, R[2][0] = −cos b·sin a,
// R[2][2] = cos b·cos a, R[0][1] = −sin c·cos b, R[1][1] = cos c·cos b.
func poseFromRotation(r Mat33, scale, x, y float64) Pose {
	b := math.Asin(clamp(r[2][1], -1, 1))
	a := math.Atan2(-r[2][0], r[2][2])
	c := math.Atan2(-r[0][1], r[1][1])
	return Pose{Yaw: deg(a), Pitch: deg(b), Roll: deg(c), Scale: scale, X: x, Y: y, R: r}
}

// Rotate returns v in camera orientation (head rotation applied, not scaled): x right, y down,
// z toward the camera.
func (p Pose) Rotate(v Vec3) Vec3 { return p.R.apply(v) }

// Project returns the image position of head point v.
func (p Pose) Project(v Vec3) face68.Point {
	return face68.Point{X: p.X + p.Scale*p.R.row(0).dot(v), Y: p.Y + p.Scale*p.R.row(1).dot(v)}
}

// Depth is how far head point v lies toward the camera, in head units (larger is nearer).
func (p Pose) Depth(v Vec3) float64 { return p.R.row(2).dot(v) }

// Facing is the cosine between the head-frame direction n (a surface normal) and the
// direction toward the camera: > 0 when a surface with that normal faces the camera.
func (p Pose) Facing(n Vec3) float64 { return p.R.row(2).dot(n) }

// ProjectShape projects the 68 reference landmarks (Reference) with the pose.
func (p Pose) ProjectShape() face68.Shape {
	var s face68.Shape
	for i, v := range Reference {
		s[i] = p.Project(v)
	}
	return s
}

// String gives the pose in the package's terms, for messages.
func (p Pose) String() string {
	return fmt.Sprintf("yaw %.1f° pitch %.1f° roll %.1f° scale %.1f px at (%.1f, %.1f)", p.Yaw, p.Pitch, p.Roll, p.Scale, p.X, p.Y)
}
