package warp

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"math/rand/v2"

	"gocv.io/x/gocv"
)

// skinReferenceLuma is the face luma the templates were drawn for: the
// overlay colours are "as seen on a face of mean luma 150" (a well exposed
// portrait). A darker face means dimmer light, so the overlay is dimmed.
const skinReferenceLuma = 150

// Bounds of the realism adjustments; beyond them the estimate is more
// likely wrong (odd exposure, few face pixels) than the scene that extreme.
const (
	minGain, maxGain = 0.45, 1.2
	maxShading       = 0.25
	maxMatchBlur     = 3.0
	maxNoise         = 8.0
)

// Result describes one placement.
type Result struct {
	Template *Template // the variant actually drawn
	Yaw      float64   // EstimateYaw of the face
	// Transform maps template pixels to image pixels: the least-squares fit
	// over all anchors (for piecewise templates a single homography, kept
	// for reference; Pieces holds what was drawn).
	Transform Mat3
	Pieces    []Mat3 // the drawn transforms: one, or left and right halves
	Mask      Mask   // image-sized, covered where the final alpha ≥ 0.5
	Gain      float64
	Blur      float64 // σ of the blur applied to the overlay, pixels
	Noise     float64 // σ of the added noise, luma levels
}

// Apply draws template t on img (8-bit BGR, continuous, modified in place)
// at the face given by its 68 landmarks. With the same inputs and an rng in
// the same state it writes the same bytes. rng may be nil: jitter and noise
// are then skipped.
func Apply(img gocv.Mat, face Shape, t *Template, opts Options, rng *rand.Rand) (Result, error) {
	var res Result
	if t == nil {
		return res, fmt.Errorf("apply: nil template")
	}
	if img.Empty() || img.Type() != gocv.MatTypeCV8UC3 {
		return res, fmt.Errorf("apply %s: want a non-empty 8-bit BGR image, got type %v", t.Name, img.Type())
	}
	if !img.IsContinuous() {
		return res, fmt.Errorf("apply %s: image Mat is not continuous (a region view?); pass a Clone", t.Name)
	}
	w, h := img.Cols(), img.Rows()
	pix, err := img.DataPtrUint8()
	if err != nil {
		return res, fmt.Errorf("apply %s: image data: %w", t.Name, err)
	}
	res.Yaw = EstimateYaw(&face)
	tt := t
	if opts.YawAware {
		thr := opts.YawThreshold
		if thr <= 0 {
			thr = DefaultYawThreshold
		}
		tt = t.pickVariant(res.Yaw, thr)
	}
	res.Template = tt
	pl, err := tt.placeOn(&face)
	if err != nil {
		return res, fmt.Errorf("apply %s: %w", tt.Name, err)
	}
	res.Transform = pl.global
	for _, p := range pl.pieces {
		res.Pieces = append(res.Pieces, p.H)
	}
	res.Mask = NewMask(w, h)
	res.Gain = 1

	margin := int(math.Ceil(3*math.Max(opts.Feather, maxMatchBlur))) + 2
	if !opts.MatchSharpness {
		margin = int(math.Ceil(3*opts.Feather)) + 2
	}
	roi, ok := pl.imageBounds(w, h, margin)
	if !ok {
		return res, nil // the overlay falls outside the image
	}
	scale := 0.0
	for _, p := range pl.pieces {
		scale = math.Max(scale, p.H.LocalScale(centroid(p.domain)))
	}
	lv, err := tt.levelFor(scale)
	if err != nil {
		return res, fmt.Errorf("apply %s: %w", tt.Name, err)
	}
	ov, err := warpPieces(lv, pl, roi)
	if err != nil {
		return res, fmt.Errorf("apply %s: %w", tt.Name, err)
	}
	defer ov.Close()
	ovPix, err := ov.DataPtrUint8()
	if err != nil {
		return res, fmt.Errorf("apply %s: overlay data: %w", tt.Name, err)
	}

	st := measureFace(pix, w, h, &face)
	sigma := opts.Feather
	if opts.MatchSharpness && st.edgeWidth > 0 {
		if ow := alphaEdgeWidth(ovPix, roi.Dx(), roi.Dy()); ow > 0 && st.edgeWidth > ow {
			sigma = math.Max(sigma, math.Min(math.Sqrt(st.edgeWidth*st.edgeWidth-ow*ow), maxMatchBlur))
		}
	}
	if sigma > 0.05 {
		gocv.GaussianBlur(ov, &ov, image.Point{}, sigma, sigma, gocv.BorderReplicate)
		res.Blur = sigma
	}
	shade := shading{gain: 1}
	if opts.MatchBrightness && st.mean > 0 {
		shade = newShading(st, &face)
	}
	if rng != nil && opts.BrightnessJitter > 0 {
		shade.gain *= 1 + opts.BrightnessJitter*(2*rng.Float64()-1)
	}
	res.Gain = shade.gain
	noise := 0.0
	if opts.Noise && rng != nil {
		noise = math.Min(st.noise, maxNoise)
	}
	res.Noise = noise
	composite(pix, w, ovPix, roi, shade, noise, rng, res.Mask)
	return res, nil
}

