package pipeline

import (
	"strings"
	"testing"
)

// FuzzConfig (make fuzz): whatever the bytes of a pipeline config, parsing does not panic,
// an error is one line naming the file, and an accepted config passes validation whole (its
// training settings included), so nothing invalid reaches a step.
func FuzzConfig(f *testing.F) {
	for _, s := range []string{
		`{"out": "o", "source": {"synth": {"train": 70, "test": 35}}, "occlude": [{"name": "mask", "kind": "mask"}],
		  "train": {"on": "mask", "settings": {"epochs": 2, "batch_size": 8, "model": {"input_size": 112}}},
		  "sheet": {"rows": 4, "cell": 96, "file": "sheet.png"}}`,
		`{"out": "o", "source": {"path": "x"}, "occlude": [{"name": "r", "kind": "random", "area": "0.1,0.2", "occluders": "1-3"}]}`,
		`{"out": "o", "source": {"path": "x"}} {"out": "p"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parseConfig("/cfg/pipeline.json", data, Overrides{})
		if err != nil {
			if !strings.Contains(err.Error(), "/cfg/pipeline.json") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %.300q: want one line naming the file", err)
			}
			return
		}
		if err := c.validate(); err != nil {
			t.Fatalf("accepted config fails validation: %v", err)
		}
		if c.Train != nil {
			cfg, err := c.Train.runConfig()
			if err != nil || cfg.Validate() != nil {
				t.Fatalf("accepted training settings do not validate: %v / %v", err, cfg.Validate())
			}
		}
	})
}
