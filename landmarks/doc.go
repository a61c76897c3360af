// Package landmarks finds faces and their 68 iBUG-300W landmarks (face68.Shape).
//
// Landmarks come from one of four places, recorded in Face.Source:
//   - dlib's HOG frontal face detector plus its 68-point shape predictor,
//     through a small cgo shim of this package (shim.cpp);
//   - for pre-aligned crops where HOG finds nothing, the shape predictor run
//     on a fixed, calibrated face box (AlignedBox);
//   - a generic landmarks file (face68.LoadFile: JSON lines or CSV);
//   - RAF-DB's 5-point manual annotation, fitted to a mean 68-point shape
//     (face68.LoadRAFAnnotation, face68.FitFrom5).
//
// This package is the dlib binding; the landmark types, their geometry and the file readers
// are in the cgo-free package landmarks/face68.
package landmarks
