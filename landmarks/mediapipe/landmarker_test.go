package mediapipe

import (
	"encoding/json"
	"errors"
	"image"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/landmarks/face68"
	"github.com/occfer/occfer/synth"
)

// dlibAstronaut is dlib's 68 landmarks of the fixture (testdata/landmarks/astronaut.json,
// held by the landmarks package's own tests).
func dlibAstronaut(t *testing.T) face68.Shape {
	t.Helper()
	raw, err := os.ReadFile("../../testdata/landmarks/astronaut.json")
	if err != nil {
		t.Fatal(err)
	}
	var rec struct {
		Landmarks [68][2]float64 `json:"landmarks"`
	}
	if err := json.Unmarshal(raw, &rec); err != nil {
		t.Fatal(err)
	}
	var s face68.Shape
	for i, p := range rec.Landmarks {
		s[i] = face68.Point{X: p[0], Y: p[1]}
	}
	return s
}

// nme is the mean distance of points 17-67 (the ones every annotation convention agrees on)
// over the inter-ocular distance (outer eye corners) of want.
func nme(got, want face68.Shape) float64 {
	iod := face68.Distance(want[36], want[45])
	var sum float64
	for i := 17; i < 68; i++ {
		sum += face68.Distance(got[i], want[i])
	}
	return sum / 51 / iod
}

func TestDetectAstronaut(t *testing.T) {
	l := openTest(t)
	img := loadAstronaut(t)
	truth := dlibAstronaut(t)
	dets, err := l.Detect(img, DefaultMinScore)
	if err != nil {
		t.Fatal(err)
	}
	// one face: the suit's round emblem, dlib's false detection, scores under 0.5 here
	if len(dets) != 1 {
		t.Fatalf("%d detections at score >= %g, want the face only: %+v", len(dets), DefaultMinScore, dets)
	}
	d := dets[0]
	for i := 17; i < 68; i++ {
		if p := truth[i]; !image.Pt(int(p.X), int(p.Y)).In(d.Box) {
			t.Errorf("box %v misses landmark %d at (%.0f, %.0f)", d.Box, i, p.X, p.Y)
		}
	}
	iod := face68.Distance(truth[36], truth[45])
	for k, want := range map[int]face68.Point{
		0: face68.Centroid(truth[36:42]), 1: face68.Centroid(truth[42:48]),
		2: truth[30], 3: face68.Centroid(truth[48:68]),
	} {
		if dist := face68.Distance(d.Keypoints[k], want); dist > 0.25*iod {
			t.Errorf("keypoint %d at %v is %.1f px from dlib's %v (> 0.25 IOD)", k, d.Keypoints[k], dist, want)
		}
	}
}

func TestLandmarksAstronaut(t *testing.T) {
	l := openTest(t)
	img := loadAstronaut(t)
	truth := dlibAstronaut(t)
	m, err := l.Landmarks(img, truth.Box())
	if err != nil {
		t.Fatal(err)
	}
	if e := nme(m.Points, truth); e > 0.08 {
		t.Errorf("FaceMesh points 17-67 are %.3f IOD from dlib's on average, want <= 0.08", e)
	}
	if m.Flag < 0.9 {
		t.Errorf("face flag %.3f on a frontal face, want >= 0.9", m.Flag)
	}
	for i, v := range ibug68 {
		if m.Points[i].X != m.Vertices[v][0] || m.Points[i].Y != m.Vertices[v][1] {
			t.Fatalf("point %d is not mesh vertex %d", i, v)
		}
	}
}

// TestLandmarksSynthPoses holds FaceMesh to synth faces drawn at known yaw, whose landmarks
// are exact: points 17-67 within 0.06 IOD frontal and 0.12 turned by 30 and 45 degrees
// (measured: 0.03-0.04 and 0.05-0.09).
func TestLandmarksSynthPoses(t *testing.T) {
	l := openTest(t)
	for _, c := range []struct{ yaw, bound float64 }{{0, 0.06}, {30, 0.12}, {45, 0.12}, {-45, 0.12}} {
		for seed := uint64(1); seed <= 3; seed++ {
			im, lm, err := synth.PosedFace(seed, "face.png", 3, 256, synth.View{Yaw: c.yaw})
			if err != nil {
				t.Fatal(err)
			}
			img := rgbaToBGR(t, im)
			m, err := l.Landmarks(img, lm.Visible.Box())
			img.Close()
			if err != nil {
				t.Fatal(err)
			}
			if e := nme(m.Points, lm.Visible); e > c.bound {
				t.Errorf("yaw %v seed %d: points 17-67 %.3f IOD from the exact landmarks, want <= %.2f", c.yaw, seed, e, c.bound)
			}
		}
	}
}

