package occlusion

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/imageio"
	"github.com/occfer/occfer/landmarks"
	"github.com/occfer/occfer/landmarks/mediapipe"
	"github.com/occfer/occfer/warp/assetgen"
)

// testTemplates is the template folder the tests use: the repository's assets/ when it holds
// templates, otherwise a set generated once by warp's generator.
var testTemplates string

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	flag.Parse()
	if f := flag.Lookup("test.fuzzworker"); f != nil && f.Value.String() == "true" {
		return m.Run() // a fuzz worker runs one fuzz target, which needs neither templates nor model
	}
	if matches, _ := filepath.Glob("../assets/*/*.json"); len(matches) > 0 {
		testTemplates = "../assets"
	} else {
		dir, err := os.MkdirTemp("", "occlusion-templates-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		if _, err := assetgen.Generate(dir); err != nil {
			fmt.Fprintln(os.Stderr, "generate templates:", err)
			return 1
		}
		testTemplates = dir
	}
	pred, err := landmarks.Open("")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer pred.Close()
	sharedPredictor = pred
	mesh, err := mediapipe.Open("")
	if err != nil {
		fmt.Fprintln(os.Stderr, err, "(run scripts/install-models.sh)")
		return 1
	}
	defer mesh.Close()
	sharedMediaPipe = mesh
	return m.Run()
}

// sharedPredictor and sharedMediaPipe save each Run the model loads; the determinism test
// loads its own.
var (
	sharedPredictor *landmarks.Predictor
	sharedMediaPipe *mediapipe.Landmarker
)

// astronautFace is the dlib face box of testdata/astronaut.png (testdata/warp/astronaut_landmarks.json).
var astronautFace = image.Rect(179, 83, 267, 171)

// decodeForTest decodes the image file p (the caller closes it), failing t when it cannot.
func decodeForTest(t testing.TB, p string) gocv.Mat {
	t.Helper()
	img, err := imageio.Decode(p)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func loadAstronaut(t testing.TB) gocv.Mat {
	t.Helper()
	img, err := imageio.Decode("../testdata/astronaut.png")
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// faceCrop cuts a square around the astronaut's face: side = scale x the face box, centre
// shifted by (dx, dy) pixels, resized to size x size, mirrored when flip is set.
func faceCrop(src gocv.Mat, scale float64, dx, dy, size int, flip bool) gocv.Mat {
	cx, cy := (astronautFace.Min.X+astronautFace.Max.X)/2+dx, (astronautFace.Min.Y+astronautFace.Max.Y)/2+dy
	half := int(float64(astronautFace.Dx()) * scale / 2)
	r := image.Rect(cx-half, cy-half, cx+half, cy+half).Intersect(image.Rect(0, 0, src.Cols(), src.Rows()))
	roi := src.Region(r)
	defer roi.Close()
	out := gocv.NewMat()
	gocv.Resize(roi, &out, image.Pt(size, size), 0, 0, gocv.InterpolationArea)
	if flip {
		gocv.Flip(out, &out, 1)
	}
	return out
}

func writeImage(t testing.TB, p string, img gocv.Mat) {
	t.Helper()
	data, err := imageio.Encode(p, img)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, p, data)
}

func writeFile(t testing.TB, p string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// makeRAF builds a RAF-DB basic tree of n aligned 100x100 crops (varied shift, scale and
// mirroring) with a label file.
func makeRAF(t testing.TB, root string, n int) {
	t.Helper()
	src := loadAstronaut(t)
	defer src.Close()
	var labels strings.Builder
	for i := 0; i < n; i++ {
		split := "train"
		if i%4 == 3 {
			split = "test"
		}
		stem := fmt.Sprintf("%s_%05d", split, i+1)
		crop := faceCrop(src, 1.25+0.05*float64(i%3), i%5-2, 8+i%3, 100, i%2 == 1)
		writeImage(t, filepath.Join(root, "Image/aligned", stem+"_aligned.jpg"), crop)
		crop.Close()
		fmt.Fprintf(&labels, "%s.jpg %d\n", stem, 1+i%7)
	}
	writeFile(t, filepath.Join(root, "EmoLabel/list_patition_label.txt"), []byte(labels.String()))
}

// makeFolders builds a class-per-folder tree of n face photos of varied size and framing.
func makeFolders(t testing.TB, root string, n int) []string {
	t.Helper()
	src := loadAstronaut(t)
	defer src.Close()
	classes := []string{"happy", "neutral", "sad"}
	var rels []string
	for i := 0; i < n; i++ {
		rel := fmt.Sprintf("train/%s/img_%03d.jpg", classes[i%3], i)
		if i%4 == 0 {
			rel = fmt.Sprintf("test/%s/img_%03d.png", classes[i%3], i)
		}
		crop := faceCrop(src, 2.0+0.2*float64(i%4), 6*(i%5)-12, 4*(i%3), 160+20*(i%4), i%2 == 0)
		writeImage(t, filepath.Join(root, rel), crop)
		crop.Close()
		rels = append(rels, rel)
	}
	return rels
}

// treeHashes maps every file under root (slash rel path) to its sha256.
func treeHashes(t testing.TB, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		s := sha256.Sum256(data)
		out[filepath.ToSlash(rel)] = hex.EncodeToString(s[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sameTree fails the test unless a and b hold the same files with the same bytes.
func sameTree(t testing.TB, a, b string) {
	t.Helper()
	ha, hb := treeHashes(t, a), treeHashes(t, b)
	var diff []string
	for k, v := range ha {
		if hb[k] != v {
			diff = append(diff, k)
		}
	}
	for k := range hb {
		if _, ok := ha[k]; !ok {
			diff = append(diff, k)
		}
	}
	sort.Strings(diff)
	if len(diff) > 0 {
		t.Fatalf("trees %s and %s differ in %d files: %v", a, b, len(diff), diff)
	}
	if len(ha) == 0 {
		t.Fatalf("tree %s is empty", a)
	}
}

// readManifest decodes a manifest in file order.
func readManifest(t testing.TB, p string) []Record {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var out []Record
	for _, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		var r Record
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		out = append(out, r)
	}
	return out
}

func baseConfig(in, out string, kind Kind) Config {
	return Config{In: in, Out: out, Settings: Settings{Kind: kind, TemplatesDir: testTemplates, Seed: 7}, Workers: 2, Predictor: sharedPredictor, MediaPipe: sharedMediaPipe}
}
