// Package synth draws a small procedural facial-expression dataset in the RAF-DB "basic"
// layout, with a 68-point iBUG landmarks file, because RAF-DB itself cannot ship with the
// project and tests and demos still need expression images with known labels and landmarks.
//
// Labels are balanced per split (class counts differ by at most one) and shuffled with the
// split's own RNG. Landmarks are in pixel-centre coordinates (pixel (i, j) has its centre at
// (i, j), as in dlib and OpenCV).
//
// Every face is drawn from one geometry: the same numbers place the 68 landmarks and the
// polygons that are filled, so the landmarks agree with the pixels (up to JPEG and the
// anti-aliased edge). Drawing uses golang.org/x/image/vector, whose rasterizer computes exact
// area coverage per pixel, so edges are anti-aliased analytically without supersampling.
//
// Classes (index 0..6, label value index+1), as RAF-DB orders them:
//
//	class      mouth                          brows                   eyes
//	Surprise   open O                         raised                  wide
//	Fear       wide stretched, teeth          raised                  wide
//	Disgust    asymmetric raised upper lip    lowered + knitted       narrowed
//	Happiness  upturned smile, teeth          relaxed                 slightly narrowed
//	Sadness    downturned                     inner ends up           neutral
//	Anger      tight pressed, thin lips       lowered + knitted       narrowed
//	Neutral    neutral line                   neutral                 neutral
//
// Two pairs differ ONLY in the mouth: Surprise/Fear and Disgust/Anger (see MouthOnlyPairs).
// To get them, Fear's brows are plain raised (not raised with inner ends up) and Disgust's
// brows are Anger's (lowered and knitted, not lowered inner only). Disgust's lip raise is
// always on the image-right side. Hiding the mouth makes those pairs indistinguishable, which
// is what an occlusion study needs to measure; Happiness, Sadness and Neutral keep brow or eye
// cues. Measured with a nearest-class-mean classifier on eye-aligned pixels (synth tests,
// seed 7, 700 train / 350 test): 71.7% overall unmasked; Surprise/Fear 85.2% -> 50.0% and
// Disgust/Anger 72.3% -> 52.2% with the lower face (jaw 3-13 + nose 31-35 hull) blacked out.
//
// A trap for occlusion masks: blacking out exactly the hull of the lip landmarks 48-67 does
// not hide the mouth-only pairs (98.9% and 95.5% pair accuracy), because the black shape is
// the mouth's outline. A mask that should remove mouth information needs an outline that no
// expression moves.
//
// Identity (face width, jaw, skin tone, hair, eye spacing, lip thickness), pose (size,
// position, roll within ±15°), lighting gradient, background and sensor noise vary per image.
// All randomness of one image comes from dataset.ItemRNG(seed, relative path, purpose), so the
// output is byte-identical whatever the worker count.
//
// # Turned faces
//
// PosedFace draws the same face at a given yaw and pitch (up to 70° and 30°), for tests that
// need turned faces with exact landmarks. The face's 2-D layout is lifted onto a 3-D head:
// face3d.ReferenceHead's depth profile stretched to this face's outline, plus the reference
// landmarks' relief (recessed eye and mouth corners) around this face's landmarks; it is
// rotated and projected, and every feature is drawn through the same projection. The head's
// fill is its projected outline (skin to the ears, hair behind), the nose is filled so that it
// hides the far cheek, features are clipped to the face, and neck and shoulders do not turn.
// The landmarks come in both jaw conventions: Visible (the far jaw on the face's outline, as
// 300-W and dlib annotate) and Hidden (where the 3-D jaw projects, as AFLW2000-3D does).
// Generate does not draw turned faces; its output is unchanged.
package synth
