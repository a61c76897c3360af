package warp

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/face3d"
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
	maxMatchBlur     = 3.0
	maxNoise         = 8.0
)

// Result describes one placement.
type Result struct {
	Template *Template
	// Pose is the head pose fitted to the landmarks (face3d.FitPose), with which the
	// template's 3-D surface was projected.
	Pose face3d.Pose
	// Placement is PlacementRefined, or PlacementPose when the landmarks were not trusted to
	// refine the posed surface.
	Placement string
	Mask      Mask // image-sized, covered where the final alpha ≥ 0.5
	Gain      float64
	// SilhouetteCut is the share of a mask's alpha cut off beyond the face's far outline
	// (clipToSilhouette; faces turned by MinSilhouetteYaw or more), 0 when none was.
	SilhouetteCut float64
	Blur          float64 // σ of the blur applied to the overlay, pixels
	Noise         float64 // σ of the added noise, luma levels
}

// Apply draws template t on img (8-bit BGR, continuous, modified in place) at the face given
// by its 68 landmarks: the head pose is fitted to the landmarks, the template's surface (a
// mask draped from the nose over the cheeks to under the chin, or a frame with lenses and
// temples) is posed with it in 3-D, moved locally by the landmarks' residuals, and drawn with
// the parts that face away or lie behind the nose hidden (see doc.go); on a face turned by
// MinSilhouetteYaw or more a mask is cut at the face's far outline (clipToSilhouette). With
// the same inputs and an rng in the same state it writes the same bytes. rng may be nil:
// jitter and noise are then skipped. Errors: a bad image, a non-finite landmark, or landmarks from which no pose can be
// fitted (face3d.ErrDegenerate: coincident or collinear points).
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
	for i, p := range face {
		if math.IsNaN(p.X+p.Y) || math.IsInf(p.X+p.Y, 0) {
			return res, fmt.Errorf("apply %s: landmark %d is (%g, %g)", t.Name, i, p.X, p.Y)
		}
	}
	res.Template = t
	pm, occ, err := t.pose(&face)
	if err != nil {
		return res, fmt.Errorf("apply %s: %w", t.Name, err)
	}
	res.Pose, res.Placement = pm.pose, pm.placement
	res.Mask = NewMask(w, h)
	res.Gain = 1

	scale := pm.scale()
	st := measureFace(pix, w, h, &face)
	sigma := blurSigma(opts, st, scale)
	// draw only what the overlay, its anti-aliased edge and its blur can reach
	roi, ok := pm.imageBounds(w, h, int(math.Ceil(3*sigma))+2)
	if !ok {
		return res, nil // the overlay falls outside the image, or faces away entirely
	}
	ov, err := renderMesh(t, pm, occ, roi)
	if err != nil {
		return res, fmt.Errorf("apply %s: %w", t.Name, err)
	}
	defer ov.Close()
	if res.Blur, err = blurOverlay(&ov, sigma, opts.Feather); err != nil {
		return res, fmt.Errorf("apply %s: overlay blur: %w", t.Name, err)
	}
	// read the data after the in-place blur (same buffer, but do not rely on it)
	ovPix, err := ov.DataPtrUint8()
	if err != nil {
		return res, fmt.Errorf("apply %s: overlay data: %w", t.Name, err)
	}
	if t.Kind == KindMask {
		drop := 0.0
		if opts.FarEyeMargin {
			drop = farEyeDrop(pm.pose.Yaw)
		}
		keepOutEyes(ovPix, roi, &face, drop)
		if math.Abs(pm.pose.Yaw) >= MinSilhouetteYaw {
			res.SilhouetteCut = clipToSilhouette(ovPix, roi, img, &face)
		}
	}
	shade := shading{gain: 1}
	if opts.MatchBrightness && st.mean > 0 {
		shade = newShading(st, pix, w, h, &face, roi)
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

// pose fits the head pose to the landmarks and poses t's mesh on the face, with the nose
// occluder when t needs one.
func (t *Template) pose(face *face68.Shape) (pm, occ *posedMesh, err error) {
	fit, err := face3d.FitPose(face)
	if err != nil {
		return nil, nil, fmt.Errorf("head pose: %w", err)
	}
	m, err := t.mesh(fit.Pose.Scale)
	if err != nil {
		return nil, nil, err
	}
	pm = poseMesh(m, face, fit)
	if m.occluder {
		occ = poseMesh(noseOccluder(), face, fit)
	}
	return pm, occ, nil
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

// imageBounds is the image rectangle that the drawn triangles (facing the camera, over
// visible template pixels) cover, grown by margin and clipped to the image.
func (pm *posedMesh) imageBounds(w, h, margin int) (image.Rectangle, bool) {
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for i, tr := range pm.mesh.tris {
		if !pm.mesh.opaque[i] || pm.area[i] <= 0 {
			continue
		}
		for _, v := range tr {
			q := pm.img[v]
			minX, maxX = math.Min(minX, q.X), math.Max(maxX, q.X)
			minY, maxY = math.Min(minY, q.Y), math.Max(maxY, q.Y)
		}
	}
	if minX > maxX {
		return image.Rectangle{}, false
	}
	r := image.Rect(int(math.Floor(minX))-margin, int(math.Floor(minY))-margin,
		int(math.Ceil(maxX))+margin+1, int(math.Ceil(maxY))+margin+1)
	r = r.Intersect(image.Rect(0, 0, w, h))
	return r, !r.Empty()
}

// scale is the template-to-image magnification of the overlay as drawn: the square root of
// the image area over the template area of the triangles facing the camera. (Per triangle it
// varies with foreshortening; the overlay's outline, whose sharpness this is for, has about
// the typical value.)
func (pm *posedMesh) scale() float64 {
	var img, tpl float64
	for i := range pm.mesh.tris {
		if a := pm.area[i]; a > 0 {
			img += a
			tpl += pm.mesh.uvArea[i]
		}
	}
	if tpl == 0 {
		return 0
	}
	return math.Sqrt(img / tpl)
}
