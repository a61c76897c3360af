package pipeline

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeConfig writes a config file into dir and loads it.
func writeConfig(t *testing.T, dir, body string) Config {
	t.Helper()
	p := filepath.Join(dir, "config.json")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := LoadConfig(p)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestLoadConfigErrors(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]string{
		"no out":           `{"source":{"synth":{"train":7,"test":7}}}`,
		"two sources":      `{"out":"o","source":{"path":"x","synth":{"train":7,"test":7}}}`,
		"unknown field":    `{"out":"o","sorce":{}}`,
		"bad kind":         `{"out":"o","source":{"path":"x"},"occlude":[{"name":"a","kind":"hat"}]}`,
		"dup name":         `{"out":"o","source":{"path":"x"},"occlude":[{"name":"a","kind":"mask"},{"name":"a","kind":"random"}]}`,
		"reserved name":    `{"out":"o","source":{"path":"x"},"occlude":[{"name":"clean","kind":"mask"}]}`,
		"unknown train":    `{"out":"o","source":{"path":"x"},"train":{"on":"fm"}}`,
		"bad setting":      `{"out":"o","source":{"path":"x"},"train":{"on":"clean","settings":{"epoch":3}}}`,
		"unknown eval":     `{"out":"o","source":{"path":"x"},"train":{"on":"clean","eval":["sg"]}}`,
		"not json at all":  `out: o`,
		"negative workers": `{"out":"o","source":{"path":"x"},"workers":-1}`,
	}
	for name, body := range cases {
		p := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".json")
		os.WriteFile(p, []byte(body), 0o644)
		if _, err := LoadConfig(p); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: err %v, want an error naming %s", name, err, p)
		}
	}
	c := writeConfig(t, dir, `{"out":"o","source":{"path":"data"},"occlude":[{"name":"fm","kind":"mask"}]}`)
	if c.Out != filepath.Join(dir, "o") || c.CleanDir() != filepath.Join(dir, "data") || c.SetDir("fm") != filepath.Join(dir, "o", "fm") {
		t.Errorf("paths not resolved against the config folder: %+v", c)
	}
}

// TestRunIsReproducible runs the same config into two folders and once more into the first:
// every file must be byte-identical, and the rerun must keep what is done.
func TestRunIsReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	abs := func(p string) string { a, _ := filepath.Abs(p); return a }
	body := `{"seed": 3, "out": "out", "templates": "` + abs("../assets") + `",
	  "source": {"synth": {"train": 42, "test": 14}},
	  "occlude": [{"name": "fm", "kind": "mask"}, {"name": "ro", "kind": "random"}],
	  "sheet": {"rows": 3, "cell": 50, "file": "sheet.png"},
	  "train": {"on": "clean", "eval": ["clean", "fm"], "settings": {"epochs": 1, "batch_size": 14,
	    "model": {"input_size": 112}, "runtime": {"device": "cpu", "workers": 2, "threads": 1}}}}`
	var reports [2]*Report
	var dirs [2]string
	for i := range dirs {
		dirs[i] = t.TempDir()
		c := writeConfig(t, dirs[i], body)
		rep, err := Run(context.Background(), c, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		reports[i] = rep
	}
	r := reports[0]
	if len(r.Datasets) != 3 || r.Datasets[1].Images != 56 || r.Datasets[1].ByStatus["from-file"] != 56 {
		t.Fatalf("datasets %+v: want clean + 2 steps of 56 images with landmarks from the file", r.Datasets)
	}
	if _, ok := r.Final["fm"]; !ok || r.Final["clean"].Images != 14 {
		t.Fatalf("final metrics %+v: want clean (14 test images) and fm", r.Final)
	}
	a, b := treeFiles(t, filepath.Join(dirs[0], "out")), treeFiles(t, filepath.Join(dirs[1], "out"))
	compared := 0
	for rel, data := range a {
		if skipVolatile(rel) {
			continue
		}
		if !bytes.Equal(data, b[rel]) {
			t.Errorf("%s differs between two runs of the same config", rel)
		}
		compared++
	}
	if compared < 100 || len(a) != len(b) {
		t.Errorf("compared %d files; trees have %d and %d", compared, len(a), len(b))
	}
	// A rerun in place keeps everything and changes no byte.
	c := writeConfig(t, dirs[0], body)
	if _, err := Run(context.Background(), c, io.Discard); err != nil {
		t.Fatal(err)
	}
	for rel, data := range treeFiles(t, filepath.Join(dirs[0], "out")) {
		if !skipVolatile(rel) && !bytes.Equal(data, a[rel]) {
			t.Errorf("%s changed on a rerun", rel)
		}
	}
}

// skipVolatile names run-folder files that record wall-clock facts (start time, seconds,
// images/s) and so differ between runs by design; everything else must be identical.
func skipVolatile(rel string) bool {
	base := filepath.Base(rel)
	return strings.HasPrefix(rel, "run/") && (base == "config.json" || base == "metrics.jsonl" ||
		base == "report.json" || base == "curves.png" || base == "state.json")
}

func treeFiles(t *testing.T, root string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		out[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
