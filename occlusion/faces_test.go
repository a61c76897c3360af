package occlusion

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/imageio"
)

// Images without a face are copied unchanged or skipped, and always recorded.
func TestNoFacePolicy(t *testing.T) {
	in := t.TempDir()
	blank := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(30, 160, 90, 0), 120, 160, gocv.MatTypeCV8UC3)
	writeImage(t, filepath.Join(in, "blank.jpg"), blank)
	blank.Close()
	src := loadAstronaut(t)
	face := faceCrop(src, 2, 0, 0, 180, false)
	writeImage(t, filepath.Join(in, "face.jpg"), face)
	face.Close()
	src.Close()
	orig, _ := os.ReadFile(filepath.Join(in, "blank.jpg"))
	for _, pol := range []NoFacePolicy{NoFaceCopy, NoFaceSkip} {
		out := filepath.Join(t.TempDir(), "out")
		c := baseConfig(in, out, KindSunglasses)
		c.NoFace = pol
		sum, err := Run(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		recs := readManifest(t, filepath.Join(out, ManifestFile))
		if len(recs) != 2 || recs[0].In != "blank.jpg" || recs[0].Status != StatusNoFace {
			t.Fatalf("%s: records %+v", pol, recs)
		}
		got, err := os.ReadFile(filepath.Join(out, "blank.jpg"))
		switch pol {
		case NoFaceCopy:
			if err != nil || string(got) != string(orig) || recs[0].Action != ActionCopied || recs[0].Out != "blank.jpg" {
				t.Errorf("copy: output differs from input or not marked copied (%s, %v)", recs[0].Action, err)
			}
		case NoFaceSkip:
			if !os.IsNotExist(err) || recs[0].Action != ActionSkipped || recs[0].Out != "" {
				t.Errorf("skip: output exists or not marked skipped (%s)", recs[0].Action)
			}
		}
		if sum.ByStatus[StatusNoFace] != 1 || sum.Failed != 0 {
			t.Errorf("%s: summary %+v", pol, sum.ByStatus)
		}
	}
}

// With two faces, "all" occludes both and "largest" only the bigger one.
func TestMultiFace(t *testing.T) {
	in := t.TempDir()
	src := loadAstronaut(t)
	defer src.Close()
	img := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(220, 220, 220, 0), 240, 460, gocv.MatTypeCV8UC3)
	a := faceCrop(src, 2, 0, 0, 220, false)
	b := faceCrop(src, 2, 0, 0, 160, true)
	ra, rb := img.Region(image.Rect(10, 10, 230, 230)), img.Region(image.Rect(280, 40, 440, 200))
	a.CopyTo(&ra)
	b.CopyTo(&rb)
	for _, m := range []gocv.Mat{a, b, ra, rb} {
		m.Close()
	}
	writeImage(t, filepath.Join(in, "two.png"), img)
	img.Close()
	for _, tc := range []struct {
		faces MultiFace
		n     int
	}{{FacesAll, 2}, {FacesLargest, 1}} {
		out := filepath.Join(t.TempDir(), "out")
		c := baseConfig(in, out, KindMask)
		c.Faces = tc.faces
		if _, err := Run(context.Background(), c); err != nil {
			t.Fatal(err)
		}
		r := readManifest(t, filepath.Join(out, ManifestFile))[0]
		if len(r.Faces) != tc.n {
			t.Fatalf("%s: %d faces, want %d (%s)", tc.faces, len(r.Faces), tc.n, r.Error)
		}
		if r.Faces[0].Box[0] > 100 { // the larger face is on the left
			t.Errorf("%s: first face %v is not the largest", tc.faces, r.Faces[0].Box)
		}
		for i, f := range r.Faces {
			if f.Coverage.Mouth < 0.8 {
				t.Errorf("%s: face %d mouth coverage %.2f", tc.faces, i, f.Coverage.Mouth)
			}
		}
	}
}

