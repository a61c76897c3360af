package plot

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"strconv"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/occfer/occfer/train/metrics"
)

// ConfusionFigure is the input of Confusion.
type ConfusionFigure struct {
	Set  string // the test set's name, first in the title (e.g. "FM_RAF-DB")
	Note string // optional second title line, e.g. "best epoch 12 · mean class accuracy 71.3%"
	// Confusion holds the counts M[true][predicted] over Classes, any number of classes
	// (RAF-DB's 7 basic expressions, FERPlus's 8).
	Confusion *metrics.Confusion
}

// confusionModel is a confusion figure before rendering (see curvesModel).
type confusionModel struct {
	title, note string
	heat, bar   *gplot.Plot
	cells       *plotter.Labels // "count\nrow rate" per cell, row-major from the top row
	cell        vg.Length       // side of one cell
}

// Confusion draws a confusion matrix as a heat map: true class down the left (first class at
// the top), predicted class along the bottom, each cell coloured by its row rate (the
// fraction of that true class predicted as the column class, so imbalanced classes such as
// RAF-DB's Happiness and Fear are comparable; the diagonal is per-class recall) and labelled
// with its count over the rate ("12" over "85.7%"). A colour bar gives the rate scale; the
// title names the set and its overall accuracy. A class without test samples has a grey row
// and "–" rates. Errors: no classes, a matrix that is not len(Classes) square, negative counts.
func Confusion(f ConfusionFigure) (*image.RGBA, error) {
	m, err := buildConfusion(f)
	if err != nil {
		return nil, err
	}
	// Size the figure so the heat map's data area is exactly n cells square: measure the
	// margins gonum's axes take on a trial canvas (only text metrics are used), then add them.
	n := len(f.Confusion.Classes)
	side := vg.Length(n) * m.cell
	trial := draw.Canvas{Rectangle: vg.Rectangle{Max: vg.Point{X: 10 * side, Y: 10 * side}}}
	data := m.heat.DataCanvas(trial)
	left, bottom := data.Min.X-trial.Min.X, data.Min.Y-trial.Min.Y
	right, top := trial.Max.X-data.Max.X, trial.Max.Y-data.Max.Y
	// The colour bar is 12 pt wide plus the room its axis labels take (measured the same way).
	barTrial := m.bar.DataCanvas(trial)
	barW := barTrial.Min.X - trial.Min.X + vg.Points(12)
	barBottom, barTop := barTrial.Min.Y-trial.Min.Y, trial.Max.Y-barTrial.Max.Y
	const barGap = 14 // between the heat map and the colour bar's labels
	titleH := vg.Points(titleSize*1.6 + 8)
	if m.note != "" {
		titleH += vg.Points(textSize * 1.5)
	}
	pad := vg.Points(8)
	w := pad + left + side + right + barGap + barW + pad
	h := pad + titleH + top + side + bottom + pad
	return render(w, h, func(c draw.Canvas) error {
		titleSty := textStyle(titleSize, true, ink)
		titleSty.YAlign = draw.YTop
		noteSty := textStyle(textSize, false, muted)
		noteSty.YAlign = draw.YTop
		y := c.Max.Y - pad
		// Centre the title over the heat map, not over the figure with its colour bar.
		cx := pad + left + side/2
		c.FillText(titleSty, vg.Point{X: cx, Y: y}, m.title)
		if m.note != "" {
			c.FillText(noteSty, vg.Point{X: cx, Y: y - titleSty.Height(m.title) - vg.Points(4)}, m.note)
		}
		heatC := draw.Crop(c, pad, -(barGap + barW + pad), pad, -(pad + titleH))
		m.heat.Draw(heatC)
		// The bar's data area spans the heat map's: extend its canvas by the margins its
		// own axis takes above and below (half a tick label at each end).
		barC := draw.Crop(c, pad+left+side+right+barGap, -pad, pad+bottom-barBottom, -(pad + titleH + top - barTop))
		m.bar.Draw(barC)
		return nil
	})
}

// rateColors maps a row rate of 0..100 % from near-white to dark blue (the ends of
// ColorBrewer's "Blues"), with luminance falling steadily so the order reads in grey too.
func rateColors() (palette.ColorMap, error) {
	// moreland wants the controls in rising luminance: build dark -> light, then reverse.
	dark, err := moreland.NewLuminance([]color.Color{
		color.RGBA{0x08, 0x30, 0x6b, 0xff}, color.RGBA{0x6b, 0xae, 0xd6, 0xff}, color.RGBA{0xf7, 0xfb, 0xff, 0xff}})
	if err != nil {
		return nil, fmt.Errorf("plot: colour map: %w", err)
	}
	cm := palette.Reverse(dark)
	cm.SetMin(0)
	cm.SetMax(100)
	return cm, nil
}

// rateGrid is the heat map's view of a confusion matrix: column c is predicted class c, row
// r counts from the bottom, so true class 0 is the top row as in print. Z is the row rate
// in percent, NaN for a class without samples.
type rateGrid struct {
	m   [][]int
	sup []int
}

func (g rateGrid) Dims() (c, r int) { return len(g.m), len(g.m) }
func (g rateGrid) X(c int) float64  { return float64(c) }
func (g rateGrid) Y(r int) float64  { return float64(r) }
func (g rateGrid) Z(c, r int) float64 {
	t := len(g.m) - 1 - r
	if g.sup[t] == 0 {
		return math.NaN()
	}
	return 100 * float64(g.m[t][c]) / float64(g.sup[t])
}

