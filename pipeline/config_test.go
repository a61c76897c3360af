package pipeline

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/occfer/occfer/internal/cli"
	"github.com/occfer/occfer/occlusion"
)

// An occlude step takes every occlude setting under the flag's snake_case name, over the
// command's defaults; seed and templates fall back to the pipeline's.
func TestOccludeStepSettings(t *testing.T) {
	dir := t.TempDir()
	c := writeConfig(t, dir, `{"out": "o", "source": {"path": "data"}, "templates": "tpl",
	  "occlude": [
	    {"name": "plain", "kind": "mask"},
	    {"name": "all", "kind": "random", "seed": 0, "style": "s", "color": "c", "texture": "t",
	     "templates": "mine", "no_face": "skip", "faces": "largest", "aligned": true,
	     "aligned_landmarks": "box", "raf_images": "both", "landmarks": "lm.csv", "predictor": "/p.dat",
	     "write_masks": true, "occluders": "2,4", "area": "0.1-0.2", "occluder_types": ["solid", "hand"],
	     "preview": 5, "strict": true, "landmarker": "dlib", "mediapipe_dir": "mp"}
	  ]}`)
	if c.Seed != 1 {
		t.Errorf("pipeline seed %d without \"seed\", want 1", c.Seed)
	}
	plain := occlusion.DefaultSettings()
	plain.Kind, plain.TemplatesDir = occlusion.KindMask, filepath.Join(dir, "tpl")
	all := occlusion.Settings{Kind: occlusion.KindRandom, Seed: 0, Style: "s", Color: "c", Texture: "t",
		TemplatesDir: filepath.Join(dir, "mine"), NoFace: occlusion.NoFaceSkip, Faces: occlusion.FacesLargest,
		Aligned: true, AlignedLandmarks: occlusion.AlignedBox, RAFImages: "both",
		LandmarksFile: filepath.Join(dir, "lm.csv"), PredictorPath: "/p.dat", WriteMasks: true,
		Occluders: cli.IntRange{Min: 2, Max: 4}, Area: cli.FloatRange{Min: 0.1, Max: 0.2},
		OccluderTypes: []string{"solid", "hand"}, Preview: 5, Strict: true,
		Landmarker: occlusion.LandmarkerDlib, MediaPipeDir: filepath.Join(dir, "mp"),
		MinSecondScore: occlusion.DefaultMinSecondScore} // not in the step: the command's default
	for i, want := range []occlusion.Settings{plain, all} {
		t.Run(c.Occlude[i].Name, func(t *testing.T) {
			if got := c.stepSettings(c.Occlude[i]); !reflect.DeepEqual(got, want) {
				t.Errorf("settings\n%+v\nwant\n%+v", got, want)
			}
		})
	}
}

func TestOccludeStepErrors(t *testing.T) {
	dir := t.TempDir()
	for name, step := range map[string]string{
		"unknown field": `{"name": "a", "kind": "mask", "colour": "red"}`,
		"bad range":     `{"name": "a", "kind": "random", "area": "0.3,0.1"}`,
		"bad policy":    `{"name": "a", "kind": "mask", "no_face": "drop"}`,
		"bad types":     `{"name": "a", "kind": "random", "occluder_types": ["hat"]}`,
		"no kind":       `{"name": "a"}`,
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".json")
			os.WriteFile(p, []byte(`{"out": "o", "source": {"path": "x"}, "occlude": [`+step+`]}`), 0o644)
			if _, err := LoadConfig(p); err == nil || !strings.Contains(err.Error(), p) {
				t.Errorf("err %v, want an error naming %s", err, p)
			}
		})
	}
}

// The shipped configs load (with --data where they name no dataset) and plan the paper's
// runs: paper-rafdb 37 runs per seed (Tables 1-5 and Fig. 5, shared runs once), paper-ferplus 2.
func TestShippedConfigs(t *testing.T) {
	for _, tc := range []struct {
		file string
		data string
		runs int
	}{
		{"paper-rafdb.json", "/data/RAF-DB/basic", 37 * 3},
		{"paper-ferplus.json", "/data/FERPlus", 2 * 3},
		{"demo-synth.json", "", 6},
		{"demo-fixture.json", "", 0},
	} {
		t.Run(tc.file, func(t *testing.T) {
			c, err := LoadConfigWith(filepath.Join("..", "configs", tc.file), Overrides{Data: tc.data})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			if c.Protocol != nil {
				runs, err := c.Protocol.plan(c)
				if err != nil {
					t.Fatal(err)
				}
				n = len(runs)
			}
			if n != tc.runs {
				t.Errorf("%d runs, want %d", n, tc.runs)
			}
		})
	}
}

// TestConfigFileErrors: a config that cannot run is refused when it is read, naming the file,
// and for JSON errors the line and column; nothing is occluded before a bad train setting is
// found.
func TestConfigFileErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, text string
		want       []string
	}{
		{"empty", "  \n", []string{"empty file"}},
		{"syntax", "{\"out\": \"o\",\n \"source\": {\"path\": \"x\"},,\n}", []string{"line 2, column 27", "invalid character ','"}},
		{"type", "{\"out\": \"o\",\n  \"seed\": \"one\"}", []string{"line 2, column 16", "seed"}},
		{"cut short", `{"out": "o", "source": {"path": "x"}`, []string{"ends inside the JSON object"}},
		{"trailing", `{"out": "o", "source": {"path": "x"}} {"out": "p"}`, []string{"line 1, column 39: data after the JSON object"}},
		{"epochs 0", `{"out": "o", "source": {"path": "x"}, "train": {"on": "clean", "settings": {"epochs": 0}}}`, []string{"train.settings: epochs 0 (--epochs) must be in [1,100000]"}},
		{"huge input", `{"out": "o", "source": {"path": "x"}, "train": {"on": "clean", "settings": {"model": {"input_size": 100000}}}}`, []string{"train.settings: model: input_size must be in [32,1024]"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".json")
			if err := os.WriteFile(p, []byte(tc.text), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := LoadConfig(p)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range append(tc.want, p) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
	// a byte-order mark before a good config is not an error
	p := filepath.Join(dir, "bom.json")
	if err := os.WriteFile(p, []byte("\xEF\xBB\xBF{\"out\": \"o\", \"source\": {\"path\": \"x\"}}\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadConfig(p); err != nil {
		t.Errorf("config with a BOM and CRLF: %v", err)
	}
}