// Landmarks from the dataset's landmarks68.jsonl are used as given (no detection), and the
// file is carried to the output where it stays valid.
func TestLandmarksFromFile(t *testing.T) {
	in := t.TempDir()
	src := loadAstronaut(t)
	writeImage(t, filepath.Join(in, "a.png"), src)
	src.Close()
	var ref struct {
		Landmarks [][2]float64 `json:"landmarks"`
	}
	data, _ := os.ReadFile("../testdata/warp/astronaut_landmarks.json")
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatal(err)
	}
	// Shift every point by +0.5 px so file landmarks are distinguishable from detections.
	var pts []string
	for _, p := range ref.Landmarks {
		pts = append(pts, fmt.Sprintf("[%g,%g]", p[0]+0.5, p[1]+0.5))
	}
	line := `{"path":"a.png","landmarks":[` + strings.Join(pts, ",") + "]}\n"
	writeFile(t, filepath.Join(in, "landmarks68.jsonl"), []byte(line))
	out := filepath.Join(t.TempDir(), "out")
	if _, err := Run(context.Background(), baseConfig(in, out, KindMask)); err != nil {
		t.Fatal(err)
	}
	r := readManifest(t, filepath.Join(out, ManifestFile))[0]
	if r.Status != StatusFromFile {
		t.Fatalf("status %s (%s)", r.Status, r.Error)
	}
	for i, p := range r.Faces[0].Landmarks {
		if p[0] != ref.Landmarks[i][0]+0.5 || p[1] != ref.Landmarks[i][1]+0.5 {
			t.Fatalf("landmark %d = %v, want the file's %v + 0.5", i, p, ref.Landmarks[i])
		}
	}
	if got, _ := os.ReadFile(filepath.Join(out, "landmarks68.jsonl")); string(got) != line {
		t.Error("landmarks68.jsonl not carried to the output")
	}

	// A malformed landmarks file is an error naming the file and line.
	writeFile(t, filepath.Join(in, "landmarks68.jsonl"), []byte(line+`{"path":"../x.png","landmarks":[`+strings.Join(pts, ",")+"]}\n"))
	_, err := Run(context.Background(), baseConfig(in, filepath.Join(t.TempDir(), "o2"), KindMask))
	if err == nil || !strings.Contains(err.Error(), "landmarks68.jsonl: line 2: unsafe path") {
		t.Fatalf("bad landmarks file: %v", err)
	}
}

