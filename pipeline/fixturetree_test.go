package pipeline

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/imageio"
)

const astronaut = "../testdata/astronaut.png"

func TestMakeFixtureTree(t *testing.T) {
	out := t.TempDir()
	ft := FixtureTree{Image: astronaut, FaceBox: AstronautFaceBox, Train: 6, Test: 2, Seed: 3}
	if err := MakeFixtureTree(out, ft); err != nil {
		t.Fatal(err)
	}
	d, err := dataset.Open(out, dataset.OpenOptions{RAFImages: "both"})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Items) != 16 || len(d.Problems) != 0 {
		t.Fatalf("%d items, problems %v; want 16 and none", len(d.Items), d.Problems)
	}
	for _, it := range d.Items {
		m, err := imageio.Decode(it.Abs)
		if err != nil {
			t.Fatal(err)
		}
		want := originalSize
		if it.Aligned {
			want = alignedSize
		}
		if m.Cols() != want || m.Rows() != want || it.Label < 0 {
			t.Errorf("%s: %dx%d label %d", it.Rel, m.Cols(), m.Rows(), it.Label)
		}
		m.Close()
	}
	again := t.TempDir()
	if err := MakeFixtureTree(again, ft); err != nil {
		t.Fatal(err)
	}
	rel := "Image/aligned/train_00003_aligned.jpg"
	a, _ := os.ReadFile(filepath.Join(out, rel))
	b, _ := os.ReadFile(filepath.Join(again, rel))
	if !bytes.Equal(a, b) {
		t.Error("same seed gave different bytes")
	}
	sheet, err := ContactSheet([]SheetColumn{{"aligned", out}, {"missing", t.TempDir()}}, []string{rel, "Image/aligned/test_0001_aligned.jpg"}, 64)
	if err != nil {
		t.Fatal(err)
	}
	m, err := imageio.DecodeBytes("sheet.png", sheet)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	// 2 columns and 2 rows of 64 px cells with 4 px padding and a 16 px header.
	if m.Cols() != 2*68+4 || m.Rows() != 16+2*68+4 {
		t.Errorf("sheet %dx%d", m.Cols(), m.Rows())
	}
	if v := m.GetVecbAt(16+4+30, 68+4+30); v[0] != 160 || v[1] != 160 {
		t.Errorf("missing cell should be grey, got %v", v)
	}
	// Each column's heading is drawn in the 16 px header above its cells.
	for c, title := range []string{"aligned", "missing"} {
		ink := 0
		for y := 0; y < 16; y++ {
			for x := 4 + c*68; x < 4+c*68+64; x++ {
				if m.GetVecbAt(y, x)[0] < 128 {
					ink++
				}
			}
		}
		if ink < 30 {
			t.Errorf("heading %q: %d dark pixels in the header", title, ink)
		}
	}
	if os.Getenv("FIXTURE_SHEET") != "" {
		os.WriteFile(os.Getenv("FIXTURE_SHEET"), sheet, 0o644)
	}
}
