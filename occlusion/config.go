package occlusion

import (
	"fmt"
	"io"
	"runtime"

	"github.com/occfer/occfer/landmarks"
)

// Kind is the occlusion to synthesise.
type Kind string

const (
	KindMask       Kind = "mask"       // FM_RAF-DB: a face-mask template fitted to the lower face
	KindSunglasses Kind = "sunglasses" // SG_RAF-DB: a sunglasses template fitted to the eyes
	KindRandom     Kind = "random"     // random-occlusion robustness set (FFRA-Net Fig. 8 / Table 3)
)

// NoFacePolicy says what happens to an image in which no face is found.
type NoFacePolicy string

const (
	NoFaceCopy NoFacePolicy = "copy" // copy the input unchanged, mark it no-face
	NoFaceSkip NoFacePolicy = "skip" // write nothing, mark it no-face
)

// AlignedLandmarks says where the landmarks of aligned crops come from when no landmarks
// file or annotation has them.
type AlignedLandmarks string

const (
	// AlignedDetect (the default) runs the HOG detector once, at the crop's own scale, and
	// falls back to the predictor on the calibrated box when it finds nothing (status
	// aligned-fallback). The 2x upsampled pass that Detect adds for small faces is skipped:
	// in an aligned crop the face fills the frame, so where HOG misses it at native scale
	// the calibrated box is the better guess anyway, at a fraction of the cost.
	AlignedDetect AlignedLandmarks = "detect"
	// AlignedBox is the fast mode for trusted aligned crops: no detection per image, the
	// predictor runs on the calibrated box (status aligned-fallback). The calibration
	// pre-pass still detects faces on its fixed sample to place the box.
	AlignedBox AlignedLandmarks = "box"
)

// DefaultMinSecondScore is Config.MinSecondScore's default: a HOG detection that is not the
// image's best must score 0.5. The astronaut's suit emblem, the false detection of the test
// fixtures, scores up to 0.40 beside the face; calibration in docs/occlude.md ("Detection").
const DefaultMinSecondScore = 0.5

// ProfileNone turns the profile-face detector off (Config.ProfileCascade).
const ProfileNone = "none"

// MultiFace says which faces of an image are occluded.
type MultiFace string

const (
	FacesAll     MultiFace = "all"
	FacesLargest MultiFace = "largest"
)

// Config is one occlude run. The zero values of optional fields mean the documented defaults.
type Config struct {
	In, Out string
	Kind    Kind

	// Style, Color and Texture filter the templates (empty: any). Among the matching
	// templates one is chosen per face from the item's RNG.
	Style, Color, Texture string
	// TemplatesDir holds the template set (default "assets", resolved against the working
	// directory).
	TemplatesDir string

	Seed    uint64
	Workers int   // default runtime.NumCPU()
	Resume  bool  // continue a run in Out: finished items are verified and skipped
	Shard   Shard // zero: no sharding
	Preview int   // write preview.png with this many before/after pairs (0: none)
	Strict  bool  // any unreadable or failed image makes Run return an error

	NoFace  NoFacePolicy // default copy
	Faces   MultiFace    // default all
	Aligned bool         // declare every image a pre-aligned face crop
	// AlignedLandmarks picks how aligned crops get landmarks from dlib: AlignedDetect
	// (default) or AlignedBox (skip detection; for crops known to be aligned).
	AlignedLandmarks AlignedLandmarks
	// RAFImages picks RAF-DB's image folder: aligned (default when present), original, both.
	RAFImages string
	// LandmarksFile is a generic 68-point file (JSONL or CSV); default: landmarks68.jsonl at
	// the input root when present.
	LandmarksFile string
	// PredictorPath is dlib's shape_predictor_68_face_landmarks.dat (default: the landmarks
	// package's search).
	PredictorPath string
	// Predictor, when set, is used instead of loading the model (about a second and 100 MB);
	// Run does not close it. Lets a pipeline or a test suite share one across runs.
	Predictor  *landmarks.Predictor
	WriteMasks bool // write OUT/occlusion_masks/<rel>.png, 255 where occluded

	Random RandomConfig

	// AlignSize is the side of the crops of KindAlign (default DefaultAlignSize).
	AlignSize int

	// MinScore drops HOG detections scoring below it (default 0: dlib's own threshold; real
	// turned faces score down to 0.004, docs/occlude.md "Detection").
	MinScore float64
	// MinSecondScore drops HOG detections other than the image's best scoring below it
	// (0: DefaultMinSecondScore; negative: off). See landmarks.ConfidentFaces.
	MinSecondScore float64
	// ProfileCascade is OpenCV's profile-face cascade, the second detector for photographs
	// in which the HOG detector finds no face ("": landmarks.DefaultProfileCascade; "none":
	// no second detector).
	ProfileCascade string

	// Progress receives progress output (nil: none). With ProgressBar a pb/v3 bar is drawn
	// (use it when the writer is a terminal); otherwise a plain line every few seconds.
	Progress    io.Writer
	ProgressBar bool
	// OnRecord, when set, is called from one goroutine after each record is journaled.
	OnRecord func(Record)
}