func rgbaToBGR(t *testing.T, im *image.RGBA) gocv.Mat {
	t.Helper()
	rgba, err := gocv.ImageToMatRGBA(im)
	if err != nil {
		t.Fatal(err)
	}
	defer rgba.Close()
	bgr := gocv.NewMat()
	gocv.CvtColor(rgba, &bgr, gocv.ColorRGBAToBGR)
	return bgr
}

// TestLandmarksConcurrent runs one Landmarker from several goroutines (each gets its own
// OpenCV nets) and wants the same bits as alone.
func TestLandmarksConcurrent(t *testing.T) {
	l := openTest(t)
	img := loadAstronaut(t)
	box := dlibAstronaut(t).Box()
	want, err := l.Landmarks(img, box)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 12)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < 3; k++ {
				got, err := l.Landmarks(img, box)
				if err != nil {
					errs <- err
					return
				}
				if got != want {
					errs <- errors.New("a concurrent run gave other landmarks")
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestBadInput(t *testing.T) {
	l := openTest(t)
	empty := gocv.NewMat()
	defer empty.Close()
	if _, err := l.Detect(empty, DefaultMinScore); err == nil {
		t.Error("Detect on an empty image: no error")
	}
	gray := gocv.NewMatWithSize(64, 64, gocv.MatTypeCV8UC1)
	defer gray.Close()
	if _, err := l.Landmarks(gray, image.Rect(0, 0, 64, 64)); err == nil {
		t.Error("Landmarks on a 1-channel image: no error")
	}
	img := loadAstronaut(t)
	if _, err := l.Landmarks(img, image.Rectangle{}); err == nil || !strings.Contains(err.Error(), "empty face box") {
		t.Errorf("Landmarks with an empty box: %v", err)
	}
	// a box far outside the image still gives finite points (the border is repeated)
	m, err := l.Landmarks(img, image.Rect(2000, 2000, 2100, 2100))
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range m.Points {
		if math.IsNaN(p.X) || math.IsNaN(p.Y) || math.IsInf(p.X, 0) || math.IsInf(p.Y, 0) {
			t.Fatalf("point %d is %v", i, p)
		}
	}
}

func TestOpenNotInstalled(t *testing.T) {
	dir := t.TempDir()
	_, err := Open(dir)
	if !errors.Is(err, ErrNotInstalled) || !strings.Contains(err.Error(), dir) {
		t.Fatalf("Open(empty folder) = %v, want ErrNotInstalled naming the folder", err)
	}
}

// TestOpenSameError: a folder with every file missing or changed always gets the same error,
// naming the first file of the pinned list, whatever the order of Go's map iteration.
func TestOpenSameError(t *testing.T) {
	for _, c := range []struct {
		name  string
		write func(name string) []byte // nil: file absent
	}{
		{"missing", func(string) []byte { return nil }},
		{"changed", func(name string) []byte { return []byte("not " + name) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range pinned {
				if b := c.write(f.name); b != nil {
					if err := os.WriteFile(filepath.Join(dir, f.name), b, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			want := filepath.Join(dir, DetectorModel+".json") + ":"
			for i := range 32 {
				_, err := Open(dir)
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("try %d: Open = %v, want an error naming %s", i, err, want)
				}
			}
		})
	}
}

func TestOpenWrongDigest(t *testing.T) {
	dir := t.TempDir()
	for _, f := range pinned {
		name := f.name
		b, err := os.ReadFile(filepath.Join(DefaultDir(), name))
		if err != nil {
			t.Fatalf("%v (run scripts/install-models.sh)", err)
		}
		if name == MeshModel+".bin" {
			b[len(b)/2] ^= 1
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, err := Open(dir)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, MeshModel+".bin")) || !strings.Contains(err.Error(), "sha256") {
		t.Fatalf("Open with a changed weight file = %v, want an error naming it and its digest", err)
	}
}

func TestMap68(t *testing.T) {
	seen := map[int]bool{}
	for i, v := range ibug68 {
		if v < 0 || v >= 468 || seen[v] {
			t.Errorf("point %d: vertex %d out of range or used twice", i, v)
		}
		seen[v] = true
	}
}