func buildConfusion(f ConfusionFigure) (*confusionModel, error) {
	c := f.Confusion
	if c == nil || len(c.Classes) == 0 {
		return nil, fmt.Errorf("plot: confusion matrix for %q has no classes", f.Set)
	}
	n := len(c.Classes)
	if len(c.M) != n {
		return nil, fmt.Errorf("plot: confusion matrix for %q has %d rows for %d classes", f.Set, len(c.M), n)
	}
	for i, row := range c.M {
		if len(row) != n {
			return nil, fmt.Errorf("plot: confusion matrix for %q row %d (%s) has %d columns for %d classes", f.Set, i, c.Classes[i], len(row), n)
		}
		for j, v := range row {
			if v < 0 {
				return nil, fmt.Errorf("plot: confusion matrix for %q has count %d at true %s, predicted %s", f.Set, v, c.Classes[i], c.Classes[j])
			}
		}
	}
	cm, err := rateColors()
	if err != nil {
		return nil, err
	}
	g := rateGrid{m: c.M, sup: c.Support()}
	// Cells shrink as classes grow so the figure stays on a page; text shrinks with them.
	cell := vg.Points(math.Max(30, math.Min(52, 360/float64(n))))
	cellFont := vg.Points(math.Max(6.5, math.Min(9.5, float64(cell)/5.2)))

	m := &confusionModel{note: f.Note, cell: cell}
	m.title = fmt.Sprintf("%s: accuracy %.2f%% (%d of %d)", f.Set, 100*c.Accuracy(), trace(c.M), c.Total())
	if c.Total() == 0 {
		m.title = fmt.Sprintf("%s: no samples", f.Set)
	}

	p := newPlot("", "predicted class", "true class")
	heat := plotter.NewHeatMap(g, cm.Palette(256))
	heat.Min, heat.Max = 0, 100
	heat.NaN = color.RGBA{0xee, 0xee, 0xee, 0xff}
	p.Add(heat, cellBorders{n: n})

	labels := &plotter.Labels{}
	for r := n - 1; r >= 0; r-- { // top row first
		t := n - 1 - r
		for col := 0; col < n; col++ {
			rate := g.Z(col, r)
			txt := strconv.Itoa(c.M[t][col]) + "\n–"
			fg := color.Color(ink)
			if c.M[t][col] == 0 && t != col {
				fg = color.RGBA{0xa0, 0xa0, 0xa0, 0xff} // empty off-diagonal cells recede
			}
			if !math.IsNaN(rate) {
				txt = fmt.Sprintf("%d\n%.1f%%", c.M[t][col], rate)
				if rate > 55 { // dark cells from here on (see rateColors)
					fg = color.White
				}
			}
			labels.XYs = append(labels.XYs, plotter.XY{X: float64(col), Y: float64(r)})
			labels.Labels = append(labels.Labels, txt)
			labels.TextStyle = append(labels.TextStyle, textStyle(cellFont, t == col, fg))
		}
	}
	p.Add(labels)
	m.cells = labels

	// Class names as ticks; no axis lines or tick marks, the cells are their own frame.
	xt, yt := make(gplot.ConstantTicks, n), make(gplot.ConstantTicks, n)
	widest := vg.Length(0)
	for i, name := range c.Classes {
		xt[i] = gplot.Tick{Value: float64(i), Label: name}
		yt[i] = gplot.Tick{Value: float64(n - 1 - i), Label: name}
		widest = max(widest, p.X.Tick.Label.Width(name))
	}
	p.X.Tick.Marker, p.Y.Tick.Marker = xt, yt
	for _, ax := range []*gplot.Axis{&p.X, &p.Y} {
		ax.Width, ax.Tick.Length, ax.Padding = 0, 0, 0
		ax.Min, ax.Max = -0.5, float64(n)-0.5
	}
	p.X.Label.Padding, p.Y.Label.Padding = vg.Points(6), vg.Points(6)
	p.Y.Tick.Label.XAlign = draw.XRight
	// Names wider than a cell would run into each other: slant them.
	if widest > cell*0.92 {
		p.X.Tick.Label.Rotation = math.Pi / 6
		p.X.Tick.Label.XAlign, p.X.Tick.Label.YAlign = draw.XRight, draw.YTop
	}
	m.heat = p

	bar := newPlot("", "", "row rate")
	bar.HideX()
	bar.Add(&plotter.ColorBar{ColorMap: cm, Vertical: true})
	bar.Y.Padding, bar.X.Padding = 0, 0
	bar.Y.Tick.Marker = percentTicks{}
	m.bar = bar
	return m, nil
}

func trace(m [][]int) int {
	t := 0
	for i := range m {
		t += m[i][i]
	}
	return t
}

// percentTicks labels the colour bar 0 %, 20 %, ... 100 %.
type percentTicks struct{}

func (percentTicks) Ticks(min, max float64) []gplot.Tick {
	var ts []gplot.Tick
	for v := 0.0; v <= 100; v += 10 {
		if v < min || v > max {
			continue
		}
		t := gplot.Tick{Value: v}
		if int(v)%20 == 0 {
			t.Label = fmt.Sprintf("%.0f%%", v)
		}
		ts = append(ts, t)
	}
	return ts
}

// cellBorders draws thin white lines between heat map cells, so neighbouring cells of
// nearly the same colour stay distinct and antialiasing seams do not show.
type cellBorders struct{ n int }

func (b cellBorders) Plot(c draw.Canvas, p *gplot.Plot) {
	trX, trY := p.Transforms(&c)
	sty := draw.LineStyle{Color: color.White, Width: vg.Points(1.2)}
	lo, hi := -0.5, float64(b.n)-0.5
	for k := 0; k <= b.n; k++ {
		v := float64(k) - 0.5
		c.StrokeLine2(sty, trX(v), trY(lo), trX(v), trY(hi))
		c.StrokeLine2(sty, trX(lo), trY(v), trX(hi), trY(v))
	}
}
