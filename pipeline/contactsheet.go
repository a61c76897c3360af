package pipeline

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"path/filepath"

	"github.com/occfer/occfer/imageio"
	"github.com/occfer/occfer/internal/imgtext"
	"gocv.io/x/gocv"
)

// SheetColumn is one column of a contact sheet: a dataset root and its heading.
type SheetColumn struct {
	Title string
	Root  string
}

// ContactSheet lays the same relative paths out side by side across several dataset trees
// (for example the input, FM, SG and random-occlusion outputs), one row per path, each cell
// resized to cell x cell pixels, and returns the PNG bytes. A path missing from a tree leaves
// its cell grey, so a skipped image is visible rather than hidden. Headings are 12 px
// Liberation Sans (internal/imgtext).
func ContactSheet(cols []SheetColumn, rels []string, cell int) ([]byte, error) {
	const pad, header = 4, 16
	w := len(cols)*(cell+pad) + pad
	h := header + len(rels)*(cell+pad) + pad
	sheet := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(sheet, sheet.Bounds(), image.NewUniform(color.RGBA{255, 255, 255, 255}), image.Point{}, draw.Src)
	for c, col := range cols {
		x := pad + c*(cell+pad)
		if err := (imgtext.Style{Size: 12}).Draw(sheet, x, 12, col.Title); err != nil {
			return nil, fmt.Errorf("contact sheet: %w", err)
		}
		for r, rel := range rels {
			y := header + pad + r*(cell+pad)
			rect := image.Rect(x, y, x+cell, y+cell)
			img, err := loadCell(filepath.Join(col.Root, filepath.FromSlash(rel)), cell)
			if err != nil {
				draw.Draw(sheet, rect, image.NewUniform(color.RGBA{160, 160, 160, 255}), image.Point{}, draw.Src)
				continue
			}
			draw.Draw(sheet, rect, img, image.Point{}, draw.Src)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, sheet); err != nil {
		return nil, fmt.Errorf("contact sheet: %w", err)
	}
	return buf.Bytes(), nil
}

func loadCell(p string, cell int) (image.Image, error) {
	m, err := imageio.Decode(p)
	if err != nil {
		return nil, err
	}
	defer m.Close()
	small := gocv.NewMat()
	defer small.Close()
	gocv.Resize(m, &small, image.Pt(cell, cell), 0, 0, gocv.InterpolationArea)
	return bgrToRGBA(small)
}

// bgrToRGBA copies an 8-bit BGR Mat into an image.RGBA, swapping the channel order explicitly.
func bgrToRGBA(m gocv.Mat) (*image.RGBA, error) {
	pix, err := m.DataPtrUint8()
	if err != nil {
		return nil, err
	}
	w, h := m.Cols(), m.Rows()
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < w*h; i++ {
		out.Pix[4*i], out.Pix[4*i+1], out.Pix[4*i+2], out.Pix[4*i+3] = pix[3*i+2], pix[3*i+1], pix[3*i], 255
	}
	return out, nil
}
