// Package face3d is the project's 3-D reference face and head pose estimation: the 68 iBUG
// landmarks and a head surface in 3-D, the pose (yaw, pitch, roll, scale, position) that
// projects them onto a face's 2-D landmarks, and which jaw-contour landmarks of a turned face
// lie on its visible outline. Package warp places masks and sunglasses with it; package synth
// draws turned faces with it. It has no cgo dependency.
//
// # Head frame
//
// Head coordinates (Vec3) are in units of the inter-ocular distance (the distance between the
// two eye centres, the centroids of landmarks 36-41 and 42-47; about 63 mm on an adult): x
// toward image right on a frontal face (the subject's left), y down, z out of the face toward
// the camera. The origin is midway between the eye centres, at the depth of the eyes (their
// lid margins). The 2-D part of the reference is the frontal mean shape of package landmarks
// (dlib's landmarks of testdata/astronaut.png averaged with their mirror image); depths come
// from published anthropometric measurements, see docs/face3d.md.
//
// # Pose
//
// A Pose maps head coordinates to image pixels by scaled orthographic projection (weak
// perspective, the usual model for faces much smaller than their distance to the camera):
//
//	image (x, y) = Scale · (R·v).xy + (X, Y),   R = Rz(Roll) · Rx(Pitch) · Ry(Yaw)
//
// with image x right and y down. The head is turned by Yaw about its vertical axis, then
// tilted by Pitch about the image's horizontal axis, then rolled by Roll in the image plane.
// Angles are degrees:
//
//   - Yaw > 0: the face turns toward image right (the nose points to image right, the subject
//     looks to their left); the image-left side of the face comes toward the camera.
//   - Pitch > 0: the face tilts up (the nose points up, the chin comes forward).
//   - Roll > 0: the face rotates clockwise on screen (the image-right eye drops), the sign of
//     face68.Shape.Roll.
//
// FitPose estimates a Pose from 68 landmarks using only points 17-67 (brows, eyes, nose,
// mouth), on which every annotation convention agrees; the jaw contour (0-16) differs between
// conventions on a turned face (see JawOutline).
package face3d
