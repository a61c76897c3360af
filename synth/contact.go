package synth

import (
	"fmt"
	"image"
	"image/draw"

	"github.com/occfer/occfer/internal/imgtext"
)

// ContactSheet draws perClass faces of each class in a grid, one row per class with its name
// on the left, for the README and for eyeballing changes to the drawing. Faces are drawn from
// the dataset's distribution under their own names ("sheet_<class>_<k>"), so the sheet does
// not change when a dataset's counts do.
func ContactSheet(seed uint64, perClass, size int) (*image.RGBA, error) {
	if perClass < 1 {
		return nil, fmt.Errorf("synth: contact sheet needs at least 1 face per class, got %d", perClass)
	}
	const labelW, gap = 80, 2
	w := labelW + perClass*(size+gap)
	h := len(ClassNames) * (size + gap)
	sheet := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(sheet, sheet.Bounds(), image.White, image.Point{}, draw.Src)
	for c, name := range ClassNames {
		y := c * (size + gap)
		if err := (imgtext.Style{Size: 13}).Draw(sheet, 6, y+size/2+5, name); err != nil {
			return nil, fmt.Errorf("synth: contact sheet: %w", err)
		}
		for k := range perClass {
			rel := fmt.Sprintf("Image/aligned/sheet_%d_%d_aligned.jpg", c, k)
			img, _, err := Face(seed, rel, c, size)
			if err != nil {
				return nil, err
			}
			x := labelW + k*(size+gap)
			draw.Draw(sheet, image.Rect(x, y, x+size, y+size), img, image.Point{}, draw.Src)
		}
	}
	return sheet, nil
}
