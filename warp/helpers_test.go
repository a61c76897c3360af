package warp

import (
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/imageio"
	"github.com/occfer/occfer/landmarks/face68"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*.png from the current renders")

const (
	astronautPath = "../testdata/astronaut.png"
	landmarksPath = "../testdata/warp/astronaut_landmarks.json"
	assetsDir     = "../assets"
	goldenDir     = "../testdata/golden"
)

// astronautLandmarks reads the reference landmarks (dlib 68-point predictor
// on the fixture, stored once so these tests need no dlib model).
func astronautLandmarks(tb testing.TB) face68.Shape {
	tb.Helper()
	raw, err := os.ReadFile(landmarksPath)
	if err != nil {
		tb.Fatalf("read landmarks: %v", err)
	}
	var f struct {
		Landmarks [][2]float64 `json:"landmarks"`
	}
	if err := json.Unmarshal(raw, &f); err != nil || len(f.Landmarks) != 68 {
		tb.Fatalf("landmarks file %s: %v (%d points)", landmarksPath, err, len(f.Landmarks))
	}
	var s face68.Shape
	for i, p := range f.Landmarks {
		s[i] = face68.Point{X: p[0], Y: p[1]}
	}
	return s
}

func astronaut(tb testing.TB) gocv.Mat {
	tb.Helper()
	m := gocv.IMRead(astronautPath, gocv.IMReadColor)
	if m.Empty() {
		tb.Fatalf("read %s", astronautPath)
	}
	return m
}

var (
	assetsOnce sync.Once
	assetsT    []*Template
	assetsErr  error
)

// assetTemplates loads the committed templates once per test binary.
func assetTemplates(tb testing.TB) []*Template {
	tb.Helper()
	assetsOnce.Do(func() { assetsT, assetsErr = LoadTemplates(assetsDir) })
	if assetsErr != nil {
		tb.Fatalf("load assets: %v", assetsErr)
	}
	return assetsT
}

func templateByName(tb testing.TB, name string) *Template {
	tb.Helper()
	for _, t := range assetTemplates(tb) {
		if t.Name == name {
			return t
		}
	}
	tb.Fatalf("template %s not in %s", name, assetsDir)
	return nil
}

// placementCase is one view of the fixture: the image is resampled with a
// similarity (scale, roll about the face centre, optional mirror) into a
// size×size tile, and the landmarks are moved with the same matrix.
type placementCase struct {
	name    string
	scale   float64 // face size relative to the fixture
	roll    float64 // degrees, counter-clockwise on screen
	mirror  bool
	aligned bool // 100×100 aligned-style crop: eye centres at fixed spots
}

var placementCases = []placementCase{
	{name: "base", scale: 1},
	{name: "small_roll15", scale: 0.6, roll: 15},
	{name: "large_roll-20", scale: 1.2, roll: -20},
	{name: "mirror_roll8", scale: 0.9, roll: 8, mirror: true},
	{name: "aligned100", aligned: true},
}

const tileSize = 112

// render makes the case's image and landmarks.
func (c placementCase) render(tb testing.TB, src gocv.Mat, s face68.Shape) (gocv.Mat, face68.Shape) {
	tb.Helper()
	img := src
	if c.mirror {
		img = gocv.NewMat()
		defer img.Close()
		gocv.Flip(src, &img, 1)
		s = s.Mirror(src.Cols())
	}
	size := tileSize
	var m Mat3
	if c.aligned {
		// RAF-DB style: eyes level, 36 px apart, at y = 40 in a 100-px crop
		size = 100
		var err error
		m, err = FitSimilarityLS([]face68.Point{s.RightEye(), s.LeftEye()}, []face68.Point{{X: 32, Y: 40}, {X: 68, Y: 40}})
		if err != nil {
			tb.Fatal(err)
		}
	} else {
		c0 := face68.Centroid(s[:])
		th := c.roll * math.Pi / 180
		rot := Mat3{{c.scale * math.Cos(th), c.scale * math.Sin(th), 0}, {-c.scale * math.Sin(th), c.scale * math.Cos(th), 0}, {0, 0, 1}}
		m = Translate(float64(size)/2, float64(size)/2).Mul(rot).Mul(Translate(-c0.X, -c0.Y))
	}
	out, err := imageio.Warp(img, m, image.Pt(size, size), gocv.InterpolationLinear, gocv.BorderReflect101)
	if err != nil {
		tb.Fatal(err)
	}
	var t face68.Shape
	for i, p := range s {
		t[i] = m.Apply(p)
	}
	return out, t
}

// diffStats returns the fraction of channel values that differ by more than
// tol, and the largest difference.
func diffStats(a, b []byte, tol int) (float64, int) {
	bad, worst := 0, 0
	for i := range a {
		d := int(a[i]) - int(b[i])
		if d < 0 {
			d = -d
		}
		worst = max(worst, d)
		if d > tol {
			bad++
		}
	}
	return float64(bad) / float64(len(a)), worst
}

func writePNG(tb testing.TB, path string, m gocv.Mat) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	if !gocv.IMWrite(path, m) {
		tb.Fatalf("write %s", path)
	}
}

func matBytes(tb testing.TB, m gocv.Mat) []byte {
	tb.Helper()
	b := m.ToBytes()
	if len(b) == 0 {
		tb.Fatal(fmt.Errorf("empty Mat"))
	}
	return b
}
