package warp

import (
	"image"

	"gocv.io/x/gocv"
)

// blurOverlay blurs the warped premultiplied BGRA overlay for sharpness matching and returns
// the σ applied to its outline (0: none). Matching the face's softness is about the outline,
// where a crisp overlay on a soft photo stands out; blurring the whole overlay by the same σ
// also erased its thin inner structures on small crops (a sunglasses frame about 1 px wide on
// a 100x100 aligned face became a tinted blob). So the outline (alpha) gets σ, the inner
// colour only inner (the feather) when σ is larger: each pixel keeps the colour of the lightly
// blurred overlay at the alpha of the fully blurred one. Beyond the overlay's own pixels (the
// blurred rim) the fully blurred colour is used.
func blurOverlay(ov *gocv.Mat, sigma, inner float64) (float64, error) {
	if sigma <= 0.05 {
		return 0, nil
	}
	inner = min(max(inner, 0), sigma)
	if sigma-inner < 0.1 {
		gocv.GaussianBlur(*ov, ov, image.Point{}, sigma, sigma, gocv.BorderReplicate)
		return sigma, nil
	}
	fine := ov.Clone()
	defer fine.Close()
	if inner > 0.05 {
		gocv.GaussianBlur(fine, &fine, image.Point{}, inner, inner, gocv.BorderReplicate)
	}
	gocv.GaussianBlur(*ov, ov, image.Point{}, sigma, sigma, gocv.BorderReplicate)
	o, err := ov.DataPtrUint8()
	if err != nil {
		return 0, err
	}
	f, err := fine.DataPtrUint8()
	if err != nil {
		return 0, err
	}
	for i := 0; i+3 < len(o); i += 4 {
		af := uint32(f[i+3])
		if af == 0 {
			continue
		}
		ao := uint32(o[i+3])
		for c := 0; c < 3; c++ { // P = P_fine · A_outline / A_fine, ≤ A_outline
			o[i+c] = uint8(min((uint32(f[i+c])*ao+af/2)/af, ao))
		}
	}
	return sigma, nil
}
