package audit

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // decoders for the input and output images of the sheet
	"image/png"
	"math"
	"os"
	"strings"

	_ "golang.org/x/image/bmp"
	"golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
	_ "golang.org/x/image/tiff"
	_ "golang.org/x/image/webp"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/landmarks/face68"
)

// Contact-sheet layout, in pixels.
const (
	sheetCell    = 160 // side of one panel
	sheetGap     = 6
	sheetLine    = 14 // caption line height (basicfont 7x13)
	sheetLines   = 3
	sheetColumns = 2 // cases per row
)

var (
	sheetBG      = color.RGBA{24, 24, 24, 255}
	colMaskEdge  = color.RGBA{255, 40, 40, 255}
	colFace      = color.RGBA{255, 220, 0, 255}
	colLandmarks = color.RGBA{40, 255, 80, 255}
	colText      = color.RGBA{235, 235, 235, 255}
)

// Sheet draws a contact sheet of cases (usually Report.Worst): per face the input with the
// landmarks scored against (only when in, the occlude input folder, is given), the output,
// and the output with the mask outline (red), the face region of the spill metric (yellow)
// and the landmarks (green), each cropped around the face; under them the path, the yaw and
// the metrics with the failed rules. Images that cannot be read are drawn as empty panels.
func (r *Report) Sheet(cases []Case, in string) *image.RGBA {
	panels := 2
	if in != "" {
		panels = 3
	}
	tileW := panels*sheetCell + (panels-1)*sheetGap
	tileH := sheetCell + sheetLines*sheetLine + sheetGap
	cols := min(sheetColumns, max(1, len(cases)))
	rows := max(1, (len(cases)+cols-1)/cols)
	W := sheetGap + cols*(tileW+2*sheetGap)
	H := sheetGap + rows*(tileH+sheetGap)
	dst := image.NewRGBA(image.Rect(0, 0, W, H))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(sheetBG), image.Point{}, draw.Src)
	for i, c := range cases {
		x0 := sheetGap + (i%cols)*(tileW+2*sheetGap)
		y0 := sheetGap + (i/cols)*(tileH+sheetGap)
		r.drawCase(dst, image.Pt(x0, y0), c, in)
	}
	return dst
}

// WriteSheet draws Sheet and writes it as PNG to path, atomically.
func (r *Report) WriteSheet(path string, cases []Case, in string) error {
	var buf bytes.Buffer
	if err := png.Encode(&buf, r.Sheet(cases, in)); err != nil {
		return fmt.Errorf("contact sheet: %w", err)
	}
	return dataset.WriteFileAtomic(path, buf.Bytes())
}

func (r *Report) drawCase(dst *image.RGBA, at image.Point, c Case, in string) {
	f := c.Face
	var out image.Image
	if c.Image.out != "" {
		out = decodeImage(within(r.Out, c.Image.out))
	}
	var mask *Mask
	if c.Image.mask != "" {
		mask, _ = LoadMask(within(r.Out, c.Image.mask))
	}
	var region []face68.Point
	crop := image.Rect(0, 0, sheetCell, sheetCell)
	if f.scored {
		region = FaceRegion(&f.shape)
		crop = cropAround(region)
	}
	x := at.X
	if in != "" {
		inImg := decodeImage(within(in, c.Image.In))
		p := panel(dst, image.Pt(x, at.Y), inImg, crop)
		if f.scored {
			p.points(f.shape[:], colLandmarks)
		}
		x += sheetCell + sheetGap
	}
	panel(dst, image.Pt(x, at.Y), out, crop)
	x += sheetCell + sheetGap
	p := panel(dst, image.Pt(x, at.Y), out, crop)
	if mask != nil {
		p.outline(mask, colMaskEdge)
	}
	if f.scored {
		p.polygon(region, colFace)
		p.points(f.shape[:], colLandmarks)
	}
	yaw := "yaw ?"
	if f.Yaw != nil {
		yaw = fmt.Sprintf("yaw %.1f (%s)", *f.Yaw, f.YawSource)
	}
	lines := [sheetLines]string{
		c.Image.In,
		fmt.Sprintf("%s, band %s, %s", c.Image.Status, f.Band, yaw),
		fmt.Sprintf("m%.2f n%.2f e%.2f s%.2f  %s", f.Mouth, f.Nose, f.Eyes, f.Spill, strings.Join(f.Failed, "; ")),
	}
	maxChars := (x + sheetCell - at.X) / 7
	for i, l := range lines {
		if len(l) > maxChars {
			l = l[:maxChars-1] + "~"
		}
		d := font.Drawer{Dst: dst, Src: image.NewUniform(colText), Face: basicfont.Face7x13,
			Dot: fixed.P(at.X, at.Y+sheetCell+sheetLine*(i+1))}
		d.DrawString(l)
	}
}

