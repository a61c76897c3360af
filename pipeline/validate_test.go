package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A config is checked whole when it is loaded, before any step runs: the training settings
// too (issue 11: occfer run checked them only after every occlude step had run), anything
// after the JSON object, contact sheet sizes, explicit zero ranges, and the file's size. Each
// error is one line naming the file and the field.
func TestConfigValidatedAtLoad(t *testing.T) {
	dir := t.TempDir()
	base := `"out": "o", "source": {"path": "x"}, "occlude": [{"name": "m", "kind": "mask"}]`
	for _, c := range []struct {
		name, json, want string
	}{
		{"trailing junk", `{` + base + `} {"out": "p"}`, "after the JSON object"},
		{"train epochs", `{` + base + `, "train": {"on": "m", "settings": {"epochs": 0}}}`, "epochs 0"},
		{"train lambda", `{` + base + `, "train": {"on": "m", "settings": {"model": {"lambda": 2}}}}`, "lambda must be in [0,1]"},
		{"train lr", `{` + base + `, "train": {"on": "m", "settings": {"optim": {"lr": -1}}}}`, "learning rate -1"},
		{"train batch", `{` + base + `, "train": {"on": "m", "settings": {"batch_size": 100000000}}}`, "batch_size 100000000"},
		{"train workers", `{` + base + `, "train": {"on": "m", "settings": {"runtime": {"workers": 10000000}}}}`, "workers 10000000"},
		{"train input size", `{` + base + `, "train": {"on": "m", "settings": {"model": {"input_size": 1000000}}}}`, "input_size must be in [32,1024]"},
		{"train trailing junk", `{` + base + `, "train": {"on": "m", "settings": {"epochs": 2} }} x`, "after the JSON object"},
		{"sheet rows", `{` + base + `, "sheet": {"rows": 0, "cell": 64, "file": "s.png"}}`, `sheet "rows" 0`},
		{"sheet cell", `{` + base + `, "sheet": {"rows": 2, "cell": 0, "file": "s.png"}}`, `sheet "cell" 0`},
		{"sheet file", `{` + base + `, "sheet": {"rows": 2, "cell": 64, "file": "../s.png"}}`, `sheet "file"`},
		{"zero area", `{"out": "o", "source": {"path": "x"}, "occlude": [{"name": "r", "kind": "random", "area": "0,0"}]}`, `"area" 0,0`},
		{"zero area alias", `{"out": "o", "source": {"path": "x"}, "occlude": [{"name": "r", "kind": "random", "area": "0-0"}]}`, `"area" 0,0`},
		{"zero occluders", `{"out": "o", "source": {"path": "x"}, "occlude": [{"name": "r", "kind": "random", "occluders": "0,0"}]}`, `"occluders" 0,0`},
		{"preview", `{"out": "o", "source": {"path": "x"}, "occlude": [{"name": "r", "kind": "mask", "preview": 100000000}]}`, "preview"},
		{"workers", `{"out": "o", "workers": -1, "source": {"path": "x"}}`, `"workers" -1`},
		{"oversized", `{"out": "o", "source": {"path": "x"}, "templates": "` + strings.Repeat("t", 1<<20) + `"}`, "-byte limit"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".json")
			if err := os.WriteFile(p, []byte(c.json), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := LoadConfig(p)
			if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("err %v, want one line naming %s and %q", err, p, c.want)
			}
		})
	}
	t.Run("valid", func(t *testing.T) {
		p := filepath.Join(dir, "valid.json")
		os.WriteFile(p, []byte(`{`+base+`, "train": {"on": "m", "settings": {"epochs": 2, "batch_size": 8}}, "sheet": {"rows": 2, "cell": 64, "file": "sheet.png"}}`+"\n"), 0o644)
		if _, err := LoadConfig(p); err != nil {
			t.Fatal(err)
		}
	})
}
