package plot

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"

	"github.com/occfer/occfer/internal/imgtext"
)

// Jet maps v in [0,1] to the classic jet colour map (blue -> cyan -> yellow -> red), the map
// used for class activation figures (Zhou et al. 2016; FFRA-Net Fig. 6).
func Jet(v float64) color.RGBA {
	v = math.Max(0, math.Min(1, v))
	f := func(x float64) uint8 { return uint8(255 * math.Max(0, math.Min(1, x))) }
	return color.RGBA{f(1.5 - math.Abs(4*v-3)), f(1.5 - math.Abs(4*v-2)), f(1.5 - math.Abs(4*v-1)), 255}
}

// NormalizeCAM clamps negative evidence to 0 (as CAM visualisations do) and scales to [0,1].
// A map without positive evidence becomes all zero.
func NormalizeCAM(cam []float32) []float64 {
	out := make([]float64, len(cam))
	hi := 0.0
	for i, v := range cam {
		out[i] = math.Max(0, float64(v))
		hi = math.Max(hi, out[i])
	}
	if hi > 0 {
		for i := range out {
			out[i] /= hi
		}
	}
	return out
}

// upsample resizes an h x w map to H x W with bilinear interpolation (half-pixel centres).
func upsample(m []float64, w, h, W, H int) []float64 {
	out := make([]float64, W*H)
	for y := 0; y < H; y++ {
		sy := math.Max(0, math.Min(float64(h-1), (float64(y)+0.5)*float64(h)/float64(H)-0.5))
		y0 := int(sy)
		y1 := min(y0+1, h-1)
		fy := sy - float64(y0)
		for x := 0; x < W; x++ {
			sx := math.Max(0, math.Min(float64(w-1), (float64(x)+0.5)*float64(w)/float64(W)-0.5))
			x0 := int(sx)
			x1 := min(x0+1, w-1)
			fx := sx - float64(x0)
			top := m[y0*w+x0]*(1-fx) + m[y0*w+x1]*fx
			bot := m[y1*w+x0]*(1-fx) + m[y1*w+x1]*fx
			out[y*W+x] = top*(1-fy) + bot*fy
		}
	}
	return out
}

// OverlayCAM upsamples the h x w activation map to the image, colours it with Jet and blends
// it over the image with weight alpha (0.5 in Fig. 6-style figures).
func OverlayCAM(base image.Image, cam []float32, w, h int, alpha float64) (*image.RGBA, error) {
	if len(cam) != w*h || w <= 0 || h <= 0 {
		return nil, fmt.Errorf("cam: map has %d values, want %dx%d", len(cam), w, h)
	}
	if alpha < 0 || alpha > 1 {
		return nil, fmt.Errorf("cam: blend weight %g outside [0,1]", alpha)
	}
	b := base.Bounds()
	W, H := b.Dx(), b.Dy()
	up := upsample(NormalizeCAM(cam), w, h, W, H)
	out := image.NewRGBA(image.Rect(0, 0, W, H))
	for y := 0; y < H; y++ {
		for x := 0; x < W; x++ {
			r, g, bl, _ := base.At(b.Min.X+x, b.Min.Y+y).RGBA()
			c := Jet(up[y*W+x])
			mix := func(a uint32, m uint8) uint8 {
				return uint8(math.Round((1-alpha)*float64(a>>8) + alpha*float64(m)))
			}
			out.SetRGBA(x, y, color.RGBA{mix(r, c.R), mix(g, c.G), mix(bl, c.B), 255})
		}
	}
	return out, nil
}

// CAMFigure puts the image and its CAM overlay side by side with a caption underneath in
// Liberation Sans (internal/imgtext), the layout of FFRA-Net's Fig. 6. Small images
// (RAF-DB's 100x100) are enlarged 2x with nearest neighbour so the caption fits and pixels
// stay visible.
func CAMFigure(base image.Image, cam []float32, w, h int, alpha float64, caption string) (*image.RGBA, error) {
	over, err := OverlayCAM(base, cam, w, h, alpha)
	if err != nil {
		return nil, err
	}
	b := base.Bounds()
	scale := 1
	if b.Dx() < 200 {
		scale = 2
	}
	W, H := b.Dx()*scale, b.Dy()*scale
	fig := image.NewRGBA(image.Rect(0, 0, 2*W+30, H+34))
	draw.Draw(fig, fig.Bounds(), image.White, image.Point{}, draw.Src)
	for y := 0; y < H; y++ {
		for x := 0; x < W; x++ {
			fig.Set(10+x, 10+y, base.At(b.Min.X+x/scale, b.Min.Y+y/scale))
			fig.Set(20+W+x, 10+y, over.At(x/scale, y/scale))
		}
	}
	if err := (imgtext.Style{Size: 16}).Draw(fig, 10, H+28, caption); err != nil {
		return nil, fmt.Errorf("cam: caption: %w", err)
	}
	return fig, nil
}
