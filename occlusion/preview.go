package occlusion

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"path/filepath"
	"sort"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/imageio"
	"github.com/occfer/occfer/internal/safepath"
)

// previewCell is the side of one image cell in the contact sheet.
const previewCell = 160

// writePreview draws OUT/preview.png: up to n before/after pairs of occluded images, the
// first n by input path (so the sheet is the same whatever the workers or shards), laid out
// in a grid of pairs.
func writePreview(inRoot, outRoot string, recs map[string]Record, n int) error {
	var rels []string
	for rel, rec := range recs {
		if rec.Action == ActionWritten {
			rels = append(rels, rel)
		}
	}
	sort.Strings(rels)
	if len(rels) > n {
		rels = rels[:n]
	}
	if len(rels) == 0 {
		return nil
	}
	cols := int(math.Ceil(math.Sqrt(float64(len(rels)))))
	rows := (len(rels) + cols - 1) / cols
	const gap = 4
	pairW := 2*previewCell + gap
	sheet := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(40, 40, 40, 0),
		rows*(previewCell+gap)+gap, cols*(pairW+3*gap)+gap, gocv.MatTypeCV8UC3)
	defer sheet.Close()
	for i, rel := range rels {
		x := gap + (i%cols)*(pairW+3*gap)
		y := gap + (i/cols)*(previewCell+gap)
		// Both paths come from records: each is opened only if it resolves inside its tree.
		for k, side := range [][2]string{{inRoot, rel}, {outRoot, recs[rel].Out}} {
			p, err := safepath.Within(side[0], side[1])
			if err == nil {
				err = pasteFitted(&sheet, p, image.Rect(x+k*(previewCell+gap), y, x+k*(previewCell+gap)+previewCell, y+previewCell))
			}
			if err != nil {
				return fmt.Errorf("preview: %w", err)
			}
		}
	}
	data, err := imageio.Encode("preview.png", sheet)
	if err != nil {
		return fmt.Errorf("preview: %w", err)
	}
	return dataset.WriteFileAtomic(filepath.Join(outRoot, "preview.png"), data)
}

// pasteFitted scales the image at p to fit cell, keeping its aspect ratio, centred.
func pasteFitted(dst *gocv.Mat, p string, cell image.Rectangle) error {
	img, err := imageio.Decode(p)
	if err != nil {
		return err
	}
	defer img.Close()
	s := math.Min(float64(cell.Dx())/float64(img.Cols()), float64(cell.Dy())/float64(img.Rows()))
	w := max(1, int(math.Round(float64(img.Cols())*s)))
	h := max(1, int(math.Round(float64(img.Rows())*s)))
	small := gocv.NewMat()
	defer small.Close()
	interp := gocv.InterpolationArea
	if s > 1 {
		interp = gocv.InterpolationCubic
	}
	gocv.Resize(img, &small, image.Pt(w, h), 0, 0, interp)
	x0 := cell.Min.X + (cell.Dx()-w)/2
	y0 := cell.Min.Y + (cell.Dy()-h)/2
	roi := dst.Region(image.Rect(x0, y0, x0+w, y0+h))
	defer roi.Close()
	small.CopyTo(&roi)
	gocv.Rectangle(dst, cell.Inset(-1), color.RGBA{90, 90, 90, 0}, 1)
	return nil
}
