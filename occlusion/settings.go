package occlusion

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/internal/limits"
	"github.com/occfer/occfer/landmarks/mediapipe"
	"github.com/occfer/occfer/warp"
)

// settingsFile records, under the output's state folder, every setting that changes output
// bytes. Resumed runs and sibling shards must match it, so one output tree never mixes two
// configurations. Workers, shard and progress settings are absent: they never change bytes.
const settingsFile = "occlude.json"

// runSettings is the layout of occlude.json: Settings as recorded (see recordSettings).
type runSettings struct {
	Version   int          `json:"version"`
	Kind      Kind         `json:"kind"`
	Style     string       `json:"style,omitempty"`
	Color     string       `json:"color,omitempty"`
	Texture   string       `json:"texture,omitempty"`
	Templates []string     `json:"templates,omitempty"` // name:sha256 of spec and image
	Seed      uint64       `json:"seed"`
	NoFace    NoFacePolicy `json:"no_face"`
	Faces     MultiFace    `json:"faces"`
	Aligned   bool         `json:"aligned"`
	// AlignedLandmarks is recorded even when no item needs it: it is part of the settings.
	AlignedLandmarks AlignedLandmarks `json:"aligned_landmarks"`
	RAFImages        string           `json:"raf_images,omitempty"`
	Landmarks        string           `json:"landmarks,omitempty"` // sha256 of the landmarks file used
	Predictor        string           `json:"predictor,omitempty"` // model file name and size
	WriteMasks       bool             `json:"write_masks"`
	Random           *RandomConfig    `json:"random,omitempty"`
	AlignSize        int              `json:"align_size,omitempty"` // kind align: crop side
	MinScore         float64          `json:"min_score,omitempty"`
	MinSecondScore   float64          `json:"min_second_score"`
	Profile          string           `json:"profile,omitempty"`    // profile cascade file name and size ("" when off or unused)
	Landmarker       string           `json:"landmarker,omitempty"` // MediaPipe's models when used ("" for dlib's)
	Items            int              `json:"items"`                // items in the whole dataset (all shards)
}

// settingsVersion changes whenever the same settings would give different bytes.
// 2: aligned crops are detected at native scale only (no 2x upsampled pass).
// 3: weak second HOG detections dropped, profile detector, scores and clipped boxes recorded.
// 4: masks and sunglasses are placed in 3-D with the fitted head pose (no yaw variants); the
// manifest records pose and placement.
// 5: photographs without a confident HOG face try HOG on the image rolled by +-15 deg, then
// the profile cascade, then the best HOG detection down to -0.6; overlays are shaded by a light
// map, and gray, 16-bit and alpha inputs keep their format.
// 6: faces of photographs turned by landmarks.RestartYaw or more are predicted again from
// their fitted pose (landmarks.PredictBatchPosed); the manifest records it as faces[].start.
// Exposure arithmetic reordered (warp.rollOff): overlay pixels may differ by one level.
// 7: masks on faces turned by warp.MinSilhouetteYaw or more are clipped at the face's far
// outline (warp.Result.SilhouetteCut, the manifest's faces[].silhouette_cut).
// 8: the default landmarker is MediaPipe's BlazeFace and FaceMesh (Settings.Landmarker;
// recorded as "landmarker"); dlib's stays as --landmarker dlib.
// 9: masks on FaceMesh's landmarks keep a margin under a turned face's far eye
// (warp.Options.FarEyeMargin), also when a landmarks file's line names FaceMesh (as occlude
// align's landmarks68.jsonl now does); BlazeFace tiles photographs longer than 16:10 from
// their shorter side (mediapipe.Detect).
const settingsVersion = 9

func (r *runner) makeSettings() ([]byte, error) {
	var templates []string
	for _, t := range r.templates {
		templates = append(templates, t.Name+":"+templateDigest(t))
	}
	profile := ""
	if r.faces.profile != nil {
		profile = modelID(r.profileCascade())
	}
	return recordSettings(r.cfg.Settings, templates, len(r.ds.Items), r.faces.fileDigest, r.faces.modelID, profile)
}

