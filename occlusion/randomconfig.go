package occlusion

import (
	"fmt"
	"strings"
)

// Occluder types drawn by the random kind.
const (
	OccSolid = "solid" // flat-coloured block
	OccNoise = "noise" // block of uniform colour noise
	OccPatch = "patch" // block cut from another image of the same dataset
	OccHand  = "hand"  // skin-toned palm with fingers
	OccCup   = "cup"   // mug body with a handle
	OccPhone = "phone" // dark rounded slab with a lit screen
	OccHair  = "hair"  // bundle of dark curved strands
	OccScarf = "scarf" // striped band with wavy edges
)

// AllOccluders is the default set, in the order the RNG indexes it (changing the order
// changes outputs, so new types go at the end).
var AllOccluders = []string{OccSolid, OccNoise, OccPatch, OccHand, OccCup, OccPhone, OccHair, OccScarf}

// RandomConfig is how the random-occlusion kind draws, from Settings.Occluders, Area and
// OccluderTypes. Its JSON form (Go field names) is part of occlude.json.
//
// Defaults: 1..3 occluders per face, each covering 5%..25% of the face box area. A single
// facial region is about that size in a face box (an eye about 4%, the mouth about 8%, the
// nose about 10%), so one occluder hides about one region - the regime of the random-block
// robustness tests in the occluded-FER literature that FFRA-Net's Fig. 8 / Table 3 follow -
// and three together still leave part of the face visible, which keeps the label meaningful.
type RandomConfig struct {
	MinCount, MaxCount int      // occluders per face, inclusive (default 1, 3)
	MinArea, MaxArea   float64  // area as a fraction of the face box (default 0.05, 0.25)
	Types              []string // subset of AllOccluders (default all)
}

func (r RandomConfig) validate() error {
	if r.MinCount < 1 || r.MaxCount < r.MinCount {
		return fmt.Errorf("occluder count %d..%d: want 1 <= min <= max", r.MinCount, r.MaxCount)
	}
	if r.MaxCount > 32 {
		return fmt.Errorf("occluder count %d..%d: at most 32 per face", r.MinCount, r.MaxCount)
	}
	if !(r.MinArea > 0 && r.MinArea <= r.MaxArea && r.MaxArea <= 1) {
		return fmt.Errorf("occluder area %g..%g: want 0 < min <= max <= 1 (fractions of the face box)", r.MinArea, r.MaxArea)
	}
	known := map[string]bool{}
	for _, t := range AllOccluders {
		known[t] = true
	}
	for _, t := range r.Types {
		if !known[t] {
			return fmt.Errorf("unknown occluder type %q (known: %s)", t, strings.Join(AllOccluders, ", "))
		}
	}
	return nil
}
