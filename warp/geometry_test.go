package warp

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/occfer/occfer/landmarks/face68"
)

// coveredLandmarks lists which of idx fall on covered mask pixels.
func coveredLandmarks(m Mask, s face68.Shape, idx []int) (in, out []int) {
	for _, i := range idx {
		if m.At(int(math.Round(s[i].X)), int(math.Round(s[i].Y))) {
			in = append(in, i)
		} else {
			out = append(out, i)
		}
	}
	return in, out
}

func indexRange(a, b int) []int {
	var r []int
	for i := a; i <= b; i++ {
		r = append(r, i)
	}
	return r
}

// turnedShape moves landmarks as if the head turned by deg about a vertical
// axis (a cylinder through the jaw ends): positive turns the nose toward
// image right. The fixture is frontal, so this is how side variants get a
// face they are meant for.
func turnedShape(s face68.Shape, deg float64) face68.Shape {
	cx := (s[0].X + s[16].X) / 2
	r := 0.55 * math.Abs(s[16].X-s[0].X)
	th := deg * math.Pi / 180
	for i, p := range s {
		u := math.Max(-1, math.Min(1, (p.X-cx)/r))
		s[i].X = cx + r*math.Sin(math.Asin(u)+th)
	}
	return s
}

// variantYaw is the head turn each variant is drawn for (see assetgen).
var variantYaw = map[string]float64{VariantFrontal: 0, VariantLeft: -28, VariantRight: 28}

// TestPlacementGeometry: on every view of the fixture (landmarks turned to
// suit side variants), every mask covers the mouth (48-67) and the nose tip
// (30) and leaves every eye landmark (36-47) uncovered; every pair of
// sunglasses covers all eye landmarks and no mouth landmark.
func TestPlacementGeometry(t *testing.T) {
	src := astronaut(t)
	defer src.Close()
	lm := astronautLandmarks(t)
	eyes, mouth := indexRange(36, 47), indexRange(48, 67)
	for _, tpl := range assetTemplates(t) {
		for _, c := range placementCases {
			yaw := variantYaw[tpl.Variant]
			if c.mirror {
				yaw = -yaw // the flip turns the head the other way
			}
			img, face := c.render(t, src, turnedShape(lm, yaw))
			opts := DefaultOptions()
			opts.YawAware = false
			res, err := Apply(img, face, tpl, opts, rand.New(rand.NewPCG(1, 2)))
			img.Close()
			if err != nil {
				t.Fatalf("%s/%s: %v", tpl.Name, c.name, err)
			}
			switch tpl.Kind {
			case KindMask:
				if _, miss := coveredLandmarks(res.Mask, face, append(mouth, 30)); len(miss) > 0 {
					t.Errorf("%s/%s: mask leaves landmarks %v uncovered, want mouth 48-67 and nose tip 30 covered", tpl.Name, c.name, miss)
				}
				if hit, _ := coveredLandmarks(res.Mask, face, eyes); len(hit) > 0 {
					t.Errorf("%s/%s: mask covers eye landmarks %v", tpl.Name, c.name, hit)
				}
			case KindSunglasses:
				if _, miss := coveredLandmarks(res.Mask, face, eyes); len(miss) > 0 {
					t.Errorf("%s/%s: sunglasses leave eye landmarks %v uncovered", tpl.Name, c.name, miss)
				}
				if hit, _ := coveredLandmarks(res.Mask, face, mouth); len(hit) > 0 {
					t.Errorf("%s/%s: sunglasses cover mouth landmarks %v", tpl.Name, c.name, hit)
				}
			}
		}
	}
}

// TestAnchorsLandOnFacePoints checks the fitted transforms themselves on
// faces turned to suit each variant: mask seam anchors (nose bridge, chin)
// land within 0.01 px, the cheek and jaw anchors (which absorb the seam
// agreement, see placePiecewise) within 4% of the eye distance; sunglasses
// (3-anchor least-squares similarity) within 6%.
func TestAnchorsLandOnFacePoints(t *testing.T) {
	src := astronaut(t)
	defer src.Close()
	lm := astronautLandmarks(t)
	for _, tpl := range assetTemplates(t) {
		for _, c := range placementCases {
			yaw := variantYaw[tpl.Variant]
			if c.mirror {
				yaw = -yaw
			}
			img, face := c.render(t, src, turnedShape(lm, yaw))
			img.Close()
			pl, err := tpl.placeOn(&face)
			if err != nil {
				t.Fatalf("%s/%s: %v", tpl.Name, c.name, err)
			}
			for _, a := range tpl.Anchors {
				limit := 0.04 * face.InterOcular()
				switch {
				case tpl.Kind == KindSunglasses:
					limit = 0.06 * face.InterOcular()
				case a.Side == "both":
					limit = 0.01
				}
				p, q := pl.mapAnchor(a), a.Face.At(&face)
				if d := math.Hypot(p.X-q.X, p.Y-q.Y); d > limit {
					t.Errorf("%s/%s: anchor %s lands %.3g px from %s, limit %.3g", tpl.Name, c.name, a.Name, d, a.Face.Expr, limit)
				}
			}
		}
	}
}

// TestSunglassesFollowRoll: the similarity fit's rotation equals the eye-line
// roll of each view (±1°), and its scale is proportional to eye distance.
func TestSunglassesFollowRoll(t *testing.T) {
	src := astronaut(t)
	defer src.Close()
	lm := astronautLandmarks(t)
	tpl := templateByName(t, "sunglasses_round_brown_frontal")
	var base float64
	for i, c := range placementCases {
		img, face := c.render(t, src, lm)
		img.Close()
		pl, err := tpl.placeOn(&face)
		if err != nil {
			t.Fatal(err)
		}
		h := pl.pieces[0].H
		angle := math.Atan2(h[1][0], h[0][0]) * 180 / math.Pi
		if d := math.Abs(angle - face.Roll()); d > 1 {
			t.Errorf("%s: glasses rotated %.2f°, eye line %.2f°", c.name, angle, face.Roll())
		}
		ratio := math.Hypot(h[0][0], h[1][0]) / face.InterOcular()
		if i == 0 {
			base = ratio
		} else if math.Abs(ratio/base-1) > 0.02 {
			t.Errorf("%s: scale/eye-distance %.4f, base view %.4f", c.name, ratio, base)
		}
	}
}
