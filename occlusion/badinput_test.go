package occlusion

import (
	"bytes"
	"context"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/imageio"
)

// Bad images are reported and counted, never fatal (unless strict), never lose the rest of the
// dataset, and the input tree is left exactly as it was.
func TestBadInputs(t *testing.T) {
	in := t.TempDir()
	src := loadAstronaut(t)
	defer src.Close()
	face := faceCrop(src, 2.0, 0, 0, 200, false)
	defer face.Close()
	writeImage(t, filepath.Join(in, "good.jpg"), face)

	jpeg, _ := imageio.Encode("x.jpg", face)
	writeFile(t, filepath.Join(in, "corrupt.jpg"), append([]byte{0xff, 0xd8, 0xff, 0x00, 0x13}, jpeg[len(jpeg)/2:]...))
	writeFile(t, filepath.Join(in, "empty.jpg"), nil)
	writeFile(t, filepath.Join(in, "text.png"), []byte("this is not a PNG\n"))
	writeFile(t, filepath.Join(in, "notes.txt"), []byte("aux file, copied as is\n"))

	gray := gocv.NewMat()
	gocv.CvtColor(face, &gray, gocv.ColorBGRToGray)
	writeImage(t, filepath.Join(in, "gray.png"), gray)
	gray.Close()
	deep := gocv.NewMat()
	face.ConvertToWithParams(&deep, gocv.MatTypeCV16UC3, 257, 0)
	writeImage(t, filepath.Join(in, "deep16.png"), deep)
	deep.Close()
	tiny := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(90, 120, 160, 0), 10, 10, gocv.MatTypeCV8UC3)
	writeImage(t, filepath.Join(in, "tiny.png"), tiny)
	tiny.Close()
	// 6000x4000 with the face enlarged 4x in the middle: decoded, detected on a downscaled
	// copy, occluded at full resolution.
	huge := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(200, 200, 200, 0), 4000, 6000, gocv.MatTypeCV8UC3)
	big := gocv.NewMat()
	gocv.Resize(face, &big, image.Pt(1600, 1600), 0, 0, gocv.InterpolationCubic)
	roi := huge.Region(image.Rect(2200, 1200, 3800, 2800))
	big.CopyTo(&roi)
	roi.Close()
	big.Close()
	writeImage(t, filepath.Join(in, "huge.jpg"), huge)
	huge.Close()

	before := treeHashes(t, in)
	out := filepath.Join(t.TempDir(), "out")
	c := baseConfig(in, out, KindMask)
	sum, err := Run(context.Background(), c)
	if err != nil {
		t.Fatalf("a run with bad images must complete: %v", err)
	}
	recs := map[string]Record{}
	for _, r := range readManifest(t, filepath.Join(out, ManifestFile)) {
		recs[r.In] = r
	}
	want := map[string]string{
		"good.jpg": StatusDetected, "gray.png": StatusDetected, "deep16.png": StatusDetected,
		"huge.jpg": StatusDetected, "tiny.png": StatusNoFace,
		"corrupt.jpg": StatusUnreadable, "empty.jpg": StatusUnreadable, "text.png": StatusUnreadable,
	}
	if len(recs) != len(want) {
		t.Fatalf("%d records, want %d: %v", len(recs), len(want), recs)
	}
	for rel, st := range want {
		r := recs[rel]
		if r.Status != st {
			t.Errorf("%s: status %q (%s), want %q", rel, r.Status, r.Error, st)
		}
		if st == StatusUnreadable {
			if !strings.Contains(r.Error, filepath.Join(in, rel)) || r.Action != ActionSkipped {
				t.Errorf("%s: error %q must name the file; action %s", rel, r.Error, r.Action)
			}
			if _, err := os.Stat(filepath.Join(out, rel)); !os.IsNotExist(err) {
				t.Errorf("%s: unreadable input was written to the output", rel)
			}
		}
	}
	if r := recs["huge.jpg"]; r.Width != 6000 || r.Height != 4000 || r.Faces[0].Box[0] < 2000 || r.Faces[0].Coverage.Mouth < 0.8 {
		t.Errorf("huge.jpg: %dx%d box %v coverage %+v", r.Width, r.Height, r.Faces[0].Box, r.Faces[0].Coverage)
	}
	// The no-face image is copied unchanged (default policy).
	if a, b := before["tiny.png"], treeHashes(t, out)["tiny.png"]; a != b || recs["tiny.png"].Action != ActionCopied {
		t.Errorf("tiny.png: not copied unchanged (action %s)", recs["tiny.png"].Action)
	}
	if got := treeHashes(t, out)["notes.txt"]; got != before["notes.txt"] {
		t.Error("aux file notes.txt not copied")
	}
	if len(sum.Failures) != 3 || !strings.HasPrefix(sum.Failures[0], "corrupt.jpg: image "+filepath.Join(in, "corrupt.jpg")) {
		t.Errorf("summary failures %q", sum.Failures)
	}
	if sum.Failed != 3 || sum.ByStatus[StatusUnreadable] != 3 || sum.ByStatus[StatusDetected] != 4 {
		t.Errorf("summary counts %+v failed %d", sum.ByStatus, sum.Failed)
	}
	if after := treeHashes(t, in); len(after) != len(before) {
		t.Fatalf("input tree changed: %d files before, %d after", len(before), len(after))
	} else {
		for k, v := range before {
			if after[k] != v {
				t.Fatalf("input file %s changed", k)
			}
		}
	}

	// Strict: the first failure is fatal and named.
	c.Out, c.Strict = filepath.Join(t.TempDir(), "strict"), true
	_, err = Run(context.Background(), c)
	if err == nil || !strings.Contains(err.Error(), "strict") || !strings.Contains(err.Error(), ".jpg") && !strings.Contains(err.Error(), ".png") {
		t.Fatalf("strict run with unreadable images: %v", err)
	}
}

