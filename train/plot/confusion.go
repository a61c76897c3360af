package plot

import (
	"fmt"
	"image"
	"image/color"

	"github.com/occfer/occfer/train/metrics"
)

// Confusion draws a row-normalised confusion matrix: cell colour = fraction of the true class
// predicted as the column class, text = percentage and count. Rows sum to 100% so imbalanced
// classes (RAF-DB Happiness vs Fear) are comparable.
func Confusion(c *metrics.Confusion, title string) *image.RGBA {
	n := len(c.Classes)
	labelW := 0
	for _, s := range c.Classes {
		labelW = max(labelW, len(s)*charW)
	}
	cell := 64
	left, top := labelW+40, 40
	w := left + n*cell + 20
	h := top + n*cell + labelW + 40
	img := newCanvas(w, h)
	textCentered(img, w/2, 20, title, black)
	sup := c.Support()
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			frac := 0.0
			if sup[i] > 0 {
				frac = float64(c.M[i][j]) / float64(sup[i])
			}
			r := image.Rect(left+j*cell, top+i*cell, left+(j+1)*cell-1, top+(i+1)*cell-1)
			fillRect(img, r, seqColor(frac))
			var fg color.Color = black
			if frac > 0.55 {
				fg = white
			}
			cx := left + j*cell + cell/2
			textCentered(img, cx, top+i*cell+cell/2-2, fmt.Sprintf("%.0f%%", 100*frac), fg)
			textCentered(img, cx, top+i*cell+cell/2+12, fmt.Sprintf("%d", c.M[i][j]), fg)
		}
		text(img, left-labelW-8, top+i*cell+cell/2+4, c.Classes[i], black)
		textVertical(img, left+i*cell+cell/2-6, top+n*cell+8+len(c.Classes[i])*charW, c.Classes[i], black)
	}
	textVertical(img, 6, top+n*cell/2+20, "true", black)
	textCentered(img, left+n*cell/2, h-8, "predicted", black)
	return img
}