func (c *Config) withDefaults() Config {
	d := *c
	if d.Workers <= 0 {
		d.Workers = runtime.NumCPU()
	}
	if d.TemplatesDir == "" {
		d.TemplatesDir = "assets"
	}
	if d.NoFace == "" {
		d.NoFace = NoFaceCopy
		if d.Kind == KindAlign { // a photograph is not an aligned crop: never copy it into one
			d.NoFace = NoFaceSkip
		}
	}
	if d.AlignSize == 0 {
		d.AlignSize = DefaultAlignSize
	}
	switch {
	case d.MinSecondScore == 0:
		d.MinSecondScore = DefaultMinSecondScore
	case d.MinSecondScore < 0:
		d.MinSecondScore = 0
	}
	if d.Faces == "" {
		d.Faces = FacesAll
	}
	if d.AlignedLandmarks == "" {
		d.AlignedLandmarks = AlignedDetect
	}
	d.Random = d.Random.withDefaults()
	return d
}

func (c *Config) validate() error {
	if c.In == "" || c.Out == "" {
		return fmt.Errorf("input and output folders are required")
	}
	switch c.Kind {
	case KindMask, KindSunglasses, KindRandom:
	case KindAlign:
		if c.AlignSize < 16 || c.AlignSize > 4096 {
			return fmt.Errorf("aligned crop size %d: want 16..4096 pixels", c.AlignSize)
		}
		if c.Shard.Active() {
			return fmt.Errorf("align with --shard: not supported (the landmarks file of the crops is written by a whole run)")
		}
	default:
		return fmt.Errorf("unknown kind %q (want mask, sunglasses or random)", c.Kind)
	}
	switch c.NoFace {
	case NoFaceCopy, NoFaceSkip:
	default:
		return fmt.Errorf("unknown no-face policy %q (want copy or skip)", c.NoFace)
	}
	switch c.Faces {
	case FacesAll, FacesLargest:
	default:
		return fmt.Errorf("unknown faces choice %q (want all or largest)", c.Faces)
	}
	switch c.AlignedLandmarks {
	case AlignedDetect, AlignedBox:
	default:
		return fmt.Errorf("unknown aligned-landmarks mode %q (want detect or box)", c.AlignedLandmarks)
	}
	if c.MinScore < 0 {
		return fmt.Errorf("minimum detector score %g: want >= 0", c.MinScore)
	}
	if c.Preview < 0 {
		return fmt.Errorf("preview count %d is negative", c.Preview)
	}
	if err := c.Shard.validate(); err != nil {
		return err
	}
	if c.Preview > 0 && c.Shard.Active() {
		// A shard sees only some images; the sheet of the first N is drawn once, at merge.
		return fmt.Errorf("preview with a shard: draw it when merging (occlude merge --preview %d --in IN OUT)", c.Preview)
	}
	if c.Kind == KindRandom {
		if err := c.Random.validate(); err != nil {
			return err
		}
	}
	return nil
}
