package synth

import (
	"bytes"
	"fmt"
	"image/jpeg"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/occfer/occfer/dataset"
)

// treeFiles returns every file under root as rel path -> bytes.
func treeFiles(t *testing.T, root string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		data, err := os.ReadFile(p)
		files[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func generate(t *testing.T, opts Options) (string, Summary) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "out")
	sum, err := Generate(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return dir, sum
}

func TestLayout(t *testing.T) {
	dir, sum := generate(t, Options{Train: 23, Test: 9, Seed: 3})
	files := treeFiles(t, dir)
	// 32 images + label file + landmarks + marker, nothing else (no temporaries left behind).
	if len(files) != 35 {
		t.Errorf("%d files, want 35: %v", len(files), keys(files))
	}
	var want []string
	for i := 1; i <= 23; i++ {
		want = append(want, fmt.Sprintf("train_%05d", i))
	}
	for i := 1; i <= 9; i++ {
		want = append(want, fmt.Sprintf("test_%04d", i))
	}
	lines := strings.Split(string(files[LabelFile]), "\n")
	if lines[len(lines)-1] != "" {
		t.Errorf("label file does not end with a newline")
	}
	lines = lines[:len(lines)-1]
	if len(lines) != len(want) {
		t.Fatalf("label file has %d lines, want %d", len(lines), len(want))
	}
	var counts [2][7]int
	for i, line := range lines {
		var stem string
		var v int
		if _, err := fmt.Sscanf(line, "%s %d", &stem, &v); err != nil || stem != want[i]+".jpg" || v < 1 || v > 7 {
			t.Fatalf("line %d = %q, want %q and a label 1..7", i+1, line, want[i]+".jpg <1..7>")
		}
		counts[btoi(strings.HasPrefix(stem, "test"))][v-1]++
		img, err := jpeg.Decode(bytes.NewReader(files["Image/aligned/"+want[i]+"_aligned.jpg"]))
		if err != nil {
			t.Fatalf("%s: %v", want[i], err)
		}
		if b := img.Bounds(); b.Dx() != 100 || b.Dy() != 100 {
			t.Errorf("%s is %v, want 100x100", want[i], b)
		}
	}
	// Balanced: 23 = 3*7+2 -> counts 4 or 3; 9 -> 2 or 1. And Summary agrees with the file.
	for s, n := range []int{23, 9} {
		for c := range 7 {
			if lo := n / 7; counts[s][c] < lo || counts[s][c] > lo+1 {
				t.Errorf("split %d class %d: %d images, want %d or %d", s, c, counts[s][c], lo, lo+1)
			}
		}
	}
	if sum.Train != counts[0] || sum.Test != counts[1] || sum.Written != 32 || sum.Reused != 0 {
		t.Errorf("summary %+v disagrees with label file %v", sum, counts)
	}
	// Landmarks: one line per image, sorted by path.
	lm := strings.Split(strings.TrimSuffix(string(files[LandmarksFile]), "\n"), "\n")
	if len(lm) != 32 || !sort.StringsAreSorted(lm) {
		t.Errorf("landmarks file: %d lines (want 32), sorted %v", len(lm), sort.StringsAreSorted(lm))
	}
	if !strings.HasPrefix(lm[0], `{"path":"Image/aligned/test_0001_aligned.jpg","landmarks":[[`) {
		t.Errorf("first landmarks line %.80q", lm[0])
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func keys(m map[string][]byte) []string {
	var k []string
	for name := range m {
		k = append(k, name)
	}
	sort.Strings(k)
	return k
}

func TestDeterminism(t *testing.T) {
	a, _ := generate(t, Options{Train: 14, Test: 7, Seed: 11, Workers: 1})
	b, _ := generate(t, Options{Train: 14, Test: 7, Seed: 11, Workers: 2})
	c, _ := generate(t, Options{Train: 14, Test: 7, Seed: 12, Workers: 2})
	fa, fb, fc := treeFiles(t, a), treeFiles(t, b), treeFiles(t, c)
	if len(fa) != len(fb) {
		t.Fatalf("%d vs %d files", len(fa), len(fb))
	}
	same := 0
	for name, data := range fa {
		if !bytes.Equal(data, fb[name]) {
			t.Errorf("%s differs between 1 and 2 workers", name)
		}
		if bytes.Equal(data, fc[name]) {
			same++
		}
	}
	// Every file depends on the seed (the marker records it), so none may match.
	if same != 0 {
		t.Errorf("%d files identical for seeds 11 and 12", same)
	}
}

func TestRefusesForeignFolder(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "photo.jpg"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Generate(dir, Options{Train: 7, Seed: 1})
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("err = %v, want a refusal naming the non-empty folder", err)
	}
	if files := treeFiles(t, dir); len(files) != 1 {
		t.Errorf("refused run still wrote: %v", keys(files))
	}
}

func TestRefusesOtherOptions(t *testing.T) {
	dir, _ := generate(t, Options{Train: 7, Seed: 1})
	before := treeFiles(t, dir)
	for _, o := range []Options{{Train: 8, Seed: 1}, {Train: 7, Seed: 2}, {Train: 7, Seed: 1, Size: 64}, {Train: 7, Test: 7, Seed: 1}} {
		if _, err := Generate(dir, o); err == nil || !strings.Contains(err.Error(), "other options") {
			t.Errorf("%+v: err = %v, want other-options refusal", o, err)
		}
	}
	after := treeFiles(t, dir)
	for name := range before {
		if !bytes.Equal(before[name], after[name]) {
			t.Errorf("%s changed by a refused run", name)
		}
	}
}

func TestResume(t *testing.T) {
	opts := Options{Train: 14, Test: 7, Seed: 5}
	dir, _ := generate(t, opts)
	want := treeFiles(t, dir)

	// Same options again: nothing drawn, nothing changed.
	sum, err := Generate(dir, Options{Train: 14, Test: 7, Seed: 5, Workers: 1})
	if err != nil || sum.Written != 0 || sum.Reused != 21 {
		t.Fatalf("rerun: %+v, %v; want 0 written, 21 reused", sum, err)
	}
	// Interrupted run: two images and the landmarks file missing, a temporary left over.
	for _, rel := range []string{"Image/aligned/train_00003_aligned.jpg", "Image/aligned/test_0007_aligned.jpg", LandmarksFile} {
		os.Remove(filepath.Join(dir, filepath.FromSlash(rel)))
	}
	tmp := filepath.Join(dir, "Image", "aligned", dataset.TempPrefix+"train_00003_aligned.jpg-123")
	if err := os.WriteFile(tmp, []byte("torn"), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err = Generate(dir, opts)
	if err != nil || sum.Written != 2 || sum.Reused != 19 {
		t.Fatalf("resume: %+v, %v; want 2 written, 19 reused", sum, err)
	}
	got := treeFiles(t, dir)
	if len(got) != len(want) {
		t.Errorf("resumed tree has %d files, want %d: %v", len(got), len(want), keys(got))
	}
	for name, data := range want {
		if !bytes.Equal(data, got[name]) {
			t.Errorf("%s differs after resume", name)
		}
	}
}

func TestBadOptions(t *testing.T) {
	for _, o := range []Options{{}, {Train: -1, Test: 3}, {Train: 100000}, {Test: 10000}, {Train: 7, Size: 16}, {Train: 7, Size: 4096}} {
		if _, err := Generate(filepath.Join(t.TempDir(), "o"), o); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
	if _, _, err := Face(1, "x", 7, 100); err == nil {
		t.Error("class 7 accepted")
	}
}

func TestSizeOption(t *testing.T) {
	dir, _ := generate(t, Options{Train: 7, Seed: 1, Size: 64})
	img := decodeJPEG(t, filepath.Join(dir, "Image", "aligned", "train_00001_aligned.jpg"))
	if b := img.Bounds(); b.Dx() != 64 || b.Dy() != 64 {
		t.Errorf("size 64 gave %v", b)
	}
}

// TestOpensAsRAFDB reads the output with the project's own dataset reader, which is how
// occlude and ffra train will see it.
func TestOpensAsRAFDB(t *testing.T) {
	dir, _ := generate(t, Options{Train: 14, Test: 7, Seed: 2})
	d, err := dataset.Open(dir, dataset.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Layout != "rafdb" || len(d.Items) != 21 || len(d.Problems) != 0 {
		t.Fatalf("layout %q, %d items, problems %v; want rafdb, 21, none", d.Layout, len(d.Items), d.Problems)
	}
	if strings.Join(d.AuxFiles, ",") != LabelFile+","+LandmarksFile {
		t.Errorf("aux files %v, want the label and landmarks files only", d.AuxFiles)
	}
	labels := string(treeFiles(t, dir)[LabelFile])
	for _, it := range d.Items {
		if !it.Aligned || it.Label < 0 || !strings.Contains(labels, fmt.Sprintf("%s.jpg %d\n", it.Stem, it.Label+1)) {
			t.Errorf("item %+v does not match the label file", it)
		}
	}
	if n := len(d.Split("train")); n != 14 {
		t.Errorf("%d train items, want 14", n)
	}
}
