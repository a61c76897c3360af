package landmarks

import (
	"image"

	"github.com/occfer/occfer/landmarks/face68"
)

// Source records where a face's landmarks came from; it ends up in manifests,
// so the values are stable strings.
type Source string

const (
	SourceDetected        Source = "detected"         // HOG detection + shape predictor
	SourceAlignedFallback Source = "aligned-fallback" // predictor on the calibrated aligned-crop box
	SourceFromFile        Source = "from-file"        // a generic landmarks file (face68.LoadFile)
	SourceFromAnnotation  Source = "from-annotation"  // RAF-DB 5-point annotation fitted by face68.FitFrom5
	SourceNoFace          Source = "no-face"          // nothing found and no fallback applied
	SourceUnreadable      Source = "unreadable"       // the image could not be decoded
)

// Detectors that find faces (Face.Detector).
const (
	DetectorHOG     = "hog"     // dlib's HOG frontal face detector (Predictor.DetectFaces)
	DetectorProfile = "profile" // OpenCV's profile-face cascade (ProfileDetector)
	// DetectorBlazeFace is MediaPipe's BlazeFace (short range), run by package
	// landmarks/mediapipe; its Score is a probability in [0, 1].
	DetectorBlazeFace = "blazeface"
)

// Face is one face with its 68 landmarks. Box is half-open (image.Rectangle
// convention; dlib's inclusive right/bottom plus one) and may reach outside
// the image, as dlib's boxes do near borders. Score is the HOG detection
// confidence (larger is surer, detections start at 0); it is 0 for faces
// that were not found by the HOG detector. Detector names the detector that
// found the face ("" when none did: landmarks from a file or a fixed box).
// PoseStart is set when Points come from the predictor's second run, started
// from the head pose fitted to its first (Predictor.PredictBatchPosed). FaceMesh is set
// when Points come from MediaPipe's FaceMesh (package landmarks/mediapipe) instead of dlib's
// shape predictor, run now or, for landmarks from a file, named so by the file's line
// ("landmarker": "facemesh", as occlude align writes it); FaceFlag is then FaceMesh's
// face-presence probability in [0, 1] (0 for landmarks from a file: not recorded there).
type Face struct {
	Box       image.Rectangle
	Score     float64
	Points    face68.Shape
	Source    Source
	Detector  string
	PoseStart bool
	FaceMesh  bool
	FaceFlag  float64
}
