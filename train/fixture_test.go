package train

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/synth"
	"github.com/occfer/occfer/train/rundir"
)

// The end-to-end tests share one trained model: training is the expensive part (about a
// minute of CPU on 2 cores at 112x112), and the accuracy, run-folder and mouth-masking tests
// all only need to read its results.

var fixtureRoot string // removed by TestMain

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "occfer-train-test-")
	if err != nil {
		panic(err)
	}
	fixtureRoot = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// synthData generates (once per name) a synth RAF-DB tree.
var synthOnce sync.Map

func synthData(t testing.TB, name string, train, test int, seed uint64) string {
	t.Helper()
	dir := filepath.Join(fixtureRoot, name)
	v, _ := synthOnce.LoadOrStore(name, &sync.Once{})
	var gerr error
	v.(*sync.Once).Do(func() {
		_, gerr = synth.Generate(dir, synth.Options{Train: train, Test: test, Seed: seed, Workers: 2})
	})
	if gerr != nil {
		t.Fatal(gerr)
	}
	return dir
}

// testConfig is the small CPU recipe of the tests: 112 input, batch 16, lr 1e-3 (from scratch
// the paper's 1e-4 needs far more steps), a milder crop (scale 0.6..1) so 3 epochs suffice.
func testConfig() rundir.Config {
	c := DefaultConfig()
	c.Model.InputSize = 112
	c.Epochs = 3
	c.BatchSize = 16
	c.Optim.LR = 1e-3
	c.Augment.ScaleMin = 0.6
	c.Runtime.Device = "cpu"
	c.Runtime.Workers = 2
	// One libtorch thread: results that do not depend on the machine's core count (they
	// differ in the last bits between thread counts), and no oversubscription while go test
	// runs two packages at once.
	c.Runtime.Threads = 1
	c.Runtime.EvalBatch = 35
	return c
}

type trainedFixture struct {
	data, run string
	rep       *Report
	err       error
}

var (
	trainedOnce sync.Once
	trained     trainedFixture
)

// trainedModel trains FFRA-Net once on 350 synth images (50 per class) for 3 epochs and
// evaluates on 140 test images.
func trainedModel(t *testing.T) *trainedFixture {
	t.Helper()
	trainedOnce.Do(func() {
		trained.data = synthData(t, "synth350", 350, 140, 1)
		trained.run = filepath.Join(fixtureRoot, "run-e2e")
		trained.rep, trained.err = Run(context.Background(), Options{Config: testConfig(), TrainPath: trained.data,
			OwnTest: "test", Out: trained.run, Log: testLog{t}})
	})
	if trained.err != nil {
		t.Fatal(trained.err)
	}
	return &trained
}

type testLog struct{ t testing.TB }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}

// maskMouths copies the test split of a synth tree to out with the mouth (the box around
// landmarks 48-67, padded by a quarter of its width) painted black, using landmarks68.jsonl.
func maskMouths(t *testing.T, src, out string) {
	t.Helper()
	f, err := os.Open(filepath.Join(src, dataset.LandmarksFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	for sc.Scan() {
		var rec struct {
			Path      string       `json:"path"`
			Landmarks [][2]float64 `json:"landmarks"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatal(err)
		}
		if filepath.Base(rec.Path)[:5] != "test_" {
			continue
		}
		x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
		for _, p := range rec.Landmarks[48:68] {
			x0, y0, x1, y1 = math.Min(x0, p[0]), math.Min(y0, p[1]), math.Max(x1, p[0]), math.Max(y1, p[1])
		}
		pad := (x1 - x0) / 4
		data, err := os.ReadFile(filepath.Join(src, rec.Path))
		if err != nil {
			t.Fatal(err)
		}
		img, err := jpeg.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		rgba := image.NewRGBA(img.Bounds())
		for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
			for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
				if float64(x) >= x0-pad && float64(x) <= x1+pad && float64(y) >= y0-pad && float64(y) <= y1+pad {
					rgba.Set(x, y, color.Black)
				} else {
					rgba.Set(x, y, img.At(x, y))
				}
			}
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, rgba, &jpeg.Options{Quality: 95}); err != nil {
			t.Fatal(err)
		}
		if err := dataset.WriteFileAtomic(filepath.Join(out, rec.Path), buf.Bytes()); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no test images masked")
	}
	lf, err := os.ReadFile(filepath.Join(src, dataset.RAFLabelFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := dataset.WriteFileAtomic(filepath.Join(out, dataset.RAFLabelFile), lf); err != nil {
		t.Fatal(err)
	}
}
