package occlusion

import "github.com/occfer/occfer/imageio"

// Status values of a manifest record. The first four say where the landmarks of an occluded
// image came from; the others say why an image was not occluded.
const (
	StatusDetected       = "detected"         // dlib HOG detector + 68-point predictor
	StatusAlignedFB      = "aligned-fallback" // no detection on an aligned crop: predictor on the calibrated box
	StatusFromFile       = "from-file"        // generic landmarks file (--landmarks or root landmarks68.jsonl)
	StatusFromAnnotation = "from-annotation"  // RAF-DB Annotation/ landmarks (Image/original)
	StatusNoFace         = "no-face"          // no face found: copied unchanged or skipped (see Action)
	StatusUnreadable     = "unreadable"       // the file could not be decoded
	StatusError          = "error"            // decoded, but occluding or writing it failed
)

// Problem codes of Summary.Untrusted.
const (
	CodeOutputLink      = "output-link"      // a symbolic link in OUT, removed
	CodeUntrustedRecord = "untrusted-record" // a manifest or journal record that failed validation: redone
)

// CodeNameNotUTF8 is the Summary.Problems code of an input image whose path is not valid
// UTF-8: it is skipped, since the JSON manifest cannot record it.
const CodeNameNotUTF8 = "name-not-utf8"

// Action values: what happened to the output file.
const (
	ActionWritten = "written" // occluded image written to Out
	ActionCopied  = "copied"  // input bytes copied unchanged to Out (no-face policy "copy")
	ActionSkipped = "skipped" // nothing written
)

// Record is one line of manifest.jsonl: everything needed to audit or reproduce one image.
// Field order is fixed by the struct, so equal records encode to equal bytes.
type Record struct {
	In     string       `json:"in"`               // input path relative to the input root
	Out    string       `json:"out,omitempty"`    // output path relative to Out ("" when nothing was written)
	Status string       `json:"status"`           // Status* constant
	Action string       `json:"action"`           // Action* constant
	Width  int          `json:"width,omitempty"`  // decoded image size
	Height int          `json:"height,omitempty"` //
	Seed   uint64       `json:"seed"`             // run seed; per-item streams are ItemRNG(seed, in, purpose)
	Format *InputFormat `json:"format,omitempty"` // the input's pixel format (decoded images only)
	Faces  []FaceRecord `json:"faces,omitempty"`
	Mask   string       `json:"mask,omitempty"`   // rel path of the binary occlusion mask (--write-masks)
	SHA256 string       `json:"sha256,omitempty"` // of the output file; resume checks it
	Error  string       `json:"error,omitempty"`
}

// FaceRecord describes one occluded face.
type FaceRecord struct {
	Source    string         `json:"source"`             // detected, aligned-fallback, from-file, from-annotation
	Box       [4]int         `json:"box"`                // face box x0, y0, x1, y1 (detector box, or landmark bounds), clipped to the image
	Score     *float64       `json:"score,omitempty"`    // HOG score or BlazeFace probability, rounded to 1e-4 (those detections only)
	Detector  string         `json:"detector,omitempty"` // hog, hog-rotated, profile or blazeface: the detector that found the face
	Landmarks [68][2]float64 `json:"landmarks"`          // iBUG-300W order, pixels, rounded to 0.01
	// Landmarker is "facemesh" when MediaPipe's FaceMesh gave the landmarks (absent: dlib's
	// shape predictor, or the file or annotation Source names), also for a landmarks file's
	// line that says so (occlude align's); FaceFlag is then its face-presence probability,
	// rounded to 1e-4 (a low flag: FaceMesh saw no face there; absent for file landmarks).
	Landmarker string        `json:"landmarker,omitempty"`
	FaceFlag   *float64      `json:"face_flag,omitempty"`
	Start      string        `json:"start,omitempty"` // "pose": predicted again from the fitted head pose (landmarks.PredictBatchPosed)
	Pose       *PoseInfo     `json:"pose,omitempty"`  // head pose fitted to the landmarks (face3d.FitPose)
	Template   *TemplateInfo `json:"template,omitempty"`
	Placement  string        `json:"placement,omitempty"` // mask/sunglasses: warp.PlacementRefined or warp.PlacementPose
	// SilhouetteCut is the share of the mask cut off beyond the face's far outline, rounded to
	// 1e-4 (warp.Result.SilhouetteCut; absent when nothing was cut).
	SilhouetteCut float64    `json:"silhouette_cut,omitempty"`
	Transform     []float64  `json:"transform,omitempty"` // align: input image -> crop, 3x3 row-major
	Occluders     []Occluder `json:"occluders,omitempty"` // random kind
	Coverage      Coverage   `json:"coverage"`
}

