package occlusion

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/occfer/occfer/dataset"
)

// settingsFile records, under the output's state folder, every setting that changes output
// bytes. Resumed runs and sibling shards must match it, so one output tree never mixes two
// configurations. Workers, shard and progress settings are absent: they never change bytes.
const settingsFile = "occlude.json"

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
	MinScore         float64          `json:"min_score"`
	MinSecondScore   float64          `json:"min_second_score"`
	Profile          string           `json:"profile,omitempty"` // profile cascade file name and size ("" when off or unused)
	Items            int              `json:"items"`             // items in the whole dataset (all shards)
}

// settingsVersion changes whenever the same settings would give different bytes.
// 2: aligned crops are detected at native scale only (no 2x upsampled pass).
// 3: weak second HOG detections dropped, profile detector, scores and clipped boxes recorded.
// 4: masks and sunglasses are placed in 3-D with the fitted head pose (no yaw variants); the
// manifest records pose and placement.
const settingsVersion = 4

func (r *runner) makeSettings() ([]byte, error) {
	s := runSettings{
		Version: settingsVersion, Kind: r.cfg.Kind, Style: r.cfg.Style, Color: r.cfg.Color,
		Texture: r.cfg.Texture, Seed: r.cfg.Seed, NoFace: r.cfg.NoFace, Faces: r.cfg.Faces,
		Aligned: r.cfg.Aligned, AlignedLandmarks: r.cfg.AlignedLandmarks, RAFImages: r.cfg.RAFImages, WriteMasks: r.cfg.WriteMasks,
		Items: len(r.ds.Items), Landmarks: r.faces.fileDigest, Predictor: r.faces.modelID,
		MinScore: r.cfg.MinScore, MinSecondScore: r.cfg.MinSecondScore,
	}
	if r.faces.profile != nil {
		s.Profile = modelID(r.profileCascade())
	}
	for _, t := range r.templates {
		h, err := fileDigest(t.SpecPath, t.ImagePath)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", t.Name, err)
		}
		s.Templates = append(s.Templates, t.Name+":"+h)
	}
	sort.Strings(s.Templates)
	if r.cfg.Kind == KindAlign {
		s.AlignSize = r.cfg.AlignSize
	}
	if r.cfg.Kind == KindRandom {
		rc := r.cfg.Random
		s.Random = &rc
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// checkSettings compares with a previous run's settings when the run must continue it
// (Resume) or sit beside it (shards), and records the current ones.
func (r *runner) checkSettings() error {
	cur, err := r.makeSettings()
	if err != nil {
		return err
	}
	r.settings = cur
	p := filepath.Join(r.cfg.Out, stateDir, settingsFile)
	old, err := os.ReadFile(p)
	if err == nil && !bytes.Equal(old, cur) && (r.cfg.Resume || r.cfg.Shard.Active()) {
		return fmt.Errorf("output %s was made with different settings (%s): use the same settings, or a new output folder",
			r.cfg.Out, settingsDiff(old, cur))
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

func fileDigest(paths ...string) (string, error) {
	var all []byte
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return "", err
		}
		all = append(all, []byte(sha256Hex(b))...)
	}
	return sha256Hex(all)[:16], nil
}
