// Package audit scores an occluded dataset's occlusion masks against 68-point landmarks
// (iBUG-300W order), so that an FM/SG set can be checked before it is trusted: it reads an
// occlude output folder (manifest.jsonl and the masks of occlude --write-masks,
// occlusion_masks/<rel>.png, 255 = occluded) and, per face, measures how much of the mouth,
// the nose points and the eyes the occluder hides and how much of it lies outside the face
// (Metrics), applies the pass rules of issue 8 (RulesFor), groups faces by yaw band (Bands;
// yaw from a pose file, the manifest, or EstimateYaw) and reports pass rates and median
// metrics per band (Report), with a contact sheet of the worst cases (Report.Sheet).
//
// Ground truth is a landmarks file (landmarks.LoadFile: JSON lines or CSV, one face per
// image) when given, else the landmarks occlude recorded in the manifest. Against a file, a
// face that occlude missed, or an image that failed, is a failed face: the audit measures
// the whole path, detection included.
//
// The package needs no OpenCV: masks and images are decoded with the standard library and
// golang.org/x/image, areas are computed with golang.org/x/image/vector.
package audit
