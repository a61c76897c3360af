// Package synth draws a small procedural facial-expression dataset in the RAF-DB "basic"
// layout, with a 68-point iBUG landmarks file, because RAF-DB itself cannot ship with the
// project and tests and demos still need expression images with known labels and landmarks.
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
// brows are Anger's (lowered and knitted, not lowered inner only). Masking the mouth makes
// those pairs indistinguishable, which is what an occlusion study needs to measure; the other
// three classes keep brow or eye cues.
//
// Identity (face width, jaw, skin tone, hair, eye spacing, lip thickness), pose (size,
// position, roll within ±15°), lighting gradient, background and sensor noise vary per image.
// All randomness of one image comes from its own RNG seeded by (seed, relative path), so the
// output is byte-identical whatever the worker count.
package synth
