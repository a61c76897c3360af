package synth

import (
	"bufio"
	"encoding/json"
	"fmt"
	"image"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/occfer/occfer/landmarks/face68"
)

// sample is one decoded image of a generated tree with its label and landmarks.
type sampleImg struct {
	rel   string
	split string
	class int
	img   image.Image
	lm    face68.Shape
	gray  *grayImg // luma of img, what the classifier reads
}

// grayImg is a float luma plane; the classifier samples it thousands of times per image and
// image.Image.At is too slow for that.
type grayImg struct {
	w, h int
	v    []float64 // luma
	red  []float64 // R - G: lips and mouth interior stand out from skin, whatever its tone
}

func toGray(img image.Image) *grayImg {
	b := img.Bounds()
	g := &grayImg{b.Dx(), b.Dy(), make([]float64, b.Dx()*b.Dy()), make([]float64, b.Dx()*b.Dy())}
	for y := range g.h {
		for x := range g.w {
			g.v[y*g.w+x] = gray(img, b.Min.X+x, b.Min.Y+y)
			r, gr, _, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			g.red[y*g.w+x] = (float64(r) - float64(gr)) / 257
		}
	}
	return g
}

// loadTree reads a generated tree the way a consumer would: label file, landmarks file and
// JPEGs, failing the test on any inconsistency between them.
func loadTree(t testing.TB, root string) []sampleImg {
	t.Helper()
	lms := map[string]face68.Shape{}
	f, err := os.Open(filepath.Join(root, LandmarksFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var rec struct {
			Path      string       `json:"path"`
			Landmarks [][2]float64 `json:"landmarks"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("landmarks line %q: %v", sc.Text(), err)
		}
		if len(rec.Landmarks) != 68 {
			t.Fatalf("%s: %d landmarks, want 68", rec.Path, len(rec.Landmarks))
		}
		var s face68.Shape
		for i, p := range rec.Landmarks {
			s[i] = face68.Point{X: p[0], Y: p[1]}
		}
		lms[rec.Path] = s
	}
	labels, err := os.ReadFile(filepath.Join(root, LabelFile))
	if err != nil {
		t.Fatal(err)
	}
	var out []sampleImg
	for _, line := range strings.Split(strings.TrimSuffix(string(labels), "\n"), "\n") {
		name, val, ok := strings.Cut(line, " ")
		v, err := strconv.Atoi(val)
		if !ok || err != nil || v < 1 || v > 7 {
			t.Fatalf("bad label line %q", line)
		}
		rel := "Image/aligned/" + strings.TrimSuffix(name, ".jpg") + "_aligned.jpg"
		lm, ok := lms[rel]
		if !ok {
			t.Fatalf("%s has a label but no landmarks", rel)
		}
		img := decodeJPEG(t, filepath.Join(root, rel))
		split, _, _ := strings.Cut(name, "_")
		out = append(out, sampleImg{rel, split, v - 1, img, lm, toGray(img)})
	}
	if len(out) != len(lms) {
		t.Fatalf("%d labels but %d landmark lines", len(out), len(lms))
	}
	return out
}

func decodeJPEG(t testing.TB, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := jpeg.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

var (
	sharedOnce sync.Once
	sharedDir  string
	sharedErr  error
)

// sharedOpts is the dataset most tests read; generating it once keeps the suite fast.
var sharedOpts = Options{Train: 700, Test: 350, Seed: 7}

func sharedTree(t testing.TB) string {
	t.Helper()
	sharedOnce.Do(func() {
		sharedDir, sharedErr = os.MkdirTemp("", "synth-test-")
		if sharedErr == nil {
			_, sharedErr = Generate(sharedDir, sharedOpts)
		}
	})
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return sharedDir
}

var (
	samplesOnce sync.Once
	samples     []sampleImg
)

// sharedSamples decodes the shared tree once for all tests that read it.
func sharedSamples(t testing.TB) []sampleImg {
	t.Helper()
	dir := sharedTree(t)
	samplesOnce.Do(func() { samples = loadTree(t, dir) })
	if len(samples) == 0 {
		t.Fatal("shared tree could not be loaded")
	}
	return samples
}

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedDir != "" {
		os.RemoveAll(sharedDir)
	}
	os.Exit(code)
}

func gray(img image.Image, x, y int) float64 {
	r, g, b, _ := img.At(x, y).RGBA()
	return (0.299*float64(r) + 0.587*float64(g) + 0.114*float64(b)) / 257
}

// bilinear samples grayscale at continuous pixel-centre coordinates, black outside.
func bilinear(plane []float64, g *grayImg, x, y float64) float64 {
	x0, y0 := math.Floor(x), math.Floor(y)
	fx, fy := x-x0, y-y0
	at := func(i, j int) float64 {
		if i < 0 || j < 0 || i >= g.w || j >= g.h {
			return 0
		}
		return plane[j*g.w+i]
	}
	ix, iy := int(x0), int(y0)
	return (1-fy)*((1-fx)*at(ix, iy)+fx*at(ix+1, iy)) + fy*((1-fx)*at(ix, iy+1)+fx*at(ix+1, iy+1))
}

func eyeCentres(lm face68.Shape) (face68.Point, face68.Point) {
	var r, l face68.Point
	for i := range 6 {
		r.X += lm[36+i].X / 6
		r.Y += lm[36+i].Y / 6
		l.X += lm[42+i].X / 6
		l.Y += lm[42+i].Y / 6
	}
	return r, l
}

func fmtAcc(a float64) string { return fmt.Sprintf("%.1f%%", 100*a) }
