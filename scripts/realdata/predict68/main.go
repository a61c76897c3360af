// Command predict68 writes dlib's 68-point predictions for the faces of a landmarks file: the
// visible-contour counterpart of a hidden-contour annotation (AFLW2000-3D), for measuring
// occlude with landmarks of either convention (scripts/realdata/README.md).
//
//	go run ./scripts/realdata/predict68 -root DIR -landmarks truth.jsonl -o visible.jsonl
//
// dlib's shape predictor needs a face box like the HOG detector's, and the detector misses
// turned faces, so the box is derived from the annotation for every face: the bounding box of
// the points every convention agrees on (17-67) mapped by the median offset and scale between
// that box and the HOG box, measured on the faces HOG does find (printed). The predictor then
// follows the face it sees, with its jaw on the visible outline.
package main

import (
	"flag"
	"fmt"
	"image"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/imageio"
	"github.com/occfer/occfer/landmarks"
	"github.com/occfer/occfer/landmarks/face68"
	"github.com/occfer/occfer/scripts/realdata/facebox"
)

func main() {
	root := flag.String("root", "", "image folder the landmarks file's paths are relative to")
	lmFile := flag.String("landmarks", "", "68-point landmarks file (JSONL or CSV)")
	out := flag.String("o", "", "output landmarks JSONL")
	flag.Parse()
	if err := run(*root, *lmFile, *out); err != nil {
		fmt.Fprintln(os.Stderr, "predict68:", err)
		os.Exit(1)
	}
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	sort.Float64s(s)
	if len(s) == 0 {
		return math.NaN()
	}
	return s[len(s)/2]
}

func run(root, lmFile, out string) error {
	if root == "" || lmFile == "" || out == "" {
		return fmt.Errorf("-root, -landmarks and -o are required")
	}
	truth, err := face68.LoadFile(lmFile)
	if err != nil {
		return err
	}
	pred, err := landmarks.Open("")
	if err != nil {
		return err
	}
	defer pred.Close()
	rels := make([]string, 0, len(truth))
	for r := range truth {
		rels = append(rels, r)
	}
	sort.Strings(rels)
	var dx, dy, ds []float64
	for _, rel := range rels {
		img, err := imageio.Decode(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil {
			return err
		}
		faces, err := pred.DetectFaces(img, false)
		img.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
		cx, cy, side := facebox.Inner(truth[rel])
		for _, f := range faces {
			bx, by := float64(f.Box.Min.X+f.Box.Max.X)/2, float64(f.Box.Min.Y+f.Box.Max.Y)/2
			if math.Hypot(bx-cx, by-cy) < side/4 { // the annotated face, not another one
				dx, dy, ds = append(dx, (bx-cx)/side), append(dy, (by-cy)/side), append(ds, float64(f.Box.Dx())/side)
				break
			}
		}
	}
	if len(ds) < 5 {
		return fmt.Errorf("HOG found only %d of the %d annotated faces: too few to calibrate the box", len(ds), len(rels))
	}
	mx, my, ms := median(dx), median(dy), median(ds)
	fmt.Fprintf(os.Stderr, "predict68: box from points 17-67 calibrated on %d HOG detections of %d faces: centre + (%.3f, %.3f) x side, side x %.3f\n", len(ds), len(rels), mx, my, ms)
	var buf []byte
	for _, rel := range rels {
		img, err := imageio.Decode(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil {
			return err
		}
		cx, cy, side := facebox.Inner(truth[rel])
		s := side * ms
		x0, y0 := int(math.Round(cx+mx*side-s/2)), int(math.Round(cy+my*side-s/2))
		sh, err := pred.PredictInBox(img, image.Rect(x0, y0, x0+int(math.Round(s)), y0+int(math.Round(s))))
		img.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
		for i := range sh {
			sh[i] = face68.Point{X: math.Round(sh[i].X*1000) / 1000, Y: math.Round(sh[i].Y*1000) / 1000}
		}
		buf = face68.AppendJSONL(buf, rel, sh, -1)
	}
	return dataset.WriteFileAtomic(out, buf)
}
