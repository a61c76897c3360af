// Package face68 is the 68-point face landmark layout of iBUG-300W, in pure Go (no cgo), so
// that every package handling landmarks (landmarks' dlib binding, warp, occlusion, synth)
// shares one Point and one Shape, and a program that only reads landmark files needs
// neither dlib nor OpenCV.
//
// It holds the types and their geometry (eye centres, inter-ocular distance, roll, a yaw
// ratio, mirror, bounding box, the face/eye/mouth regions that coverage is measured on), the
// generic landmarks file (LoadFile, AppendJSONL: JSON lines or CSV, docs/design.md), RAF-DB's
// 5/37-point annotations (LoadRAFAnnotation) and the fit of 5 points to a full shape
// (FitFrom5).
//
// Coordinates are image pixels: x right, y down, pixel centres at integer values (as in
// dlib and OpenCV). "Right" and "left" name the subject's sides, as iBUG-300W does: the right
// eye (36-41) is on the image left.
package face68