// Aligned crops where HOG finds nothing (here: blurred) get landmarks from the predictor on the
// calibrated box, close to where detection puts them on the sharp crop.
func TestAlignedFallback(t *testing.T) {
	sharp, blurred := t.TempDir(), t.TempDir()
	makeRAF(t, sharp, 20)
	copyTree(t, sharp, blurred)
	for i := 0; i < 20; i += 5 {
		p := filepath.Join(blurred, "Image/aligned", fmt.Sprintf("%s_%05d_aligned.jpg", splitOf(i), i+1))
		img, err := imageio.Decode(p)
		if err != nil {
			t.Fatal(err)
		}
		gocv.GaussianBlur(img, &img, image.Point{}, 4, 4, gocv.BorderReplicate)
		writeImage(t, p, img)
		img.Close()
	}
	ref := filepath.Join(t.TempDir(), "ref")
	out := filepath.Join(t.TempDir(), "out")
	if _, err := Run(context.Background(), baseConfig(sharp, ref, KindMask)); err != nil {
		t.Fatal(err)
	}
	sum, err := Run(context.Background(), baseConfig(blurred, out, KindMask))
	if err != nil {
		t.Fatal(err)
	}
	if sum.ByStatus[StatusAlignedFB] != 4 {
		t.Fatalf("statuses %v, want 4 aligned-fallback", sum.ByStatus)
	}
	refRecs := readManifest(t, filepath.Join(ref, ManifestFile))
	for i, r := range readManifest(t, filepath.Join(out, ManifestFile)) {
		if r.Status != StatusAlignedFB {
			continue
		}
		var worst float64
		d := refRecs[i].Faces[0].Landmarks
		for k, p := range r.Faces[0].Landmarks {
			dx, dy := p[0]-d[k][0], p[1]-d[k][1]
			worst = max(worst, dx*dx+dy*dy)
		}
		if worst > 8*8 { // 8 px on a 100 px crop; the eye distance is about 30 px
			t.Errorf("%s: fallback landmarks up to %.1f px from the detected ones", r.In, math.Sqrt(worst))
		}
		if r.Faces[0].Coverage.Mouth < 0.8 {
			t.Errorf("%s: mouth coverage %.2f", r.In, r.Faces[0].Coverage.Mouth)
		}
	}
	// The calibrated box comes from the whole dataset, so shards (which see different
	// aligned items) place the fallback landmarks exactly as the single run did.
	sharded := filepath.Join(t.TempDir(), "sharded")
	for i := 1; i <= 2; i++ {
		c := baseConfig(blurred, sharded, KindMask)
		c.Shard, c.Workers = Shard{I: i, N: 2}, 1
		if _, err := Run(context.Background(), c); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Merge(sharded, MergeOptions{}); err != nil {
		t.Fatal(err)
	}
	sameTree(t, out, sharded)
}

func splitOf(i int) string {
	if i%4 == 3 {
		return "test"
	}
	return "train"
}

// The preview holds the requested pairs.
func TestPreview(t *testing.T) {
	in := t.TempDir()
	makeRAF(t, in, 5)
	out := filepath.Join(t.TempDir(), "out")
	c := baseConfig(in, out, KindMask)
	c.Preview = 4
	if _, err := Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	img, err := imageio.Decode(filepath.Join(out, "preview.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	// 4 pairs: 2 columns x 2 rows of (2 cells + gaps)
	if w, h := img.Cols(), img.Rows(); w != 2*(2*previewCell+4+12)+4 || h != 2*(previewCell+4)+4 {
		t.Fatalf("preview %dx%d", w, h)
	}
}

// RAF-DB Image/original items take their landmarks from the manual 5-point annotation
// (fitted to 68 points), in original-image coordinates.
func TestRAFAnnotation(t *testing.T) {
	in := t.TempDir()
	src := loadAstronaut(t)
	writeImage(t, filepath.Join(in, "Image/original/train_00001.jpg"), src)
	src.Close()
	writeFile(t, filepath.Join(in, "EmoLabel/list_patition_label.txt"), []byte("train_00001.jpg 4\n"))
	// eye centres, nose tip and mouth corners of testdata/astronaut.png, then gender, race, age
	ann := "203.5\t101.5\n247.2\t104.0\n225.0\t127.0\n201.0\t140.0\n245.0\t141.0\n1\n0\n2\n"
	writeFile(t, filepath.Join(in, "Annotation/manual/train_00001_manu_attri.txt"), []byte(ann))
	out := filepath.Join(t.TempDir(), "out")
	if _, err := Run(context.Background(), baseConfig(in, out, KindMask)); err != nil {
		t.Fatal(err)
	}
	r := readManifest(t, filepath.Join(out, ManifestFile))[0]
	if r.In != "Image/original/train_00001.jpg" || r.Status != StatusFromAnnotation {
		t.Fatalf("%s: status %s (%s)", r.In, r.Status, r.Error)
	}
	lm := r.Faces[0].Landmarks
	// FitFrom5 maps the reference shape onto the 5 points: mouth corners land near them.
	if d := math.Hypot(lm[48][0]-201, lm[48][1]-140); d > 4 {
		t.Errorf("mouth corner 48 at %v, %.1f px from the annotation", lm[48], d)
	}
	if r.Faces[0].Coverage.Mouth < 0.8 {
		t.Errorf("mouth coverage %.2f", r.Faces[0].Coverage.Mouth)
	}
	if got, _ := os.ReadFile(filepath.Join(out, "Annotation/manual/train_00001_manu_attri.txt")); string(got) != ann {
		t.Error("annotation not copied to the output")
	}
}

// AlignedLandmarks "box" skips detection on aligned crops: every item takes the calibrated
// box (status aligned-fallback), close to where detection puts the landmarks, and the mode is
// part of the recorded settings. An unknown mode is refused.
func TestAlignedBoxMode(t *testing.T) {
	in := t.TempDir()
	makeRAF(t, in, 20) // at least landmarks.MinCalibrationBoxes, so the box is calibrated
	ref := filepath.Join(t.TempDir(), "ref")
	if _, err := Run(context.Background(), baseConfig(in, ref, KindMask)); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	c := baseConfig(in, out, KindMask)
	c.AlignedLandmarks = AlignedBox
	sum, err := Run(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if sum.ByStatus[StatusAlignedFB] != 20 {
		t.Fatalf("statuses %v, want 20 aligned-fallback", sum.ByStatus)
	}
	refRecs := readManifest(t, filepath.Join(ref, ManifestFile))
	for i, r := range readManifest(t, filepath.Join(out, ManifestFile)) {
		if r.Faces[0].Source != StatusAlignedFB {
			t.Errorf("%s: face source %s", r.In, r.Faces[0].Source)
		}
		var worst float64
		d := refRecs[i].Faces[0].Landmarks
		for k, p := range r.Faces[0].Landmarks {
			dx, dy := p[0]-d[k][0], p[1]-d[k][1]
			worst = max(worst, dx*dx+dy*dy)
		}
		if worst > 8*8 {
			t.Errorf("%s: box landmarks up to %.1f px from the detected ones", r.In, math.Sqrt(worst))
		}
	}
	settings, err := os.ReadFile(filepath.Join(out, stateDir, settingsFile))
	if err != nil || !strings.Contains(string(settings), `"aligned_landmarks": "box"`) {
		t.Errorf("settings do not record the mode: %s (%v)", settings, err)
	}
	c = baseConfig(in, filepath.Join(t.TempDir(), "bad"), KindMask)
	c.AlignedLandmarks = "upsample"
	if _, err := Run(context.Background(), c); err == nil || !strings.Contains(err.Error(), "aligned-landmarks") {
		t.Errorf("unknown mode: %v", err)
	}
}
