// Package warp places overlay templates (face masks, sunglasses) on faces
// given their 68 landmarks, composites them realistically, and measures how
// much of the face, eyes and mouth an occluder covers.
//
// # Templates
//
// A template is an 8-bit RGBA PNG, drawn as seen on a frontal face, plus a
// JSON spec beside it (see Spec):
//
//	{"kind": "mask", "style": "surgical", "colour": "blue", "transform": "piecewise",
//	 "image": "x.png",
//	 "anchors": [{"name": "nose_bridge", "template": [279.5, 52], "face": "mid(28,29)", "side": "both"}, ...]}
//
// Each anchor names a template pixel and the face point (FacePoint: a
// landmark index or mid/mean/lerp/w combination) it lands on. The anchors fit
// the template onto face3d's frontal reference face (fit.go, place.go:
// similarity for sunglasses on the eye line; for masks "piecewise", one
// homography per face half, split along the nose bridge–chin line, with the
// cheeks and the jaw at lip height on either side). That fit only says where
// the drawing lies on a frontal face; the face in the image is reached in 3-D.
//
// # Placement (mesh.go, surface.go, place3d.go)
//
// Each template is draped over a 3-D surface in face3d's head frame, keeping
// its frontal layout: a mask over the head surface 4 mm off the skin, tented
// from the nose ridge (over the bridge and the tip, straight down to the chin,
// not into the lips), flaring back beyond the face's outline toward the ears
// and under the chin; sunglasses as two lenses in front of the eyes, tilted
// outward and curved, a bridge over the nose, and temples running back from
// the hinges. The surface is a triangle mesh (a grid in frontal coordinates,
// dense near the head's silhouette), built once per template.
//
// For a face, Apply fits the head pose to landmarks 17-67 (face3d.FitPose),
// projects the mesh with it and moves each vertex by the residuals (landmark
// minus fitted reference) of the landmarks near it, weighted by a Gaussian of
// their 3-D distance: nose, lips, lower lids and jaw for masks, each eye and
// the nose bridge for sunglasses. A jaw landmark counts only where it lies on
// the face's visible outline (face3d.ClassifyJaw), so visible-contour (dlib,
// 300-W) and hidden-contour (AFLW2000-3D) landmarks place alike. When the
// landmarks fit no face well (RMS above maxRefineRMS) or their residuals
// would fold the mesh even damped by half, the surface is placed with the
// pose alone (Result.Placement says which).
//
// # Drawing (render3d.go)
//
// Triangles facing away from the camera are dropped (the far side of a turned
// mask, the far temple); the nearest surface wins at each pixel (a depth
// buffer), with the reference nose drawn into it first for sunglasses, so the
// nose hides the far lens of a head in near profile. Each triangle samples a
// cached, pre-scaled, premultiplied copy of the template (levels.go, chosen
// per triangle by its magnification) bilinearly through its affine map; edges
// where the surface turns away are anti-aliased by their exact coverage. A
// mask is then cut below the eyes (keepout.go) and, on a face turned by
// MinSilhouetteYaw or more, beyond the face's far outline, found by OpenCV's
// GrabCut with the near half of the face never cut (silhouette.go).
//
// # Compositing
//
// The drawn overlay is blurred with σ = max(Feather, the blur that brings its
// edge width up to the face's), its colour scaled by the face's mean luma
// inside the face polygon (with a left-right shading gradient and optional
// jitter), luma noise at the face's estimated level is added, and it is
// alpha-blended in place. Result.Mask is the binary coverage (final alpha ≥
// 0.5) that Coverage turns into face, eye and mouth fractions; Coverage takes
// any Mask, so random occluders use it too.
//
// Templates are safe for concurrent Apply calls (the level cache is locked,
// the mesh built once). Given the same image, landmarks, template, options and
// rng state, Apply writes the same bytes.
package warp
