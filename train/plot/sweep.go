package plot

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"slices"
	"strconv"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// SweepSeries is one curve of a sweep figure: at the swept value X[i] the metric's mean over
// seeds is Y[i] and its spread Err[i] (drawn as an error bar Y[i] ± Err[i]; MeanStd gives
// both from per-seed values). Err may be nil (no bars) or hold one value per point; a NaN Y
// leaves a gap (a setting that did not run), a NaN or zero Err no bar.
type SweepSeries struct {
	Name string // legend entry, e.g. "FM_RAF-DB"
	X    []float64
	Y    []float64
	Err  []float64
}

// Reference is a published number to compare against (e.g. the paper's accuracy): a dashed
// horizontal line at Y across the plot, or with AtX set a star at (X, Y) (the paper's result
// at its own setting of the swept parameter).
type Reference struct {
	Name   string // legend entry, e.g. "paper, FM_RAF-DB"
	Y      float64
	X      float64
	AtX    bool
	Series string // optional: the SweepSeries it compares with, whose colour it takes; else grey
}

// SweepFigure is the input of Sweep: a metric against one swept parameter.
type SweepFigure struct {
	Title  string // e.g. "Accuracy vs occlusion-attention weight"
	XLabel string // e.g. "λ"
	YLabel string // e.g. "test accuracy (%)"
	Series []SweepSeries
	Refs   []Reference
}

// sweepModel is a sweep figure before rendering (see curvesModel).
type sweepModel struct {
	plot   *gplot.Plot
	names  []string
	legend gplot.Legend
	bars   []*plotter.YErrorBars // per series with any bar, in series order
}

// Sweep draws a metric against a swept parameter, e.g. test accuracy against λ = 0.1 ... 0.9
// for the FM and SG test sets, mean ± standard deviation over seeds (FFRA-Net protocol,
// ffra-spec.md; issue 9's tables). Each series is a line with markers and capped error bars;
// when several series share x values they are nudged apart by a small fraction of the x
// spacing so their bars do not hide each other (the line still joins the nudged points; tick
// labels stay at the true values). With at most 12 distinct x values the ticks are exactly
// those values. References are drawn dashed in grey tones, last in the legend. Errors: no
// series, length mismatches, a negative Err.
func Sweep(f SweepFigure) (*image.RGBA, error) {
	m, err := buildSweep(f)
	if err != nil {
		return nil, err
	}
	legendW := legendWidth(m.legend, m.names)
	w, h := vg.Points(400)+legendW, vg.Points(290)
	return render(w, h, func(c draw.Canvas) error {
		pc := draw.Crop(c, vg.Points(6), -legendW, vg.Points(4), -vg.Points(6))
		m.plot.Draw(pc)
		// Legend right of the chart, its top level with the data area's top, as in Curves.
		data := m.plot.DataCanvas(pc)
		m.legend.Draw(draw.Crop(c, c.Max.X-legendW+vg.Points(10), 0, 0, data.Max.Y-c.Max.Y))
		return nil
	})
}

// MeanStd is the mean and sample standard deviation (n-1 denominator) of per-seed values,
// skipping NaNs; one value gives a standard deviation of 0, none gives NaN for both.
func MeanStd(vals []float64) (mean, std float64) {
	n, sum := 0, 0.0
	for _, v := range vals {
		if !math.IsNaN(v) {
			n++
			sum += v
		}
	}
	if n == 0 {
		return math.NaN(), math.NaN()
	}
	mean = sum / float64(n)
	if n == 1 {
		return mean, 0
	}
	ss := 0.0
	for _, v := range vals {
		if !math.IsNaN(v) {
			ss += (v - mean) * (v - mean)
		}
	}
	return mean, math.Sqrt(ss / float64(n-1))
}

// errPoints adapts a series to gonum's YErrorer.
type errPoints struct {
	plotter.XYs
	err []float64
}

func (e errPoints) YError(i int) (float64, float64) { return e.err[i], e.err[i] }

