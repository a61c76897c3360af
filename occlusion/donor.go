package occlusion

import (
	"image"
	"math"
	"math/rand/v2"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/imageio"
)

// donorTries bounds how many donors are tried when some are unreadable.
const donorTries = 3

// donor returns the patch source for item it: another image of the whole sorted dataset (not
// just this shard, so shards agree), picked with the occluder's RNG, and a region of it of the
// occluder's aspect ratio scaled to the occluder's size.
func (r *runner) donor(it dataset.Item) donorFunc {
	items := r.ds.Items
	return func(rng *rand.Rand, w, h int) ([]uint8, string, bool) {
		if len(items) < 2 || w < 1 || h < 1 {
			return nil, "", false
		}
		idx := rng.IntN(len(items) - 1)
		// Drawn before any decode, so the occluders that follow see the same RNG stream
		// whichever donors turn out to be readable.
		u, v, s := rng.Float64(), rng.Float64(), 0.3+0.7*rng.Float64()
		for try := 0; try < donorTries; try++ {
			d := items[(idx+try)%len(items)]
			if d.Rel == it.Rel {
				d = items[(idx+try+1)%len(items)]
			}
			pix, ok := cutPatch(d.Abs, w, h, u, v, s)
			if ok {
				return pix, d.Rel, true
			}
		}
		return nil, "", false
	}
}

// cutPatch decodes the image at p and returns a w x h BGR patch: the largest region of the
// patch's aspect ratio, scaled by s, placed at (u, v) in [0,1) of the free space.
func cutPatch(p string, w, h int, u, v, s float64) ([]uint8, bool) {
	img, err := imageio.Decode(p)
	if err != nil {
		return nil, false
	}
	defer img.Close()
	iw, ih := float64(img.Cols()), float64(img.Rows())
	aspect := float64(w) / float64(h)
	cw := math.Min(iw, ih*aspect) * s
	ch := cw / aspect
	cw, ch = math.Max(1, math.Floor(cw)), math.Max(1, math.Floor(ch))
	x0 := int(u * (iw - cw))
	y0 := int(v * (ih - ch))
	roi := img.Region(image.Rect(x0, y0, x0+int(cw), y0+int(ch)))
	defer roi.Close()
	dst := gocv.NewMat()
	defer dst.Close()
	gocv.Resize(roi, &dst, image.Pt(w, h), 0, 0, gocv.InterpolationArea)
	if !dst.IsContinuous() {
		return nil, false
	}
	return dst.ToBytes(), true
}
