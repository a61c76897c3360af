package plot

import (
	"fmt"
	"image"
	"math"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Series is one named curve: Y[i] is the value at X[i]. A NaN or infinite Y leaves a gap
// (an epoch a test set was not evaluated, a diverged loss).
type Series struct {
	Name string
	X    []float64
	Y    []float64
}

// Panel is one chart of a curves figure, e.g. the loss of every set against the epoch.
type Panel struct {
	Title  string // over the chart, e.g. "Loss"
	YLabel string // e.g. "cross-entropy loss"
	Series []Series
}

// CurvesFigure is the input of Curves: panels side by side sharing one x axis meaning
// (epochs, so whole numbers) and one legend. A series name that appears in several panels
// keeps its colour and marker in all of them and has one legend entry.
type CurvesFigure struct {
	Title  string // optional, over the whole figure
	XLabel string // "" means "epoch"
	Panels []Panel
}

// Panel size and the gap between panels, in points (at DPI 150 a panel is 700 x 540 px).
const (
	panelW, panelH = 336, 260
	panelGap       = 24
	// Markers are drawn on every point up to this many points per series; past it they
	// would merge into a thick line (a 200-epoch run).
	maxMarkedPoints = 30
)

// curvesModel is a curves figure before rendering: the gonum plots and the legend names,
// kept apart so tests can check labels and ticks without reading pixels.
type curvesModel struct {
	title  string
	plots  []*gplot.Plot
	names  []string // legend entries in order, one per distinct series name
	legend gplot.Legend
}

// Curves draws training curves: each panel a chart of its series against the epoch with
// whole-number epoch ticks (IntegerTicks), panels side by side, one legend on the right.
// Errors: no panels, a series whose X and Y lengths differ.
func Curves(f CurvesFigure) (*image.RGBA, error) {
	m, err := buildCurves(f)
	if err != nil {
		return nil, err
	}
	legendW := legendWidth(m.legend, m.names)
	titleH := vg.Length(0)
	if m.title != "" {
		titleH = vg.Points(titleSize * 2)
	}
	n := vg.Length(len(m.plots))
	w := n*panelW + (n-1)*panelGap + legendW
	h := panelH + titleH
	return render(w, h, func(c draw.Canvas) error {
		if m.title != "" {
			sty := textStyle(titleSize+1, true, ink)
			sty.YAlign = draw.YTop
			c.FillText(sty, vg.Point{X: c.Center().X, Y: c.Max.Y - vg.Points(4)}, m.title)
		}
		body := draw.Crop(c, 0, -legendW, 0, -titleH)
		tiles := draw.Tiles{Rows: 1, Cols: len(m.plots), PadX: panelGap, PadTop: vg.Points(4),
			PadBottom: vg.Points(4), PadLeft: vg.Points(4)}
		cells := gplot.Align([][]*gplot.Plot{m.plots}, tiles, body)
		for i, p := range m.plots {
			p.Draw(cells[0][i])
		}
		// The legend sits right of the last panel, its top level with the data area's top.
		data := m.plots[0].DataCanvas(cells[0][0])
		lc := draw.Crop(c, c.Max.X-legendW+vg.Points(10), 0, 0, data.Max.Y-c.Max.Y)
		m.legend.Draw(lc)
		return nil
	})
}

// buildCurves makes the gonum plots of a curves figure.
func buildCurves(f CurvesFigure) (*curvesModel, error) {
	if len(f.Panels) == 0 {
		return nil, fmt.Errorf("plot: curves figure has no panels")
	}
	xLabel := f.XLabel
	if xLabel == "" {
		xLabel = "epoch"
	}
	m := &curvesModel{title: f.Title, legend: newLegend()}
	index := map[string]int{} // series name -> style index and legend position
	thumbs := map[string][]gplot.Thumbnailer{}
	for _, pan := range f.Panels {
		p := newPlot(pan.Title, xLabel, pan.YLabel)
		addGrid(p)
		xmin, xmax := math.Inf(1), math.Inf(-1)
		for _, s := range pan.Series {
			if len(s.X) != len(s.Y) {
				return nil, fmt.Errorf("plot: panel %q series %q: %d x values, %d y values", pan.Title, s.Name, len(s.X), len(s.Y))
			}
			i, seen := index[s.Name]
			if !seen {
				i = len(m.names)
				index[s.Name] = i
				m.names = append(m.names, s.Name)
			}
			ps, th, err := seriesPlotters(s.X, s.Y, styleFor(i), len(s.X) <= maxMarkedPoints)
			if err != nil {
				return nil, fmt.Errorf("plot: panel %q series %q: %w", pan.Title, s.Name, err)
			}
			p.Add(ps...)
			if !seen {
				thumbs[s.Name] = th
			}
			for k, x := range s.X {
				if finite(x) && finite(s.Y[k]) {
					xmin, xmax = math.Min(xmin, x), math.Max(xmax, x)
				}
			}
		}
		// One epoch is a single x value: centre it in a unit-wide axis instead of gonum's
		// default of +-1, which would put ticks at 0 and 2 epochs that never ran.
		if xmin == xmax {
			xmin, xmax = xmin-0.5, xmax+0.5
		}
		if !math.IsInf(xmin, 0) {
			p.X.Min, p.X.Max = xmin, xmax
		}
		p.X.Tick.Marker = IntegerTicks{}
		padYRange(p, 0.05)
		m.plots = append(m.plots, p)
	}
	for _, name := range m.names {
		m.legend.Add(name, thumbs[name]...)
	}
	return m, nil
}

// seriesPlotters turns one series into gonum plotters: a line per run of finite points (a
// non-finite value breaks the line) and, when marked or for a lone point that a line cannot
// show, a marker on each point. It also returns the legend thumbnails.
func seriesPlotters(xs, ys []float64, st seriesStyle, marked bool) ([]gplot.Plotter, []gplot.Thumbnailer, error) {
	lineSty := draw.LineStyle{Color: st.color, Width: vg.Points(1.6), Dashes: st.dash}
	glyphSty := draw.GlyphStyle{Color: st.color, Radius: vg.Points(2.6), Shape: st.glyph}
	var out []gplot.Plotter
	var run plotter.XYs
	flush := func() error {
		if len(run) == 0 {
			return nil
		}
		if len(run) > 1 {
			l, err := plotter.NewLine(run)
			if err != nil {
				return err
			}
			l.LineStyle = lineSty
			out = append(out, l)
		}
		if marked || len(run) == 1 {
			s, err := plotter.NewScatter(run)
			if err != nil {
				return err
			}
			s.GlyphStyle = glyphSty
			out = append(out, s)
		}
		run = nil
		return nil
	}
	for i := range xs {
		if !finite(xs[i]) || !finite(ys[i]) {
			if err := flush(); err != nil {
				return nil, nil, err
			}
			continue
		}
		run = append(run, plotter.XY{X: xs[i], Y: ys[i]})
	}
	if err := flush(); err != nil {
		return nil, nil, err
	}
	l := &plotter.Line{LineStyle: lineSty}
	th := []gplot.Thumbnailer{l}
	if marked || len(xs) == 1 {
		th = append(th, &plotter.Scatter{GlyphStyle: glyphSty})
	}
	return out, th, nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// newLegend is a legend in this package's font, entries from the top left.
func newLegend() gplot.Legend {
	l := gplot.NewLegend()
	l.TextStyle.Font = sans(textSize, false)
	l.TextStyle.Color = ink
	l.Top, l.Left = true, true
	l.ThumbnailWidth = vg.Points(26)
	l.Padding = vg.Points(4)
	return l
}

// legendWidth is the room the legend column needs: margin, thumbnail, gap, longest name.
func legendWidth(l gplot.Legend, names []string) vg.Length {
	w := vg.Length(0)
	for _, n := range names {
		w = max(w, l.TextStyle.Width(n))
	}
	return vg.Points(10) + l.ThumbnailWidth + l.TextStyle.Width(" ") + w + vg.Points(12)
}
