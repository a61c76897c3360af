package pipeline

import (
	"fmt"
	"image"
	"math"
	"path/filepath"
	"sort"
	"strings"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/imageio"
	"gocv.io/x/gocv"
)

// FixtureTree describes a RAF-DB-shaped tree made from one portrait, for demos and tests of
// the real detection path: every image is the same person, re-shot with a different crop,
// scale, roll, mirror and lighting. Labels are drawn at random and carry no meaning.
type FixtureTree struct {
	Image   string // the portrait (the repository ships testdata/astronaut.png)
	FaceBox [4]int // x0, y0, x1, y1 of the face in the portrait (dlib HOG box)
	Train   int    // number of train_ items
	Test    int    // number of test_ items
	Seed    uint64
}

// AstronautFaceBox is where dlib's HOG detector finds the face in testdata/astronaut.png.
var AstronautFaceBox = [4]int{179, 83, 266, 170}

// originalSize is the side of the Image/original shots: small enough for a quick demo, large
// enough that the face is found without upsampling in most shots.
const originalSize = 256

// alignedSize matches RAF-DB's aligned crops.
const alignedSize = 100

// MakeFixtureTree writes the tree under out: EmoLabel/list_patition_label.txt, Image/original/
// <stem>.jpg and Image/aligned/<stem>_aligned.jpg. It is deterministic in Seed.
func MakeFixtureTree(out string, ft FixtureTree) error {
	src, err := imageio.Decode(ft.Image)
	if err != nil {
		return fmt.Errorf("fixture tree: %w", err)
	}
	defer src.Close()
	var stems []string
	for i := 1; i <= ft.Train; i++ {
		stems = append(stems, fmt.Sprintf("train_%05d", i))
	}
	for i := 1; i <= ft.Test; i++ {
		stems = append(stems, fmt.Sprintf("test_%04d", i))
	}
	var labels []string
	for _, stem := range stems {
		rng := dataset.ItemRNG(ft.Seed, stem, "fixture")
		labels = append(labels, fmt.Sprintf("%s.jpg %d", stem, 1+rng.IntN(len(dataset.ClassNames))))
		shots := []struct {
			rel     string
			size    int
			zoom    [2]float64 // face width as a fraction of the shot, min..max
			shift   float64    // how far the face centre may move, as a fraction of the shot
			maxRoll float64
		}{
			{"Image/original/" + stem + ".jpg", originalSize, [2]float64{0.25, 0.55}, 0.2, 20},
			// RAF-DB aligned crops: the face fills the frame, eyes near 40% of the height.
			{"Image/aligned/" + stem + "_aligned.jpg", alignedSize, [2]float64{0.78, 0.86}, 0.02, 6},
		}
		for _, s := range shots {
			img, err := reshoot(src, ft.FaceBox, s.size, s.zoom, s.shift, s.maxRoll, rng)
			if err != nil {
				return fmt.Errorf("fixture tree %s: %w", s.rel, err)
			}
			data, err := imageio.Encode(s.rel, img)
			img.Close()
			if err != nil {
				return fmt.Errorf("fixture tree: %w", err)
			}
			if err := dataset.WriteFileAtomic(filepath.Join(out, filepath.FromSlash(s.rel)), data); err != nil {
				return fmt.Errorf("fixture tree: %w", err)
			}
		}
	}
	sort.Strings(labels)
	label := []byte(strings.Join(labels, "\n") + "\n")
	if err := dataset.WriteFileAtomic(filepath.Join(out, filepath.FromSlash(dataset.RAFLabelFile)), label); err != nil {
		return fmt.Errorf("fixture tree: %w", err)
	}
	return nil
}

// reshoot renders one shot: a similarity transform that puts the face at a random size,
// position and roll, an optional mirror, then a lighting change (gain, bias, colour cast and a
// left-right gradient, as from a side light).
func reshoot(src gocv.Mat, box [4]int, size int, zoom [2]float64, shift, maxRoll float64, rng interface {
	Float64() float64
}) (gocv.Mat, error) {
	u := func(lo, hi float64) float64 { return lo + (hi-lo)*rng.Float64() }
	faceW := float64(box[2] - box[0])
	cx := float64(box[0]+box[2]) / 2
	cy := float64(box[1]+box[3])/2 + 0.08*faceW // centre a little below the box centre (chin)
	scale := u(zoom[0], zoom[1]) * float64(size) / faceW
	roll := u(-maxRoll, maxRoll) * math.Pi / 180
	tx := float64(size)/2 + u(-shift, shift)*float64(size)
	ty := float64(size)/2 + u(-shift, shift)*float64(size)
	mirror := rng.Float64() < 0.5
	a, b := scale*math.Cos(roll), scale*math.Sin(roll)
	m := [2][3]float64{{a, -b, tx - a*cx + b*cy}, {b, a, ty - b*cx - a*cy}}
	if mirror {
		m[0] = [3]float64{-m[0][0], -m[0][1], float64(size) - m[0][2]}
	}
	dst, err := imageio.Warp(src, [3][3]float64{m[0], m[1], {0, 0, 1}}, image.Pt(size, size), gocv.InterpolationLinear, gocv.BorderReflect101)
	if err != nil {
		return gocv.NewMat(), err
	}
	gain, bias := u(0.6, 1.3), u(-25, 25)
	cast := [3]float64{u(0.9, 1.1), u(0.95, 1.05), u(0.9, 1.1)}
	grad := u(-0.35, 0.35)
	pix, _ := dst.DataPtrUint8()
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			side := 1 + grad*(float64(x)/float64(size-1)-0.5)
			for c := 0; c < 3; c++ {
				i := (y*size+x)*3 + c
				v := float64(pix[i])*gain*cast[c]*side + bias
				pix[i] = uint8(math.Max(0, math.Min(255, math.Round(v))))
			}
		}
	}
	return dst, nil
}
