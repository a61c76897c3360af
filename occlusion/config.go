package occlusion

import (
	"fmt"
	"io"
	"runtime"

	"github.com/occfer/occfer/internal/cli"
	"github.com/occfer/occfer/landmarks"
	"github.com/occfer/occfer/landmarks/mediapipe"
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

// MultiFace says which faces of an image are occluded.
type MultiFace string

const (
	FacesAll     MultiFace = "all"
	FacesLargest MultiFace = "largest"
)

// Settings are the settings of an occlude run that its user chooses: every one is a flag of
// occlude (--no-face for NoFace, ...) and a field of a pipeline config's occlude step, under
// the JSON names below, which are the flag names in snake_case. The settings that change
// output bytes are recorded in OUT/.occfer/occlude.json (see settings.go), with files named by
// their content (templates, landmarks file, model). Runtime choices that never change bytes
// (workers, resume, shard, progress) are in Config, not here.
//
// The zero value of an optional field means its default (DefaultSettings), except Seed: 0 is
// a seed like any other, and the commands default it to 1.
type Settings struct {
	Kind Kind `json:"kind"`
	// Style, Color and Texture filter the templates (empty: any). Among the matching
	// templates one is chosen per face from the item's RNG.
	Style   string `json:"style,omitempty"`
	Color   string `json:"color,omitempty"`
	Texture string `json:"texture,omitempty"`
	// TemplatesDir, when set, is a template folder that adds to the built-in templates
	// (package assets); a template of the same name as a built-in one replaces it.
	TemplatesDir string `json:"templates,omitempty"`

	Seed uint64 `json:"seed"`

	NoFace  NoFacePolicy `json:"no_face,omitempty"` // default copy
	Faces   MultiFace    `json:"faces,omitempty"`   // default all
	Aligned bool         `json:"aligned,omitempty"` // declare every image a pre-aligned face crop
	// AlignedLandmarks picks how aligned crops get landmarks from dlib: AlignedDetect
	// (default) or AlignedBox (skip detection; for crops known to be aligned).
	AlignedLandmarks AlignedLandmarks `json:"aligned_landmarks,omitempty"`
	// RAFImages picks RAF-DB's image folder: aligned (default when present), original, both.
	RAFImages string `json:"raf_images,omitempty"`
	// LandmarksFile is a generic 68-point file (JSONL or CSV); default: landmarks68.jsonl at
	// the input root when present.
	LandmarksFile string `json:"landmarks,omitempty"`
	// PredictorPath is dlib's shape_predictor_68_face_landmarks.dat (default: the landmarks
	// package's search).
	PredictorPath string `json:"predictor,omitempty"`
	WriteMasks    bool   `json:"write_masks,omitempty"` // write OUT/occlusion_masks/<rel>.png, 255 where occluded

	// Random kind: occluders per face and each one's area as a fraction of the face box
	// (inclusive ranges; zero: 1,3 and 0.05,0.25, see RandomConfig), and the occluder types
	// drawn (empty: AllOccluders).
	Occluders     cli.IntRange   `json:"occluders,omitzero"`
	Area          cli.FloatRange `json:"area,omitzero"`
	OccluderTypes []string       `json:"occluder_types,omitempty"`

	Preview int  `json:"preview,omitempty"` // write preview.png with this many before/after pairs (0: none)
	Strict  bool `json:"strict,omitempty"`  // any unreadable or failed image makes Run return an error

	// AlignSize is the side of the crops of KindAlign (occlude align --size; default
	// DefaultAlignSize).
	AlignSize int `json:"size,omitempty"`

	// MinScore drops HOG detections scoring below it (default 0: dlib's own threshold; real
	// turned faces score down to 0.004, docs/occlude.md "Detection").
	MinScore float64 `json:"min_score,omitempty"`
	// MinSecondScore drops HOG detections other than the image's best scoring below it
	// (0: DefaultMinSecondScore; negative: off). See landmarks.ConfidentFaces.
	MinSecondScore float64 `json:"min_second_score,omitempty"`
	// ProfileCascade is OpenCV's profile-face cascade, the second detector for photographs
	// in which the HOG detector finds no face ("": landmarks.DefaultProfileCascade; "none":
	// no second detector).
	ProfileCascade string `json:"profile_cascade,omitempty"`
	// Landmarker picks what finds faces and gives them their 68 landmarks:
	// LandmarkerMediaPipe ("": the default) or LandmarkerDlib. Faces from a landmarks file or
	// an annotation keep those.
	Landmarker string `json:"landmarker,omitempty"`
	// MediaPipeDir is the folder of the MediaPipe models ("": mediapipe.DefaultDir()). The
	// files are pinned by digest, so the folder never changes output bytes.
	MediaPipeDir string `json:"mediapipe_dir,omitempty"`
}

// Landmarkers (Settings.Landmarker).
const (
	// LandmarkerMediaPipe, the default, is MediaPipe's BlazeFace detector on photographs
	// (dlib's detectors when it finds no face) and FaceMesh, run mediapipe.MeshPasses times,
	// for every located face of photographs and aligned crops (package landmarks/mediapipe;
	// docs/occlude.md, "Landmarkers"). Why the default: on AFLW2000-3D it placed masks on
	// 94/86/78% of the faces at 30-45/45-60/60-90 deg of yaw where dlib placed 88/72/44%,
	// in a fifth of the time on photographs.
	LandmarkerMediaPipe = "mediapipe"
	// LandmarkerDlib is dlib's HOG detector (then the rotated and profile detectors) and its
	// 68-point shape predictor, the landmarker before settings version 8.
	LandmarkerDlib = "dlib"
)

// DefaultMinSecondScore is Settings.MinSecondScore's default: a HOG detection that is not
// the image's best must score 0.5. The astronaut's suit emblem, the false detection of the
// test fixtures, scores up to 0.40 beside the face; calibration in docs/occlude.md
// ("Detection").
const DefaultMinSecondScore = 0.5

// ProfileNone turns the profile-face detector off (Settings.ProfileCascade).
const ProfileNone = "none"

// DefaultSettings are the commands' defaults: seed 1 and every optional setting at its
// documented default. Kind has no default.
func DefaultSettings() Settings {
	s := Settings{Seed: 1}
	s.fillDefaults()
	return s
}

// fillDefaults replaces the zero values of optional settings by their defaults.
func (s *Settings) fillDefaults() {
	if s.NoFace == "" {
		s.NoFace = NoFaceCopy
		if s.Kind == KindAlign { // a photograph is not an aligned crop: never copy it into one
			s.NoFace = NoFaceSkip
		}
	}
	if s.AlignSize == 0 && s.Kind == KindAlign {
		s.AlignSize = DefaultAlignSize
	}
	if s.MinSecondScore == 0 { // a negative value stays: below every score, it keeps all
		s.MinSecondScore = DefaultMinSecondScore
	}
	if s.Faces == "" {
		s.Faces = FacesAll
	}
	if s.Landmarker == "" {
		s.Landmarker = LandmarkerMediaPipe
	}
	if s.AlignedLandmarks == "" {
		s.AlignedLandmarks = AlignedDetect
	}
	if s.Occluders == (cli.IntRange{}) {
		s.Occluders = cli.IntRange{Min: 1, Max: 3}
	}
	if s.Area == (cli.FloatRange{}) {
		s.Area = cli.FloatRange{Min: 0.05, Max: 0.25}
	}
}

// random is the random kind's drawing settings.
func (s Settings) random() RandomConfig {
	r := RandomConfig{MinCount: s.Occluders.Min, MaxCount: s.Occluders.Max,
		MinArea: s.Area.Min, MaxArea: s.Area.Max, Types: s.OccluderTypes}
	if len(r.Types) == 0 {
		r.Types = AllOccluders
	}
	return r
}

// MaxPreview is the most before/after pairs preview.png shows.
const MaxPreview = 1000

// Validate checks the settings (zero optional fields count as their defaults); the error
// names the setting by its flag name.
func (s Settings) Validate() error {
	s.fillDefaults()
	switch s.Kind {
	case KindMask, KindSunglasses, KindRandom:
	case KindAlign:
		if s.AlignSize < 16 || s.AlignSize > 4096 {
			return fmt.Errorf("aligned crop size %d: want 16..4096 pixels", s.AlignSize)
		}
	default:
		return fmt.Errorf("unknown kind %q (want mask, sunglasses or random)", s.Kind)
	}
	switch s.NoFace {
	case NoFaceCopy, NoFaceSkip:
	default:
		return fmt.Errorf("unknown no-face policy %q (want copy or skip)", s.NoFace)
	}
	switch s.Faces {
	case FacesAll, FacesLargest:
	default:
		return fmt.Errorf("unknown faces choice %q (want all or largest)", s.Faces)
	}
	switch s.AlignedLandmarks {
	case AlignedDetect, AlignedBox:
	default:
		return fmt.Errorf("unknown aligned-landmarks mode %q (want detect or box)", s.AlignedLandmarks)
	}
	switch s.RAFImages {
	case "", "aligned", "original", "both":
	default:
		return fmt.Errorf("unknown raf-images choice %q (want aligned, original or both)", s.RAFImages)
	}
	if s.Preview < 0 || s.Preview > MaxPreview {
		return fmt.Errorf("preview count %d: want 0 to %d before/after pairs", s.Preview, MaxPreview)
	}
	if s.MinScore < 0 {
		return fmt.Errorf("min-score %g: want >= 0", s.MinScore)
	}
	switch s.Landmarker {
	case "", LandmarkerDlib, LandmarkerMediaPipe:
	default:
		return fmt.Errorf("unknown landmarker %q (want %s or %s)", s.Landmarker, LandmarkerDlib, LandmarkerMediaPipe)
	}
	if s.Kind == KindRandom {
		if err := s.random().validate(); err != nil {
			return err
		}
	}
	return nil
}

// Config is one occlude run: its Settings plus the input, output and runtime choices that
// never change output bytes.
type Config struct {
	In, Out string
	Settings

	Workers int   // default runtime.NumCPU()
	Resume  bool  // continue a run in Out: finished items are verified and skipped
	Shard   Shard // zero: no sharding

	// Predictor, when set, is used instead of loading the model (about a second and 100 MB);
	// Run does not close it. Lets a pipeline or a test suite share one across runs.
	Predictor *landmarks.Predictor
	// MediaPipe, when set, is used instead of loading the MediaPipe models with
	// LandmarkerMediaPipe; Run does not close it.
	MediaPipe *mediapipe.Landmarker

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
	d.Settings.fillDefaults()
	return d
}

func (c *Config) validate() error {
	if c.In == "" || c.Out == "" {
		return fmt.Errorf("input and output folders are required")
	}
	if err := c.Settings.Validate(); err != nil {
		return err
	}
	if err := c.Shard.validate(); err != nil {
		return err
	}
	if c.Kind == KindAlign && c.Shard.Active() {
		return fmt.Errorf("align with --shard: not supported (the landmarks file of the crops is written by a whole run)")
	}
	if c.Preview > 0 && c.Shard.Active() {
		// A shard sees only some images; the sheet of the first N is drawn once, at merge.
		return fmt.Errorf("preview with a shard: draw it when merging (occlude merge --preview %d --in IN OUT)", c.Preview)
	}
	return nil
}