// recordSettings is the occlude.json record of s (defaults filled in): the settings that
// change output bytes, with the files they name (templates, landmarks file, model) given by
// content, plus the dataset size. Its bytes must not change for the same settings, or older
// outputs could no longer be resumed: TestSettingsRecordBytes holds it.
func recordSettings(s Settings, templates []string, items int, landmarksDigest, modelID, profileID string) ([]byte, error) {
	rec := runSettings{
		Version: settingsVersion, Kind: s.Kind, Style: s.Style, Color: s.Color,
		Texture: s.Texture, Seed: s.Seed, NoFace: s.NoFace, Faces: s.Faces,
		Aligned: s.Aligned, AlignedLandmarks: s.AlignedLandmarks, RAFImages: s.RAFImages, WriteMasks: s.WriteMasks,
		Items: items, Landmarks: landmarksDigest, Predictor: modelID,
		MinScore: s.MinScore, MinSecondScore: s.MinSecondScore, Profile: profileID,
		Templates: slices.Sorted(slices.Values(templates)),
	}
	if s.Landmarker == LandmarkerMediaPipe {
		rec.Landmarker = mediapipe.ModelID
	}
	if s.Kind == KindRandom {
		rc := s.random()
		rec.Random = &rc
	}
	if s.Kind == KindAlign {
		rec.AlignSize = s.AlignSize
	}
	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// checkSettings compares with the settings of a previous run in OUT and records the current
// ones. A run must match them when it continues that run (Resume) or sits beside it (shards),
// and also when it starts over: a run with other settings would silently replace a finished
// output, leaving a mix of both in OUT if it is stopped, so it is refused; the user picks a
// new output folder or removes the old one.
func (r *runner) checkSettings() error {
	cur, err := r.makeSettings()
	if err != nil {
		return err
	}
	r.settings = cur
	sl, err := r.lock.settingsLock(r.cfg.Out)
	if err != nil {
		return err
	}
	defer sl.Release()
	p := filepath.Join(r.cfg.Out, stateDir, settingsFile)
	// A file past the limit (a hand edit) is not compared: it is rewritten, and every item
	// is then checked against the manifest as on any resume.
	old, err := limits.ReadFile(p, limits.RunFile, "run settings")
	if err == nil && !bytes.Equal(old, cur) {
		hint := "use the same settings, or a new output folder"
		if !r.cfg.Resume && !r.cfg.Shard.Active() {
			hint = "a run does not replace another run's output: use the same settings, a new output folder, or remove " + r.cfg.Out + " first"
		}
		return fmt.Errorf("output %s was made with different settings (%s): %s", r.cfg.Out, settingsDiff(old, cur), hint)
	}
	if err == nil && bytes.Equal(old, cur) {
		return nil
	}
	return dataset.WriteFileAtomic(p, cur)
}

// settingsDiff names the top-level fields that differ.
func settingsDiff(a, b []byte) string {
	var ma, mb map[string]any
	json.Unmarshal(a, &ma)
	json.Unmarshal(b, &mb)
	var diff []string
	for k, v := range mb {
		if fmt.Sprint(ma[k]) != fmt.Sprint(v) {
			diff = append(diff, fmt.Sprintf("%s was %v, now %v", k, short(ma[k]), short(v)))
		}
	}
	for k := range ma {
		if _, ok := mb[k]; !ok {
			diff = append(diff, k+" was set, now unset")
		}
	}
	sort.Strings(diff)
	if len(diff) == 0 {
		return "file " + settingsFile + " differs"
	}
	return strings.Join(diff, "; ")
}

func short(v any) string {
	s := fmt.Sprint(v)
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}

// templateDigest identifies a template's content: fileDigest of its spec and image, from the
// hashes taken when they were loaded (the built-in set has no files on disk).
func templateDigest(t *warp.Template) string {
	return sha256Hex([]byte(t.SpecSHA256 + t.ImageSHA256))[:16]
}

func fileDigest(paths ...string) (string, error) {
	var all []byte
	for _, p := range paths {
		// Hashed as it is read: a landmarks file may be up to limits.LandmarksFile.
		f, err := os.Open(p)
		if err != nil {
			return "", err
		}
		h := sha256.New()
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return "", fmt.Errorf("%s: %w", p, err)
		}
		all = append(all, []byte(hex.EncodeToString(h.Sum(nil)))...)
	}
	return sha256Hex(all)[:16], nil
}