// Label-file lines with an unknown label, a missing image or a path that climbs out of the
// dataset are reported as problems; the good lines are processed.
func TestLabelProblems(t *testing.T) {
	in := t.TempDir()
	makeRAF(t, in, 4)
	lp := filepath.Join(in, "EmoLabel/list_patition_label.txt")
	old, _ := os.ReadFile(lp)
	writeFile(t, lp, append(old, []byte("train_00077.jpg 9\ntrain_00088.jpg 2\n../../etc/passwd 1\n")...))
	before := treeHashes(t, in)
	out := filepath.Join(t.TempDir(), "out")
	sum, err := Run(context.Background(), baseConfig(in, out, KindSunglasses))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Items != 4 || sum.Failed != 0 {
		t.Fatalf("summary %+v", sum)
	}
	var reasons []string
	for _, p := range sum.Problems {
		reasons = append(reasons, p.String())
	}
	all := strings.Join(reasons, "\n")
	for _, want := range []string{":5: unknown label \"9\"", ":6: image Image/aligned/train_00088_aligned.jpg listed for train_00088.jpg does not exist", ":7: image name \"../../etc/passwd\" rejected"} {
		if !strings.Contains(all, want) {
			t.Errorf("problems %q lack %q", all, want)
		}
	}
	if treeHashes(t, out)["EmoLabel/list_patition_label.txt"] != before["EmoLabel/list_patition_label.txt"] {
		t.Error("label file not copied unchanged")
	}
	c := baseConfig(in, filepath.Join(t.TempDir(), "strict"), KindSunglasses)
	c.Strict = true
	if _, err := Run(context.Background(), c); err == nil || !strings.Contains(err.Error(), "3 problems") {
		t.Fatalf("strict run with bad label lines: %v", err)
	}
}

func TestOutputInsideInputRefused(t *testing.T) {
	in := t.TempDir()
	makeRAF(t, in, 2)
	before := treeHashes(t, in)
	for _, out := range []string{in, filepath.Join(in, "occluded"), filepath.Join(in, "Image")} {
		_, err := Run(context.Background(), baseConfig(in, out, KindMask))
		if err == nil || !strings.Contains(err.Error(), "choose a folder outside the input") {
			t.Fatalf("output %s: %v", out, err)
		}
	}
	after := treeHashes(t, in)
	if len(after) != len(before) {
		t.Fatalf("refused run changed the input: %d -> %d files", len(before), len(after))
	}
	if _, err := os.Stat(filepath.Join(in, "occluded")); !os.IsNotExist(err) {
		t.Fatal("refused run created the output folder inside the input")
	}
}

// A FER2013 CSV tree holds its images as pixel rows: occlude, which reads image files, refuses
// it and says how to write them out; a BOM + CRLF label file loses no line.
func TestCSVDatasetRefusedAndBOMLabels(t *testing.T) {
	in := t.TempDir()
	writeFile(t, filepath.Join(in, "fer2013.csv"), []byte("emotion,pixels,Usage\n3,0 1 2 3,Training\n"))
	if _, err := Run(context.Background(), baseConfig(in, filepath.Join(t.TempDir(), "out"), KindSunglasses)); err == nil || !strings.Contains(err.Error(), "ffra data") {
		t.Fatalf("fer2013.csv tree: %v", err)
	}
	raf := t.TempDir()
	makeRAF(t, raf, 3)
	lp := filepath.Join(raf, "EmoLabel/list_patition_label.txt")
	old, _ := os.ReadFile(lp)
	writeFile(t, lp, append([]byte("\xEF\xBB\xBF"), bytes.ReplaceAll(old, []byte("\n"), []byte("\r\n"))...))
	sum, err := Run(context.Background(), baseConfig(raf, filepath.Join(t.TempDir(), "out"), KindSunglasses))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Items != 3 || len(sum.Problems) != 0 {
		t.Fatalf("BOM + CRLF label file: %d items, problems %v", sum.Items, sum.Problems)
	}
}
