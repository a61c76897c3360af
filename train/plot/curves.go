package plot

import (
	"fmt"
	"image"
	"image/color"
	"math"
)

// Series is one named curve: Y[i] is the value at epoch X[i].
type Series struct {
	Name string
	X    []float64
	Y    []float64
}

// palette for up to 8 curves; more reuse colours.
var palette = []color.RGBA{
	{31, 119, 180, 255}, {255, 127, 14, 255}, {44, 160, 44, 255}, {214, 39, 40, 255},
	{148, 103, 189, 255}, {140, 86, 75, 255}, {227, 119, 194, 255}, {127, 127, 127, 255},
}

// Curves draws panels side by side (e.g. "loss" and "accuracy"), each with its own y range,
// epochs on x, a legend under each panel.
func Curves(panels map[string][]Series, order []string) *image.RGBA {
	const pw, ph, ml, mt, mb = 420, 300, 60, 30, 20
	legend := 0
	for _, name := range order {
		legend = max(legend, len(panels[name]))
	}
	w := len(order)*(pw+ml+20) + 10
	h := mt + ph + mb + 30 + legend*(lineH+4)
	img := newCanvas(w, h)
	for pi, name := range order {
		ox := pi*(pw+ml+20) + ml
		drawPanel(img, ox, mt, pw, ph, name, panels[name])
	}
	return img
}

func drawPanel(img *image.RGBA, ox, oy, pw, ph int, title string, series []Series) {
	xmin, xmax := math.Inf(1), math.Inf(-1)
	ymin, ymax := math.Inf(1), math.Inf(-1)
	for _, s := range series {
		for i := range s.X {
			if math.IsNaN(s.Y[i]) || math.IsInf(s.Y[i], 0) {
				continue
			}
			xmin, xmax = math.Min(xmin, s.X[i]), math.Max(xmax, s.X[i])
			ymin, ymax = math.Min(ymin, s.Y[i]), math.Max(ymax, s.Y[i])
		}
	}
	if math.IsInf(xmin, 1) {
		xmin, xmax, ymin, ymax = 0, 1, 0, 1
	}
	if xmax == xmin {
		xmax = xmin + 1
	}
	if ymax == ymin {
		ymax, ymin = ymax+0.5, ymin-0.5
	}
	pad := (ymax - ymin) * 0.05
	ymin, ymax = ymin-pad, ymax+pad
	px := func(x float64) int { return ox + int(math.Round((x-xmin)/(xmax-xmin)*float64(pw))) }
	py := func(y float64) int { return oy + ph - int(math.Round((y-ymin)/(ymax-ymin)*float64(ph))) }
	// Frame, grid and tick labels.
	for k := 0; k <= 4; k++ {
		y := ymin + (ymax-ymin)*float64(k)/4
		line(img, ox, py(y), ox+pw, py(y), grey, false)
		lbl := fmt.Sprintf("%.3g", y)
		text(img, ox-len(lbl)*charW-4, py(y)+4, lbl, black)
		x := xmin + (xmax-xmin)*float64(k)/4
		xl := fmt.Sprintf("%.3g", x)
		textCentered(img, px(x), oy+ph+14, xl, black)
	}
	line(img, ox, oy, ox, oy+ph, black, false)
	line(img, ox, oy+ph, ox+pw, oy+ph, black, false)
	textCentered(img, ox+pw/2, oy-10, title+" vs epoch", black)
	for si, s := range series {
		c := palette[si%len(palette)]
		prevOK := false
		var lx, ly int
		for i := range s.X {
			if math.IsNaN(s.Y[i]) || math.IsInf(s.Y[i], 0) {
				prevOK = false
				continue
			}
			x, y := px(s.X[i]), py(s.Y[i])
			if prevOK {
				line(img, lx, ly, x, y, c, true)
			}
			fillRect(img, image.Rect(x-1, y-1, x+2, y+2), c)
			lx, ly, prevOK = x, y, true
		}
		ly0 := oy + ph + 34 + si*(lineH+4)
		fillRect(img, image.Rect(ox, ly0-8, ox+20, ly0-4), c)
		text(img, ox+26, ly0, s.Name, black)
	}
}