// PoseInfo is a head pose in degrees (face3d's conventions: yaw > 0 turns the face toward
// image right, pitch > 0 tilts it up, roll > 0 rotates it clockwise on screen), rounded to 0.01.
type PoseInfo struct {
	Yaw   float64 `json:"yaw"`
	Pitch float64 `json:"pitch"`
	Roll  float64 `json:"roll"`
}

// TemplateInfo names the overlay template drawn on a face.
type TemplateInfo struct {
	Name    string `json:"name"`
	Style   string `json:"style,omitempty"`
	Color   string `json:"color,omitempty"`
	Texture string `json:"texture,omitempty"`
}

// Occluder is one random occluder.
type Occluder struct {
	Type  string `json:"type"`            // solid, noise, patch, hand, cup, phone, hair, scarf
	Box   [4]int `json:"box"`             // x0, y0, x1, y1 in image pixels (clipped to the image)
	Color string `json:"color,omitempty"` // main colour as #rrggbb (solid and drawn objects)
	Donor string `json:"donor,omitempty"` // patch: rel path of the image the patch was cut from
}

// Coverage is the fraction of each facial region hidden by the occlusion (0..1).
type Coverage struct {
	Face  float64 `json:"face"`  // the face polygon (jaw line closed over the brows)
	Eyes  float64 `json:"eyes"`  // both eye polygons
	Mouth float64 `json:"mouth"` // the outer-lip polygon
}

// occluded reports whether r stands for an image that was occluded and written.
func (r *Record) occluded() bool {
	switch r.Status {
	case StatusDetected, StatusAlignedFB, StatusFromFile, StatusFromAnnotation:
		return true
	}
	return false
}

// failed reports whether r counts as a failure for --strict.
func (r *Record) failed() bool {
	return r.Status == StatusUnreadable || r.Status == StatusError
}

// InputFormat records an input image's format as decoded and what writing its output changed.
// Outputs keep the input's format: channels, bit depth and alpha (docs/occlude.md, "Colour
// and format"); Conversion says otherwise when a format could not hold something.
type InputFormat struct {
	Type     string `json:"type"`            // jpeg, png, gif, bmp, tiff, webp
	Channels int    `json:"channels"`        // 1, 3 or 4 as decoded (a palette decodes to 3 or 4)
	Depth    int    `json:"depth"`           // bits per channel: 8 or 16
	Alpha    bool   `json:"alpha,omitempty"` // a 4th, alpha channel: kept as it was
	// Gray is grayscale content (one channel, or colour channels that agree to within 8 levels
	// on all but 0.5% of pixels): the overlay was drawn in luminance.
	Gray        bool   `json:"gray,omitempty"`
	Orientation int    `json:"orientation,omitempty"` // EXIF orientation applied (absent: upright, 1)
	Conversion  string `json:"conversion,omitempty"`  // what the output could not keep ("" none)
}

func newInputFormat(f imageio.Format) *InputFormat {
	in := &InputFormat{Type: f.Type, Channels: f.Channels, Depth: f.Depth, Alpha: f.Alpha, Gray: f.Gray}
	if f.Orientation > 1 {
		in.Orientation = f.Orientation
	}
	return in
}
