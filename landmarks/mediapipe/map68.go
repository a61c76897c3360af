package mediapipe

// ibug68 is, for each iBUG-300W landmark 0-67, the FaceMesh vertex (of 468) taken for it.
// FaceMesh's canonical mesh has no 68-point subset, so this is our own table: face-oval,
// lip, eye and brow loops of the mesh topology matched to the iBUG definitions, checked by
// drawing both on real faces, and the jaw spacing and points 27, 31 and 35 set to the vertex
// nearest the human annotation on average over the frontal (|yaw| < 15 deg) faces of the
// AFLW2000-3D measurement set (docs/occlude.md, "MediaPipe landmarker"). Image left is the
// subject's right, as in iBUG.
var ibug68 = [68]int{
	// 0-16 jaw: face oval from the subject's right ear level over the chin (152) to the left
	127, 234, 93, 58, 172, 136, 150, 176, 152, 400, 379, 365, 397, 288, 361, 454, 356,
	// 17-21 right brow, outer to inner; 22-26 left brow, inner to outer
	70, 63, 105, 66, 107, 336, 296, 334, 293, 300,
	// 27-30 nose bridge to tip; 31-35 nostril base from image left to right (33 subnasale)
	6, 197, 5, 4, 75, 97, 2, 326, 305,
	// 36-41 right eye: outer corner, upper outer, upper inner, inner corner, lower inner, lower outer
	33, 160, 158, 133, 153, 144,
	// 42-47 left eye: inner corner, upper inner, upper outer, outer corner, lower outer, lower inner
	362, 385, 387, 263, 373, 380,
	// 48-59 outer lips: right corner, upper lip to the left corner, lower lip back
	61, 39, 37, 0, 267, 269, 291, 321, 314, 17, 84, 91,
	// 60-67 inner lips
	78, 82, 13, 312, 308, 317, 14, 87,
}

// Mesh vertices the re-crop between FaceMesh passes levels the eye line with (outer eye
// corners: subject's right, left).
const (
	meshRightEyeOuter = 33
	meshLeftEyeOuter  = 263
)
