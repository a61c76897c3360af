package occlusion

import (
	"context"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

// An image whose name is not valid UTF-8 (a Latin-1 "café.jpg") cannot be recorded in the
// JSON manifest: it is reported and skipped, and the others resume without being redone
// (it used to be recorded as "caf\ufffd.jpg" and redone on every --resume).
func TestNonUTF8NameSkipped(t *testing.T) {
	in := t.TempDir()
	src := loadAstronaut(t)
	defer src.Close()
	face := faceCrop(src, 1.25, 0, 8, 100, false)
	defer face.Close()
	bad := "caf\xe9.jpg"
	if utf8.ValidString(bad) {
		t.Fatal("the test name must not be valid UTF-8")
	}
	for _, name := range []string{"a.jpg", "b.jpg", bad} {
		writeImage(t, filepath.Join(in, name), face)
	}
	out := filepath.Join(t.TempDir(), "out")
	c := baseConfig(in, out, KindMask)
	c.Aligned, c.AlignedLandmarks = true, AlignedBox

	sum, err := Run(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	var reported int
	for _, p := range sum.Problems {
		if p.Code == CodeNameNotUTF8 && p.Item == bad {
			reported++
		}
	}
	if sum.Items != 2 || sum.Processed != 2 || reported != 1 {
		t.Fatalf("items %d, processed %d, %d %s problems for %q; want 2, 2, 1 (problems %v)",
			sum.Items, sum.Processed, reported, CodeNameNotUTF8, bad, sum.Problems)
	}
	recs := readManifest(t, filepath.Join(out, "manifest.jsonl"))
	if len(recs) != 2 {
		t.Fatalf("manifest has %d records, want 2", len(recs))
	}
	for _, r := range recs {
		if r.In != "a.jpg" && r.In != "b.jpg" {
			t.Errorf("manifest records %q", r.In)
		}
	}

	c.Resume = true
	sum, err = Run(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Processed != 0 || sum.Resumed != 2 {
		t.Fatalf("resume processed %d, kept %d; want 0 and 2", sum.Processed, sum.Resumed)
	}
}
