package warp

// Options control placement and the realism steps of Apply.
type Options struct {
	// Feather is the minimum Gaussian σ, in image pixels, applied to the
	// warped overlay (colour and alpha together) so its outline is
	// anti-aliased and a little soft, as a real edge in a photo is.
	Feather float64
	// MatchBrightness scales the overlay's colour by the face's mean luma
	// (inside the face polygon) relative to skinReferenceLuma, with a
	// left-right gradient that follows the face's own shading.
	MatchBrightness bool
	// BrightnessJitter is a random relative change of that gain, drawn
	// from rng (e.g. 0.05 for ±5%).
	BrightnessJitter float64
	// MatchSharpness blurs the overlay until its edge width matches the
	// face's (see edgeWidth), so a crisp overlay does not stand out on a
	// soft, upscaled crop.
	MatchSharpness bool
	// Noise adds luma noise of the face's estimated σ to the overlay,
	// drawn from rng.
	Noise bool
	// FarEyeMargin keeps a mask further off the far eye of a face turned by more than 20
	// deg, by up to 0.6 of the near eye's width (farEyeDrop), for landmarks that put that eye
	// too high: MediaPipe's FaceMesh does on real turned faces (keepout.go has the
	// measurement). Off for landmarks taken as exact (annotation files).
	FarEyeMargin bool
}

// DefaultOptions are the settings used for dataset synthesis.
func DefaultOptions() Options {
	return Options{
		Feather:          0.6,
		MatchBrightness:  true,
		BrightnessJitter: 0.05,
		MatchSharpness:   true,
		Noise:            true,
	}
}
