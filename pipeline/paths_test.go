package pipeline

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/occfer/occfer/internal/lockfile"
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
		if _, err := LoadConfig(p); err == nil || !strings.Contains(err.Error(), `sheet "file"`) {
			t.Errorf("sheet file %q: %v", file, err)
		}
	}
}

// occfer's out is written by one process at a time: while another holds its lock (here this
// process, through a second open of the lock file), a run is refused naming the holder.
func TestOutLocked(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	held, err := lockfile.LockDir(out, "output folder")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release()
	c := writeConfig(t, dir, `{"out": "out", "source": {"synth": {"train": 7, "test": 7}}}`)
	_, err = Run(context.Background(), c, io.Discard)
	if want := fmt.Sprintf("is in use by pid %d", os.Getpid()); err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("run beside a holder: %v; want %q", err, want)
	}
	if _, err := os.Stat(filepath.Join(out, CleanName)); !os.IsNotExist(err) {
		t.Error("a refused run wrote its clean set")
	}
}
