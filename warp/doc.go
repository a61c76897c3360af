// Package warp places overlay templates (face masks, sunglasses) on faces
// given their 68 landmarks, composites them realistically, and measures how
// much of the face, eyes and mouth an occluder covers.
//
// # Templates
//
// A template is an 8-bit RGBA PNG plus a JSON spec beside it (see Spec):
//
//	{"kind": "mask", "style": "surgical", "colour": "blue", "variant": "frontal",
//	 "group": "mask_surgical_blue", "transform": "piecewise", "image": "x.png",
//	 "anchors": [{"name": "nose_bridge", "template": [279.5, 52], "face": "mid(28,29)", "side": "both"}, ...]}
//
// Each anchor names a template pixel and the face point (FacePoint: a
// landmark index or mid/mean/lerp/w combination) it must land on. The
// transform is fitted by least squares over all anchors (fit.go; no OpenCV
// in the fits): similarity (sunglasses: eye line, scaled by eye distance,
// rotated with roll), affine, homography, or piecewise. Masks use piecewise:
// two homographies, one per half, split along the line through the two
// "both" anchors (nose bridge and chin), each fitted to those two plus its
// side's cheek (jaw point at nose height) and jaw (at lip height) anchors,
// then refitted with a shared third seam point so that both halves map the
// whole seam identically (placePiecewise). The mask thus bends along the
// face's midline and follows the jaw on each side, which a single homography
// (a flat sheet) cannot, with no crack or step at the seam.
//
// # Yaw
//
// The face's yaw ratio (face68.Shape.YawRatio) is roll-invariant, in [-1, 1], positive
// when the nose points toward image right. With Options.YawAware, Apply replaces a template
// by its "right" variant above DefaultYawThreshold (0.25, about 25° of turn),
// by its "left" variant below −0.25, and keeps "frontal" in between. Side
// variants are drawn for a 28° turn (assetgen), with the far side
// foreshortened and the far ear loop hidden.
//
// # Compositing
//
// Apply warps a cached, pre-scaled, premultiplied copy of the template
// (levels.go) with OpenCV's bilinear warpPerspective/warpAffine, blurs it with
// σ = max(Feather, the blur that brings its edge width up to the face's),
// scales its colour by the face's mean luma inside the face polygon (with a
// left-right shading gradient and optional jitter), adds luma noise at the
// face's estimated noise level, and alpha-blends it in place. Result.Mask is
// the binary coverage (final alpha ≥ 0.5) that Coverage turns into face,
// eye and mouth fractions; Coverage takes any Mask, so random occluders use
// it too.
//
// Templates are safe for concurrent Apply calls (the level cache is locked).
// Given the same image, landmarks, template, options and rng state, Apply
// writes the same bytes.
package warp
