// Package landmarks finds faces and their 68 iBUG-300W landmarks.
//
// Landmarks come from one of four places, recorded in Face.Source:
//   - dlib's HOG frontal face detector plus its 68-point shape predictor,
//     through a small cgo shim of this package (shim.cpp);
//   - for pre-aligned crops where HOG finds nothing, the shape predictor run
//     on a fixed, calibrated face box (AlignedBox);
//   - a generic landmarks file (LoadFile: JSON lines or CSV);
//   - RAF-DB's 5-point manual annotation, fitted to a mean 68-point shape
//     (LoadRAFAnnotation, FitFrom5).
//
// Geometry helpers (eye centres, roll, yaw, mirror, region polygons) serve
// the overlay and occlusion packages.
package landmarks
