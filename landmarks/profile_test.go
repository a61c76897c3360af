package landmarks

import (
	"image"
	"math"
	"slices"
	"testing"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/imageio"
)

func TestConfidentFaces(t *testing.T) {
	hog := func(x, score float64) Face {
		return Face{Box: image.Rect(int(x), 0, int(x)+40, 40), Score: score, Detector: DetectorHOG}
	}
	prof := Face{Box: image.Rect(0, 0, 50, 50), Detector: DetectorProfile}
	file := Face{Box: image.Rect(0, 0, 50, 50), Source: SourceFromFile}
	cases := []struct {
		name           string
		faces          []Face
		min, minSecond float64
		keep           []int // indices kept
	}{
		{"face and emblem", []Face{hog(0, 1.3), hog(100, 0.399)}, 0, 0.5, []int{0}},
		{"emblem first by size", []Face{hog(100, 0.399), hog(0, 1.3)}, 0, 0.5, []int{1}},
		{"two people", []Face{hog(0, 1.3), hog(100, 0.7)}, 0, 0.5, []int{0, 1}},
		{"a weak face alone is kept", []Face{hog(0, 0.004)}, 0, 0.5, []int{0}},
		{"absolute minimum", []Face{hog(0, 0.2), hog(100, 0.1)}, 0.15, 0, []int{0}},
		{"second bound off", []Face{hog(0, 1.3), hog(100, 0.05)}, 0, 0, []int{0, 1}},
		{"unscored faces kept", []Face{prof, file}, 1, 1, []int{0, 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := ConfidentFaces(c.faces, c.min, c.minSecond)
			var want []Face
			for _, i := range c.keep {
				want = append(want, c.faces[i])
			}
			if !slices.Equal(got, want) {
				t.Errorf("kept %v, want %v", got, want)
			}
		})
	}
}

func TestMostProminent(t *testing.T) {
	box := func(side int) image.Rectangle { return image.Rect(0, 0, side, side) }
	cases := []struct {
		name  string
		faces []Face
		want  int
	}{
		// the emblem of the mirrored astronaut at 232 px: a larger box than the face's
		{"emblem larger than the face", []Face{{Box: box(45), Score: 0.399}, {Box: box(44), Score: 1.336}}, 1},
		{"equal boxes", []Face{{Box: box(44), Score: 0.065}, {Box: box(44), Score: 1.303}}, 1},
		{"a much larger confident face", []Face{{Box: box(40), Score: 1.5}, {Box: box(80), Score: 0.9}}, 1},
		{"unscored: the largest", []Face{{Box: box(40)}, {Box: box(60)}, {Box: box(50)}}, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := MostProminent(c.faces); got != c.want {
				t.Errorf("MostProminent = %d, want %d", got, c.want)
			}
		})
	}
}

// turnedAstronaut is a perspective re-shot of testdata/astronaut.png that turns the portrait
// away (the image plane tilted about a vertical axis): the face, centred at about (256, 250)
// and some 55 px wide, is no longer found by the HOG detector, but is by the profile cascade.
func turnedAstronaut(tb testing.TB, mirror bool) gocv.Mat {
	tb.Helper()
	img, err := imageio.Decode("../testdata/astronaut.png")
	if err != nil {
		tb.Fatal(err)
	}
	defer img.Close()
	const cx, cy, persp = 223.0, 127.0, 0.0015
	m := [3][3]float64{{1, 0, 256 - cx}, {0, 1, 256 - cy}, {persp, 0, 1 - persp*cx}}
	out, err := imageio.Warp(img, m, image.Pt(512, 512), gocv.InterpolationLinear, gocv.BorderReplicate)
	if err != nil {
		tb.Fatal(err)
	}
	if mirror {
		gocv.Flip(out, &out, 1)
	}
	return out
}

func TestProfileDetectorFindsTurnedFace(t *testing.T) {
	p := testPredictor(t)
	prof, err := OpenProfile("")
	if err != nil {
		t.Fatal(err)
	}
	defer prof.Close()
	for _, mirror := range []bool{false, true} {
		img := turnedAstronaut(t, mirror)
		hog, err := p.DetectFaces(img, false)
		if err != nil || len(hog) != 0 {
			t.Fatalf("mirror %v: HOG found %v (%v); the fixture should defeat it", mirror, hog, err)
		}
		faces, err := prof.DetectFaces(img)
		if err != nil {
			t.Fatal(err)
		}
		if len(faces) != 1 {
			t.Fatalf("mirror %v: profile detector found %d faces, want 1: %v", mirror, len(faces), faces)
		}
		f := faces[0]
		cx := float64(f.Box.Min.X+f.Box.Max.X) / 2
		if mirror {
			cx = 511 - cx
		}
		cy := float64(f.Box.Min.Y+f.Box.Max.Y) / 2
		if math.Hypot(cx-256, cy-250) > 15 || f.Box.Dx() < 40 || f.Box.Dx() > 80 || f.Detector != DetectorProfile || f.Score != 0 || f.Source != SourceDetected {
			t.Errorf("mirror %v: face %+v (centre %.0f, %.0f), want a profile detection of some 55 px about (256, 250)", mirror, f, cx, cy)
		}
		img.Close()
	}
	if _, err := OpenProfile("/nonexistent/cascade.xml"); err == nil {
		t.Error("OpenProfile of a missing file: no error")
	}
}