// imageBounds is the image rectangle the pieces can draw into, grown by
// margin (room for the blur) and clipped to the image.
func (pl placement) imageBounds(w, h, margin int) (image.Rectangle, bool) {
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for _, p := range pl.pieces {
		for _, v := range p.domain {
			q := p.H.Apply(v)
			minX, maxX = math.Min(minX, q.X), math.Max(maxX, q.X)
			minY, maxY = math.Min(minY, q.Y), math.Max(maxY, q.Y)
		}
	}
	r := image.Rect(int(math.Floor(minX))-margin, int(math.Floor(minY))-margin,
		int(math.Ceil(maxX))+margin+1, int(math.Ceil(maxY))+margin+1)
	r = r.Intersect(image.Rect(0, 0, w, h))
	return r, !r.Empty()
}

// warpPieces warps the level into an roi-sized premultiplied BGRA Mat. For
// piecewise placements each image pixel takes the half on its side of the
// image-space seam.
func warpPieces(lv *level, pl placement, roi image.Rectangle) (gocv.Mat, error) {
	fromLevel, ok := lv.toLevel().Inverse()
	if !ok {
		return gocv.Mat{}, fmt.Errorf("level transform is singular")
	}
	shift := Translate(-float64(roi.Min.X), -float64(roi.Min.Y))
	var out [2]gocv.Mat
	for i, p := range pl.pieces {
		m := shift.Mul(p.H).Mul(fromLevel)
		dst, err := warpOne(lv.mat, m, roi.Size())
		if err != nil {
			for _, o := range out[:i] {
				o.Close()
			}
			return gocv.Mat{}, err
		}
		out[i] = dst
	}
	if len(pl.pieces) == 1 {
		return out[0], nil
	}
	defer out[1].Close()
	a, err1 := out[0].DataPtrUint8()
	b, err2 := out[1].DataPtrUint8()
	if err := firstErr(err1, err2); err != nil {
		out[0].Close()
		return gocv.Mat{}, fmt.Errorf("warped halves: %w", err)
	}
	rw := roi.Dx()
	for y := 0; y < roi.Dy(); y++ {
		fy := float64(y + roi.Min.Y)
		for x := 0; x < rw; x++ {
			if pl.imageSide(float64(x+roi.Min.X), fy) == 1 {
				o := (y*rw + x) * 4
				copy(a[o:o+4], b[o:o+4])
			}
		}
	}
	return out[0], nil
}

// warpOne warps src by m into a new size-sized Mat with bilinear sampling;
// affine maps take the cheaper warpAffine path.
func warpOne(src gocv.Mat, m Mat3, size image.Point) (gocv.Mat, error) {
	affine := m[2][0] == 0 && m[2][1] == 0 && m[2][2] == 1
	rows := 3
	if affine {
		rows = 2
	}
	mm := gocv.NewMatWithSize(rows, 3, gocv.MatTypeCV64F)
	defer mm.Close()
	for i := 0; i < rows; i++ {
		for j := 0; j < 3; j++ {
			mm.SetDoubleAt(i, j, m[i][j])
		}
	}
	dst := gocv.NewMatWithSize(size.Y, size.X, gocv.MatTypeCV8UC4)
	if affine {
		gocv.WarpAffineWithParams(src, &dst, mm, size, gocv.InterpolationLinear, gocv.BorderConstant, color.RGBA{})
	} else {
		gocv.WarpPerspectiveWithParams(src, &dst, mm, size, gocv.InterpolationLinear, gocv.BorderConstant, color.RGBA{})
	}
	if dst.Empty() || !dst.IsContinuous() {
		dst.Close()
		return gocv.Mat{}, fmt.Errorf("warp produced no continuous image")
	}
	return dst, nil
}