// cropAround is a square around a face region with a fifth of its size as margin.
func cropAround(region []face68.Point) image.Rectangle {
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for _, p := range region {
		minX, maxX = math.Min(minX, p.X), math.Max(maxX, p.X)
		minY, maxY = math.Min(minY, p.Y), math.Max(maxY, p.Y)
	}
	side := 1.2 * math.Max(maxX-minX, maxY-minY)
	cx, cy := (minX+maxX)/2+0.5, (minY+maxY)/2+0.5
	x0, y0 := int(math.Floor(cx-side/2)), int(math.Floor(cy-side/2))
	s := max(1, int(math.Ceil(side)))
	return image.Rect(x0, y0, x0+s, y0+s)
}

// panelView maps image coordinates of a crop onto one panel of the sheet.
type panelView struct {
	dst  *image.RGBA
	cell image.Rectangle // the panel on dst
	crop image.Rectangle // the part of the image shown
	k    float64         // panel pixels per image pixel
}

// panel draws crop of img (nil: nothing) scaled into the sheetCell square at `at`.
func panel(dst *image.RGBA, at image.Point, img image.Image, crop image.Rectangle) panelView {
	cell := image.Rect(at.X, at.Y, at.X+sheetCell, at.Y+sheetCell)
	draw.Draw(dst, cell, image.NewUniform(color.RGBA{60, 60, 60, 255}), image.Point{}, draw.Src)
	v := panelView{dst: dst, cell: cell, crop: crop, k: float64(sheetCell) / float64(max(crop.Dx(), crop.Dy()))}
	if img == nil {
		return v
	}
	src := crop.Intersect(img.Bounds())
	if src.Empty() {
		return v
	}
	to := image.Rect(
		cell.Min.X+int(math.Round(float64(src.Min.X-crop.Min.X)*v.k)), cell.Min.Y+int(math.Round(float64(src.Min.Y-crop.Min.Y)*v.k)),
		cell.Min.X+int(math.Round(float64(src.Max.X-crop.Min.X)*v.k)), cell.Min.Y+int(math.Round(float64(src.Max.Y-crop.Min.Y)*v.k)))
	draw.ApproxBiLinear.Scale(dst, to.Intersect(cell), img, src, draw.Src, nil)
	return v
}

// toPanel maps a landmark-coordinate point (pixel centres at integers) to panel pixels.
func (v panelView) toPanel(p face68.Point) (int, int) {
	return v.cell.Min.X + int(math.Floor((p.X+0.5-float64(v.crop.Min.X))*v.k)),
		v.cell.Min.Y + int(math.Floor((p.Y+0.5-float64(v.crop.Min.Y))*v.k))
}

func (v panelView) set(x, y int, c color.RGBA) {
	if (image.Point{x, y}).In(v.cell) {
		v.dst.SetRGBA(x, y, c)
	}
}

func (v panelView) points(pts []face68.Point, c color.RGBA) {
	for _, p := range pts {
		x, y := v.toPanel(p)
		for dy := -1; dy <= 1; dy++ {
			for dx := -1; dx <= 1; dx++ {
				v.set(x+dx, y+dy, c)
			}
		}
	}
}

func (v panelView) polygon(poly []face68.Point, c color.RGBA) {
	for i := range poly {
		x0, y0 := v.toPanel(poly[i])
		x1, y1 := v.toPanel(poly[(i+1)%len(poly)])
		n := max(abs(x1-x0), abs(y1-y0), 1)
		for s := 0; s <= n; s++ {
			v.set(x0+(x1-x0)*s/n, y0+(y1-y0)*s/n, c)
		}
	}
}

// outline marks the panel pixels whose image pixel is occluded while a 4-neighbour's is not.
func (v panelView) outline(m *Mask, c color.RGBA) {
	occ := func(px, py int) bool {
		sx := v.crop.Min.X + int(math.Floor(float64(px-v.cell.Min.X)/v.k))
		sy := v.crop.Min.Y + int(math.Floor(float64(py-v.cell.Min.Y)/v.k))
		return m.Occluded(sx, sy)
	}
	for y := v.cell.Min.Y; y < v.cell.Max.Y; y++ {
		for x := v.cell.Min.X; x < v.cell.Max.X; x++ {
			if occ(x, y) && (!occ(x-1, y) || !occ(x+1, y) || !occ(x, y-1) || !occ(x, y+1)) {
				v.set(x, y, c)
			}
		}
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// decodeImage reads an image for the sheet; nil when it cannot be read (the panel stays
// empty: the sheet shows what exists).
func decodeImage(p string) image.Image {
	f, err := os.Open(p)
	if err != nil {
		return nil
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return nil
	}
	return img
}