func buildSweep(f SweepFigure) (*sweepModel, error) {
	if len(f.Series) == 0 {
		return nil, fmt.Errorf("plot: sweep %q has no series", f.Title)
	}
	var xs []float64
	for _, s := range f.Series {
		if len(s.X) != len(s.Y) || (s.Err != nil && len(s.Err) != len(s.X)) {
			return nil, fmt.Errorf("plot: sweep series %q: %d x, %d y, %d error values", s.Name, len(s.X), len(s.Y), len(s.Err))
		}
		for i, x := range s.X {
			if !finite(x) {
				return nil, fmt.Errorf("plot: sweep series %q: x[%d] = %g", s.Name, i, x)
			}
			if s.Err != nil && s.Err[i] < 0 {
				return nil, fmt.Errorf("plot: sweep series %q: negative error %g at x = %g", s.Name, s.Err[i], x)
			}
			xs = append(xs, x)
		}
	}
	slices.Sort(xs)
	xs = slices.Compact(xs)
	dodge := 0.0
	if len(f.Series) > 1 && len(xs) > 1 {
		gap := math.Inf(1)
		for i := 1; i < len(xs); i++ {
			gap = math.Min(gap, xs[i]-xs[i-1])
		}
		dodge = 0.06 * gap
	}

	p := newPlot(f.Title, f.XLabel, f.YLabel)
	addGrid(p)
	m := &sweepModel{plot: p, legend: newLegend()}
	for si, s := range f.Series {
		st := styleFor(si)
		off := dodge * (float64(si) - float64(len(f.Series)-1)/2)
		nx := make([]float64, len(s.X))
		for i, x := range s.X {
			nx[i] = x + off
		}
		ps, th, err := seriesPlotters(nx, s.Y, st, true)
		if err != nil {
			return nil, fmt.Errorf("plot: sweep series %q: %w", s.Name, err)
		}
		p.Add(ps...)
		if s.Err != nil {
			var ep errPoints
			for i := range nx {
				if finite(s.Y[i]) && finite(s.Err[i]) && s.Err[i] > 0 {
					ep.XYs = append(ep.XYs, plotter.XY{X: nx[i], Y: s.Y[i]})
					ep.err = append(ep.err, s.Err[i])
				}
			}
			if len(ep.XYs) > 0 {
				bars, err := plotter.NewYErrorBars(ep)
				if err != nil {
					return nil, fmt.Errorf("plot: sweep series %q: %w", s.Name, err)
				}
				bars.LineStyle = draw.LineStyle{Color: st.color, Width: vg.Points(1.1)}
				bars.CapWidth = vg.Points(6)
				p.Add(bars)
				m.bars = append(m.bars, bars)
			}
		}
		m.legend.Add(s.Name, th...)
		m.names = append(m.names, s.Name)
	}
	for ri, r := range f.Refs {
		if !finite(r.Y) || (r.AtX && !finite(r.X)) {
			return nil, fmt.Errorf("plot: reference %q at (%g, %g)", r.Name, r.X, r.Y)
		}
		g := []uint8{0x33, 0x77, 0x99}[ri%3]
		col := color.RGBA{g, g, g, 0xff}
		if i := slices.IndexFunc(f.Series, func(s SweepSeries) bool { return s.Name == r.Series }); r.Series != "" && i >= 0 {
			col = styleFor(i).color
		}
		if r.AtX {
			sc, err := plotter.NewScatter(plotter.XYs{{X: r.X, Y: r.Y}})
			if err != nil {
				return nil, err
			}
			sc.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(5.5), Shape: starGlyph{}}
			p.Add(sc)
			m.legend.Add(r.Name, sc)
		} else {
			hl := refLine{y: r.Y, sty: draw.LineStyle{Color: col, Width: vg.Points(1.2),
				Dashes: []vg.Length{vg.Points(6), vg.Points(3)}}}
			p.Add(hl)
			m.legend.Add(r.Name, hl)
		}
		m.names = append(m.names, r.Name)
	}
	if len(xs) <= 12 {
		ts := make(gplot.ConstantTicks, len(xs))
		for i, x := range xs {
			ts[i] = gplot.Tick{Value: x, Label: strconv.FormatFloat(x, 'g', -1, 64)}
		}
		p.X.Tick.Marker = ts
	}
	padYRange(p, 0.05)
	// Leave half a step of room at the ends so end points and their bars clear the frame.
	if len(xs) > 1 {
		pad := 0.5 * (xs[1] - xs[0])
		p.X.Min, p.X.Max = math.Min(p.X.Min, xs[0]-pad), math.Max(p.X.Max, xs[len(xs)-1]+pad)
	}
	return m, nil
}

// refLine is a horizontal line across the whole plot at y, for a published reference value.
type refLine struct {
	y   float64
	sty draw.LineStyle
}

func (r refLine) Plot(c draw.Canvas, p *gplot.Plot) {
	_, trY := p.Transforms(&c)
	c.StrokeLine2(r.sty, c.Min.X, trY(r.y), c.Max.X, trY(r.y))
}

// DataRange includes y in the plot's range; the infinite x bounds leave x to the series.
func (r refLine) DataRange() (xmin, xmax, ymin, ymax float64) {
	return math.Inf(1), math.Inf(-1), r.y, r.y
}

func (r refLine) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(r.sty, c.Min.X, y, c.Max.X, y)
}

// starGlyph is a filled five-pointed star, the usual mark for a published result; its
// outline is drawn in white so it stands out on a line of the same colour.
type starGlyph struct{}

func (starGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	var p vg.Path
	for k := 0; k < 10; k++ {
		r := sty.Radius
		if k%2 == 1 {
			r *= 0.45
		}
		a := math.Pi/2 + float64(k)*math.Pi/5
		q := vg.Point{X: pt.X + r*vg.Length(math.Cos(a)), Y: pt.Y + r*vg.Length(math.Sin(a))}
		if k == 0 {
			p.Move(q)
		} else {
			p.Line(q)
		}
	}
	p.Close()
	c.SetColor(sty.Color)
	c.Fill(p)
	c.SetLineStyle(draw.LineStyle{Color: color.White, Width: vg.Points(0.6)})
	c.Stroke(p)
}
