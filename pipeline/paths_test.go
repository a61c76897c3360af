package pipeline

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/occfer/occfer/synth"
)

// occfer's out is never its source dataset nor inside it, and the check comes before out is
// created: with out equal to the input the sheet, report and run folder would land in the
// dataset.
func TestOutInsideSourceRefused(t *testing.T) {
	base := t.TempDir()
	src := filepath.Join(base, "src")
	if _, err := synth.Generate(src, synth.Options{Train: 7, Test: 7, Seed: 1, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	before := treeFiles(t, src)
	for _, tc := range []struct{ name, out, steps string }{
		{"out is the source", src, `"sheet": {"rows": 2, "cell": 40, "file": "sheet.png"}`},
		{"out inside the source", filepath.Join(src, "work"), `"occlude": [{"name": "fm", "kind": "mask"}]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := writeConfig(t, base, `{"out": "`+tc.out+`", "source": {"path": "`+src+`"}, `+tc.steps+`}`)
			_, err := Run(context.Background(), c, io.Discard)
			if err == nil || !strings.Contains(err.Error(), "choose a folder outside the input") {
				t.Fatalf("out %s: %v", tc.out, err)
			}
		})
	}
	after := treeFiles(t, src)
	if len(after) != len(before) {
		t.Errorf("refused runs changed the source: %d files, was %d", len(after), len(before))
	}
	if _, err := os.Stat(filepath.Join(src, "work")); !os.IsNotExist(err) {
		t.Error("a refused run created out inside the source")
	}
}

// The contact sheet is written at OUT/<file>; a file that leaves OUT is refused with the config.
func TestSheetFileStaysInOut(t *testing.T) {
	dir := t.TempDir()
	for _, file := range []string{"../escape.png", "/tmp/escape.png", "a/../../escape.png", ""} {
		p := filepath.Join(dir, "c.json")
		os.WriteFile(p, []byte(`{"out": "o", "source": {"path": "x"}, "sheet": {"rows": 2, "cell": 40, "file": "`+file+`"}}`), 0o644)
		if _, err := LoadConfig(p); err == nil || !strings.Contains(err.Error(), `"sheet" "file"`) {
			t.Errorf("sheet file %q: %v", file, err)
		}
	}
}
