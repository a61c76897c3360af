package plot

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"

	xfont "golang.org/x/image/font"
	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// DPI is the resolution every figure is rasterised at. Sizes below are in points (1/72 in),
// so at 150 DPI a 10 pt label is about 21 px tall: readable in a README and on a slide.
const DPI = 150

// Font sizes in points.
const (
	titleSize = 12
	labelSize = 11
	tickSize  = 9.5
	textSize  = 9.5
)

// sans is Liberation Sans, embedded in gonum (plot registers the Liberation collection in
// font.DefaultCache): metric-compatible with Arial, so the figures look like the usual ones.
func sans(size vg.Length, bold bool) font.Font {
	f := font.Font{Typeface: "Liberation", Variant: "Sans", Size: size}
	if bold {
		f.Weight = xfont.WeightBold
	}
	return f
}

var (
	ink      = color.RGBA{0x22, 0x22, 0x22, 0xff}
	muted    = color.RGBA{0x55, 0x55, 0x55, 0xff}
	gridGrey = color.RGBA{0xe3, 0xe3, 0xe3, 0xff}
)

// seriesColors is the Okabe-Ito palette (Okabe & Ito 2008, "Color Universal Design"),
// readable by colour-blind readers, in an order that puts the most distinct colours first.
// Series past the eighth reuse the colours with another marker and dash (styleFor).
var seriesColors = []color.RGBA{
	{0x00, 0x72, 0xb2, 0xff}, // blue
	{0xd5, 0x5e, 0x00, 0xff}, // vermillion
	{0x00, 0x9e, 0x73, 0xff}, // bluish green
	{0xcc, 0x79, 0xa7, 0xff}, // reddish purple
	{0xe6, 0x9f, 0x00, 0xff}, // orange
	{0x56, 0xb4, 0xe9, 0xff}, // sky blue
	{0x00, 0x00, 0x00, 0xff}, // black
	{0xf0, 0xe4, 0x42, 0xff}, // yellow, last: weak on white
}

// seriesStyle is the look of the i-th series of a figure: colour, marker and dash pattern.
type seriesStyle struct {
	color color.RGBA
	glyph draw.GlyphDrawer
	dash  []vg.Length
}

func styleFor(i int) seriesStyle {
	glyphs := []draw.GlyphDrawer{draw.CircleGlyph{}, draw.BoxGlyph{}, draw.PyramidGlyph{},
		draw.RingGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.CrossGlyph{}, draw.PlusGlyph{}}
	dashes := [][]vg.Length{nil, {vg.Points(5), vg.Points(2.5)}, {vg.Points(1.5), vg.Points(2)}}
	round := i / len(seriesColors)
	return seriesStyle{
		color: seriesColors[i%len(seriesColors)],
		glyph: glyphs[(i+round)%len(glyphs)],
		dash:  dashes[round%len(dashes)],
	}
}

// newPlot returns a gonum plot with this package's look: Liberation Sans everywhere, a bold
// title, light grey grid lines under the data, thin dark axes.
func newPlot(title, xLabel, yLabel string) *gplot.Plot {
	p := gplot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = sans(titleSize, true)
	p.Title.TextStyle.Color = ink
	p.Title.Padding = vg.Points(8)
	for _, ax := range []*gplot.Axis{&p.X, &p.Y} {
		ax.Label.TextStyle.Font = sans(labelSize, false)
		ax.Label.TextStyle.Color = ink
		ax.Label.Padding = vg.Points(4)
		ax.Tick.Label.Font = sans(tickSize, false)
		ax.Tick.Label.Color = ink
		ax.Tick.Length = vg.Points(4)
		ax.Tick.Color = muted
		ax.LineStyle.Color = muted
		ax.LineStyle.Width = vg.Points(0.75)
		ax.Padding = vg.Points(4)
		ax.Tick.Marker = niceTicks{}
	}
	p.X.Label.Text, p.Y.Label.Text = xLabel, yLabel
	p.Legend.TextStyle.Font = sans(textSize, false)
	p.Legend.TextStyle.Color = ink
	return p
}

// addGrid puts light grid lines at the major ticks, drawn first so data lies on top.
func addGrid(p *gplot.Plot) {
	g := plotter.NewGrid()
	g.Vertical = draw.LineStyle{Color: gridGrey, Width: vg.Points(0.6)}
	g.Horizontal = g.Vertical
	p.Add(g)
}

// padYRange widens the y range gonum took from the data by frac of its span at each end, so
// the extreme points and their markers do not sit on the frame. Call it after the last Add.
func padYRange(p *gplot.Plot, frac float64) {
	if span := p.Y.Max - p.Y.Min; span > 0 && !math.IsInf(span, 0) {
		p.Y.Min -= frac * span
		p.Y.Max += frac * span
	}
}

// textStyle is a plain-text style in Liberation Sans, for labels placed by hand.
func textStyle(size vg.Length, bold bool, c color.Color) text.Style {
	return text.Style{Color: c, Font: sans(size, bold), XAlign: draw.XCenter, YAlign: draw.YCenter,
		Handler: gplot.DefaultTextHandler}
}

// render rasterises a figure of w x h points at DPI onto a white image. gonum panics on
// some inputs it considers programming errors (an empty palette, an inverted range); the
// recover turns any such panic into an error so none crosses this package's line.
func render(w, h vg.Length, drawFig func(c draw.Canvas) error) (img *image.RGBA, err error) {
	defer func() {
		if r := recover(); r != nil {
			img, err = nil, fmt.Errorf("plot: gonum: %v", r)
		}
	}()
	cv := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(DPI), vgimg.UseBackgroundColor(color.White))
	if err := drawFig(draw.New(cv)); err != nil {
		return nil, err
	}
	rgba, ok := cv.Image().(*image.RGBA)
	if !ok {
		return nil, fmt.Errorf("plot: vgimg drew a %T, want *image.RGBA", cv.Image())
	}
	return rgba, nil
}

// EncodePNG returns the PNG bytes of img (callers write them atomically).
func EncodePNG(img image.Image) ([]byte, error) {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, fmt.Errorf("plot: encode png: %w", err)
	}
	return b.Bytes(), nil
}
