package dataset

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeTree creates files (rel path -> content) under a new temp folder.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for rel, content := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestOpenRAFDB(t *testing.T) {
	root := writeTree(t, map[string]string{
		RAFLabelFile: "train_00001.jpg 5\ntrain_00002.jpg 1\ntest_0001.jpg 7\n" +
			"train_00003.jpg 9\n" + // unknown label
			"train_00004.jpg 2\n" + // missing image
			"../evil.jpg 3\n" + // unsafe path
			"train_00001.jpg 4\n" + // duplicate
			"garbage\n",
		"Image/aligned/train_00001_aligned.jpg":        "x",
		"Image/aligned/train_00002_aligned.jpg":        "x",
		"Image/aligned/test_0001_aligned.jpg":          "x",
		"Image/aligned/train_00003_aligned.jpg":        "x",
		"Image/original/train_00001.jpg":               "x",
		"Annotation/manual/train_00001_manu_attri.txt": "1 2\n",
	})
	d, err := Open(root, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Layout != LayoutRAFDB {
		t.Fatalf("layout %q, want rafdb", d.Layout)
	}
	got := map[string]Item{}
	for _, it := range d.Items {
		got[it.Rel] = it
	}
	if len(d.Items) != 4 {
		t.Fatalf("want 4 aligned items (3 labelled + 1 with a rejected label), got %d: %+v", len(d.Items), d.Items)
	}
	want := map[string]struct {
		label int
		split string
	}{
		"Image/aligned/train_00001_aligned.jpg": {4, "train"},
		"Image/aligned/train_00002_aligned.jpg": {0, "train"},
		"Image/aligned/test_0001_aligned.jpg":   {6, "test"},
		"Image/aligned/train_00003_aligned.jpg": {-1, "train"},
	}
	for rel, w := range want {
		it, ok := got[rel]
		if !ok {
			t.Fatalf("missing item %s", rel)
		}
		if it.Label != w.label || it.Split != w.split || !it.Aligned {
			t.Errorf("%s: label %d split %q aligned %v, want %d %q true", rel, it.Label, it.Split, it.Aligned, w.label, w.split)
		}
	}
	if got["Image/aligned/train_00001_aligned.jpg"].Stem != "train_00001" {
		t.Errorf("stem %q", got["Image/aligned/train_00001_aligned.jpg"].Stem)
	}
	reasons := []string{"unknown label", "does not exist", "rejected", "listed again", "want \"<image> <label>\""}
	if len(d.Problems) != len(reasons) {
		t.Fatalf("want %d problems, got %d: %v", len(reasons), len(d.Problems), d.Problems)
	}
	for i, r := range reasons {
		if !strings.Contains(d.Problems[i].Reason, r) || d.Problems[i].Line != i+4 {
			t.Errorf("problem %d = %v, want line %d containing %q", i, d.Problems[i], i+4, r)
		}
	}
	wantAux := []string{"Annotation/manual/train_00001_manu_attri.txt", RAFLabelFile}
	if strings.Join(d.AuxFiles, ",") != strings.Join(wantAux, ",") {
		t.Errorf("aux files %v, want %v", d.AuxFiles, wantAux)
	}
	if n := len(d.Split("test")); n != 1 {
		t.Errorf("test split has %d items, want 1", n)
	}

	both, err := Open(root, OpenOptions{RAFImages: "both"})
	if err != nil {
		t.Fatal(err)
	}
	if len(both.Items) != 5 {
		t.Errorf("both folders: %d items, want 5", len(both.Items))
	}
	if _, err := Open(root, OpenOptions{RAFImages: "cropped"}); err == nil {
		t.Error("unknown RAF image folder accepted")
	}
}

func TestOpenFoldersAndSingle(t *testing.T) {
	root := writeTree(t, map[string]string{
		"train/happy/a.png":           "x",
		"train/Sadness/b.jpg":         "x",
		"test/neutral/c.jpeg":         "x",
		"test/misc/d.png":             "x",
		"notes.txt":                   "x",
		"manifest.jsonl":              "x", // an earlier run's output: not data
		"manifest.shard-1-of-2.jsonl": "x",
		".git/config":                 "x",
		".occfer-tmp-e.png-12":        "x",
	})
	d, err := Open(root, OpenOptions{Aligned: true})
	if err != nil {
		t.Fatal(err)
	}
	if d.Layout != LayoutFolders || len(d.Items) != 4 {
		t.Fatalf("layout %q with %d items: %+v", d.Layout, len(d.Items), d.Items)
	}
	want := []struct {
		rel   string
		label int
		split string
	}{{"test/misc/d.png", -1, "test"}, {"test/neutral/c.jpeg", 6, "test"}, {"train/Sadness/b.jpg", 4, "train"}, {"train/happy/a.png", 3, "train"}}
	for i, w := range want {
		it := d.Items[i]
		if it.Rel != w.rel || it.Label != w.label || it.Split != w.split || !it.Aligned {
			t.Errorf("item %d = %+v, want %+v aligned", i, it, w)
		}
	}
	if len(d.AuxFiles) != 1 || d.AuxFiles[0] != "notes.txt" {
		t.Errorf("aux %v, want [notes.txt]", d.AuxFiles)
	}

	single, err := Open(filepath.Join(root, "train/happy/a.png"), OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if single.Layout != LayoutSingle || len(single.Items) != 1 || single.Items[0].Rel != "a.png" {
		t.Errorf("single: %+v", single)
	}
	if _, err := Open(filepath.Join(root, "notes.txt"), OpenOptions{}); err == nil {
		t.Error("a text file opened as a dataset")
	}
	empty := t.TempDir()
	if _, err := Open(empty, OpenOptions{}); err == nil || !strings.Contains(err.Error(), "no images") {
		t.Errorf("empty folder: err %v, want 'no images'", err)
	}
}

func TestCheckOutput(t *testing.T) {
	in := t.TempDir()
	other := t.TempDir()
	if err := CheckOutput(in, filepath.Join(other, "out")); err != nil {
		t.Errorf("separate output refused: %v", err)
	}
	if err := CheckOutput(in, in); err == nil {
		t.Error("output == input accepted")
	}
	if err := CheckOutput(in, filepath.Join(in, "sub", "out")); err == nil {
		t.Error("output inside input accepted")
	}
	link := filepath.Join(other, "alias")
	if err := os.Symlink(in, link); err != nil {
		t.Fatal(err)
	}
	if err := CheckOutput(in, filepath.Join(link, "out")); err == nil {
		t.Error("output inside input through a symlink accepted")
	}
	if err := CheckOutput(in, in+"-sibling"); err != nil {
		t.Errorf("sibling with a common name prefix refused: %v", err)
	}
}

func TestCleanRel(t *testing.T) {
	for _, bad := range []string{"", "/etc/passwd", "../x.jpg", "a/../../x.jpg", `..\x.jpg`} {
		if _, err := CleanRel(bad); err == nil {
			t.Errorf("CleanRel(%q) accepted", bad)
		}
	}
	if got, err := CleanRel("a//b/./c.jpg"); err != nil || got != "a/b/c.jpg" {
		t.Errorf("CleanRel = %q, %v", got, err)
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a", "b.txt")
	if err := WriteFileAtomic(p, []byte("one")); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(p, []byte("two")); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(p)
	if string(got) != "two" {
		t.Errorf("content %q", got)
	}
	entries, _ := os.ReadDir(filepath.Dir(p))
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
	if err := os.WriteFile(filepath.Join(dir, TempPrefix+"x-1"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if n, err := RemoveTemps(dir); err != nil || n != 1 {
		t.Errorf("RemoveTemps = %d, %v; want 1", n, err)
	}
}

func TestItemRNG(t *testing.T) {
	a := ItemRNG(7, "x/a.jpg", "mask").Uint64()
	if b := ItemRNG(7, "x/a.jpg", "mask").Uint64(); a != b {
		t.Error("same seed, path and purpose gave different streams")
	}
	for _, other := range []uint64{ItemRNG(8, "x/a.jpg", "mask").Uint64(), ItemRNG(7, "x/b.jpg", "mask").Uint64(), ItemRNG(7, "x/a.jpg", "noise").Uint64()} {
		if other == a {
			t.Error("a different seed, path or purpose gave the same stream")
		}
	}
	// Pinned value: a change to the derivation would silently change every dataset's bytes.
	if a != ItemRNGPinned {
		t.Errorf("ItemRNG(7, x/a.jpg, mask) first value %d, pinned %d", a, ItemRNGPinned)
	}
}

func TestWriteFileAtomicModeAndNameClash(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.png")
	// A leftover temporary file with the name the next write would pick must not block it.
	next := filepath.Join(dir, fmt.Sprintf("%sx.png-%d-%d", TempPrefix, os.Getpid(), tempCounter.Load()+1))
	if err := os.WriteFile(next, []byte("stale"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(p, []byte("data")); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(p)
	if err != nil || st.Mode().Perm()&0o044 != 0o044 {
		t.Errorf("mode %v, %v: want a world-readable file", st.Mode(), err)
	}
	if stale, _ := os.ReadFile(next); string(stale) != "stale" {
		t.Errorf("the leftover file was overwritten: %q", stale)
	}
}
