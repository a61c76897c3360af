package warp

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/landmarks/face68"
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
	Yaw      float64   // the face's face68.Shape.YawRatio
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
func Apply(img gocv.Mat, face face68.Shape, t *Template, opts Options, rng *rand.Rand) (Result, error) {
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
	res.Yaw = face.YawRatio()
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

	scale := 0.0
	for _, p := range pl.pieces {
		scale = math.Max(scale, p.H.LocalScale(face68.Centroid(p.domain)))
	}
	st := measureFace(pix, w, h, &face)
	sigma := blurSigma(opts, st, scale)
	// warp only what the overlay and its blur can reach
	roi, ok := pl.imageBounds(w, h, int(math.Ceil(3*sigma))+1)
	if !ok {
		return res, nil // the overlay falls outside the image
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
	if sigma > 0.05 {
		gocv.GaussianBlur(ov, &ov, image.Point{}, sigma, sigma, gocv.BorderReplicate)
		res.Blur = sigma
	}
	// read the data after the in-place blur (same buffer, but do not rely on it)
	ovPix, err := ov.DataPtrUint8()
	if err != nil {
		return res, fmt.Errorf("apply %s: overlay data: %w", tt.Name, err)
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

// blurSigma is the Gaussian σ for the warped overlay: the feather, or more
// when the face is softer than the overlay would be, so that the two edge
// widths add up (in quadrature) to the face's.
func blurSigma(opts Options, st faceStats, scale float64) float64 {
	sigma := opts.Feather
	if opts.MatchSharpness && st.edgeWidth > 0 {
		if ow := overlayEdgeWidth(scale); st.edgeWidth > ow {
			sigma = math.Max(sigma, math.Min(math.Sqrt(st.edgeWidth*st.edgeWidth-ow*ow), maxMatchBlur))
		}
	}
	return sigma
}

// overlayEdgeWidth is the edge width (see edgeWidth) of a warped overlay at
// template-to-image magnification s. Templates are drawn with one-pixel
// anti-aliased edges and levelFor keeps the final resample a mild shrink, so
// the outline measures the crisp-edge value 0.5 px whenever s ≤ 1 (checked
// by TestOverlayEdgeWidth); a magnified template spreads it by s.
func overlayEdgeWidth(s float64) float64 { return 0.5 * math.Max(1, s) }

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
