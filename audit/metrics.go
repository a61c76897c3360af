package audit

import (
	"fmt"
	"math"

	"github.com/occfer/occfer/landmarks"
)

// Metrics score one face of an occlusion mask against its 68 landmarks (iBUG-300W order).
// Every value is a fraction in [0, 1].
type Metrics struct {
	// Mouth is the share of the outer-lip polygon's area (points 48-59) that is occluded.
	Mouth float64 `json:"mouth"`
	// Nose is the share of the nose points 30-35 (tip and the five nostril points) whose
	// nearest pixel is occluded; a point outside the image is not covered.
	Nose float64 `json:"nose"`
	// Eyes is the share of the two eye polygons' area (36-41 and 42-47, as annotated, not
	// dilated) that is occluded.
	Eyes float64 `json:"eyes"`
	// Spill is the share of the occluder (every occluded pixel of the image) that lies outside
	// the face: outside FaceRegion of every face of the image. 0 when nothing is occluded.
	Spill float64 `json:"spill"`
}

// Measure scores each face of faces against mask m. Mouth, nose and eyes are per face;
// spill is per image (the mask does not say which face an occluded pixel was drawn for), so
// every face of the image gets the same value. Areas are exact polygon areas per pixel
// (rasterize), so small regions such as the eyes of a 100x100 crop are not rounded to whole
// pixels; the parts of a region outside the image count as visible.
func Measure(m *Mask, faces []landmarks.Shape) []Metrics {
	out := make([]Metrics, len(faces))
	for i := range faces {
		s := &faces[i]
		out[i].Mouth = ratio(rasterize(s[landmarks.OuterLipFirst : landmarks.OuterLipLast+1]).covered(m))
		eh, et := rasterize(s[landmarks.RightEyeFirst : landmarks.RightEyeLast+1]).covered(m)
		lh, lt := rasterize(s[landmarks.LeftEyeFirst : landmarks.LeftEyeLast+1]).covered(m)
		out[i].Eyes = ratio(eh+lh, et+lt)
		hit := 0
		for _, p := range s[NoseFirst : NoseLast+1] {
			if m.Occluded(int(math.Floor(p.X+0.5)), int(math.Floor(p.Y+0.5))) {
				hit++
			}
		}
		out[i].Nose = float64(hit) / float64(NoseLast-NoseFirst+1)
	}
	spill := Spill(m, faces)
	for i := range out {
		out[i].Spill = spill
	}
	return out
}

// Nose points scored by Metrics.Nose: the tip (30) and the nostril base (31-35).
const NoseFirst, NoseLast = 30, 35

// Spill is the share of m's occluded pixels outside the union of the faces' FaceRegion
// (each occluded pixel counts by the part of its area outside every region). It is 0 when m
// has no occluded pixel, and 1 when there is no face.
func Spill(m *Mask, faces []landmarks.Shape) float64 {
	regions := make([]weights, len(faces))
	for i := range faces {
		regions[i] = rasterize(FaceRegion(&faces[i]))
	}
	occ, inside := 0, 0
	for y := 0; y < m.H; y++ {
		for x := 0; x < m.W; x++ {
			if m.Pix[y*m.W+x] < 128 {
				continue
			}
			occ++
			best := uint8(0)
			for _, r := range regions {
				best = max(best, r.at(x, y))
			}
			inside += int(best)
		}
	}
	if occ == 0 {
		return 0
	}
	return float64(255*occ-inside) / float64(255*occ)
}

func ratio(hit, total int) float64 {
	if total == 0 {
		return 0
	}
	return float64(hit) / float64(total)
}

// Rule is one pass condition on a metric: Value >= Min when AtLeast, else Value <= Max.
type Rule struct {
	Metric  string  // mouth, nose, eyes or spill
	AtLeast bool    // a lower bound (true) or an upper bound (false)
	Bound   float64 // the threshold, a fraction
}

func (r Rule) String() string {
	op := "<="
	if r.AtLeast {
		op = ">="
	}
	return fmt.Sprintf("%s %s %g%%", r.Metric, op, r.Bound*100)
}

// holds reports whether v satisfies the rule.
func (r Rule) holds(v float64) bool {
	if r.AtLeast {
		return v >= r.Bound
	}
	return v <= r.Bound
}

// excess is how far v is on the wrong side of the bound (0 when the rule holds); it ranks the
// worst cases.
func (r Rule) excess(v float64) float64 {
	if r.AtLeast {
		return math.Max(0, r.Bound-v)
	}
	return math.Max(0, v-r.Bound)
}

// RulesFor returns the pass rules of an occlusion kind, exactly as issue 8 ("Done when")
// states them: a mask covers at least 80% of the outer lip polygon and of the nose points
// 30-35, at most 5% of the eyes, and at most 20% of it lies outside the face; sunglasses
// cover at least 60% of the eyes, at most 5% of the mouth, at most 25% outside the face.
// Other kinds (random) have no rules: they are measured, not judged (nil).
func RulesFor(kind string) []Rule {
	switch kind {
	case "mask":
		return []Rule{{"mouth", true, 0.80}, {"nose", true, 0.80}, {"eyes", false, 0.05}, {"spill", false, 0.20}}
	case "sunglasses":
		return []Rule{{"eyes", true, 0.60}, {"mouth", false, 0.05}, {"spill", false, 0.25}}
	}
	return nil
}

// value is the metric a rule names.
func (m Metrics) value(metric string) float64 {
	switch metric {
	case "mouth":
		return m.Mouth
	case "nose":
		return m.Nose
	case "eyes":
		return m.Eyes
	case "spill":
		return m.Spill
	}
	return math.NaN()
}

// Judge applies rules to m: the rules that fail (by String) and the summed excess over their
// bounds, which ranks failures from worst. When every rule holds, excess is minus the
// smallest slack (how close the face came to failing), so passing faces rank after failing
// ones, closest calls first.
func Judge(m Metrics, rules []Rule) (failed []string, excess float64) {
	slack := math.Inf(1)
	for _, r := range rules {
		v := m.value(r.Metric)
		if !r.holds(v) {
			failed = append(failed, r.String())
			excess += r.excess(v)
		} else {
			slack = math.Min(slack, math.Abs(v-r.Bound))
		}
	}
	if len(failed) == 0 && len(rules) > 0 {
		return nil, -slack
	}
	return failed, excess
}
