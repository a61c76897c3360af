package warp

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/landmarks/face68"
	"github.com/occfer/occfer/synth"
)

// placementScore is what an occlusion audit measures for one placed overlay, against the
// landmarks it was placed with (issue 8's pass criteria).
type placementScore struct {
	mouth   float64 // covered fraction of the outer-lip polygon (48-59)
	nose    float64 // covered fraction of nose points 30-35
	eyes    float64 // covered fraction of the eye regions (EyePolygons)
	outside float64 // fraction of the overlay outside the landmarks' hull grown 10% about its centre
}

func scorePlacement(m Mask, s face68.Shape) placementScore {
	var sc placementScore
	_, sc.eyes, sc.mouth = Coverage(m, s)
	for i := 30; i <= 35; i++ {
		if m.At(int(math.Round(s[i].X)), int(math.Round(s[i].Y))) {
			sc.nose += 1.0 / 6
		}
	}
	hull := face68.ConvexHull(s[:])
	c := face68.Centroid(hull)
	for i, p := range hull {
		hull[i] = face68.Point{X: c.X + 1.1*(p.X-c.X), Y: c.Y + 1.1*(p.Y-c.Y)}
	}
	in, out := 0, 0
	scanPolygon(hull, m.W, m.H, func(y, x0, x1 int) {
		for x := x0; x < x1; x++ {
			if m.Pix[y*m.W+x] >= 128 {
				in++
			}
		}
	})
	out = m.Count() - in
	if n := m.Count(); n > 0 {
		sc.outside = float64(out) / float64(n)
	}
	return sc
}

// checkScore applies issue 8's pass criteria: a mask covers ≥ 80% of the mouth and of nose
// points 30-35, ≤ 5% of the eyes, and lies ≤ 20% outside the face; sunglasses cover ≥ 60% of
// the eyes, ≤ 5% of the mouth and lie ≤ 25% outside.
func checkScore(kind string, sc placementScore) error {
	switch kind {
	case KindMask:
		if sc.mouth < 0.8 || sc.nose < 0.8 || sc.eyes > 0.05 || sc.outside > 0.2 {
			return fmt.Errorf("mouth %.2f (want ≥ 0.8), nose %.2f (≥ 0.8), eyes %.2f (≤ 0.05), outside %.2f (≤ 0.2)", sc.mouth, sc.nose, sc.eyes, sc.outside)
		}
	case KindSunglasses:
		if sc.eyes < 0.6 || sc.mouth > 0.05 || sc.outside > 0.25 {
			return fmt.Errorf("eyes %.2f (want ≥ 0.6), mouth %.2f (≤ 0.05), outside %.2f (≤ 0.25)", sc.eyes, sc.mouth, sc.outside)
		}
	}
	return nil
}

// posedFace draws a synth face at a view as a BGR Mat with its landmarks in the given jaw
// convention.
func posedFace(tb testing.TB, seed uint64, class, size int, v synth.View, hidden bool) (gocv.Mat, face68.Shape) {
	tb.Helper()
	img, pl, err := synth.PosedFace(seed, "Image/aligned/train_00001_aligned.jpg", class, size, v)
	if err != nil {
		tb.Fatal(err)
	}
	m, err := gocv.ImageToMatRGB(img)
	if err != nil {
		tb.Fatal(err)
	}
	lm := pl.Visible
	if hidden {
		lm = pl.Hidden
	}
	var s face68.Shape
	for i, p := range lm {
		s[i] = face68.Point{X: p.X, Y: p.Y}
	}
	return m, s
}

// geometryViews: 0, 30, 45 and 60° of yaw either way, some with pitch.
var geometryViews = []synth.View{
	{Yaw: 0}, {Yaw: 30}, {Yaw: -30, Pitch: 10}, {Yaw: 45}, {Yaw: -45, Pitch: -15},
	{Yaw: 60}, {Yaw: -60, Pitch: 10}, {Yaw: 60, Pitch: -10}, {Pitch: 20},
}

// TestPlacementGeometry: on synth faces drawn at known views (0-60° of yaw, some pitch),
// with landmarks in either jaw convention (visible contour as 300-W and dlib, hidden contour
// as AFLW2000-3D), every template meets issue 8's pass criteria against those landmarks
// (checkScore), is placed with the landmark refinement, and the fitted pose is within 12° of
// the drawn yaw and 15° of the drawn pitch (synth faces' own proportions on the reference
// depths bias a rigid fit; face3d's tests hold the fit to 3° on the reference face).
func TestPlacementGeometry(t *testing.T) {
	ts := assetTemplates(t)
	for vi, v := range geometryViews {
		for _, hidden := range []bool{false, true} {
			conv := map[bool]string{false: "visible", true: "hidden"}[hidden]
			t.Run(fmt.Sprintf("yaw%+.0f_pitch%+.0f_%s", v.Yaw, v.Pitch, conv), func(t *testing.T) {
				for k := 0; k < 3; k++ {
					seed := uint64(100*vi + k)
					for ti, tpl := range ts {
						if (ti+k)%2 != 0 { // half the templates per face, all over the faces
							continue
						}
						img, face := posedFace(t, seed, k, 200, v, hidden)
						res, err := Apply(img, face, tpl, DefaultOptions(), rand.New(rand.NewPCG(seed, 1)))
						img.Close()
						if err != nil {
							t.Fatalf("seed %d %s: %v", seed, tpl.Name, err)
						}
						if err := checkScore(tpl.Kind, scorePlacement(res.Mask, face)); err != nil {
							t.Errorf("seed %d %s: %v", seed, tpl.Name, err)
						}
						if res.Placement != PlacementRefined {
							t.Errorf("seed %d %s: placement %s, want %s", seed, tpl.Name, res.Placement, PlacementRefined)
						}
						if math.Abs(res.Pose.Yaw-v.Yaw) > 12 || math.Abs(res.Pose.Pitch-v.Pitch) > 15 {
							t.Errorf("seed %d: fitted %v, drawn at yaw %.0f pitch %.0f", seed, res.Pose, v.Yaw, v.Pitch)
						}
					}
				}
			})
		}
	}
}

// TestPlacementConventionsAgree: the jaw convention of the landmarks hardly moves a mask: on
// the same turned face, masks placed with visible-contour and with hidden-contour landmarks
// overlap by ≥ 90% (intersection over union).
func TestPlacementConventionsAgree(t *testing.T) {
	tpl := templateByName(t, "mask_surgical_blue")
	for _, v := range []synth.View{{Yaw: 30}, {Yaw: -45}, {Yaw: 60, Pitch: 10}} {
		t.Run(fmt.Sprintf("yaw%+.0f", v.Yaw), func(t *testing.T) {
			var masks [2]Mask
			for i, hidden := range []bool{false, true} {
				img, face := posedFace(t, 3, 2, 200, v, hidden)
				res, err := Apply(img, face, tpl, Options{Feather: 0.6}, nil)
				img.Close()
				if err != nil {
					t.Fatal(err)
				}
				masks[i] = res.Mask
			}
			inter, union := 0, 0
			for i := range masks[0].Pix {
				a, b := masks[0].Pix[i] >= 128, masks[1].Pix[i] >= 128
				if a && b {
					inter++
				}
				if a || b {
					union++
				}
			}
			if iou := float64(inter) / float64(union); iou < 0.9 {
				t.Errorf("masks from the two conventions overlap by %.3f (IoU), want ≥ 0.9", iou)
			}
		})
	}
}

// TestAnchorsLandNearFacePoints: on the frontal fixture's views the posed template puts each
// anchor's template pixel near its face point: within 8% of the eye distance (the surface is
// fitted to the reference face and moved by the landmarks' residuals, so anchors land close
// to, not exactly on, their points).
func TestAnchorsLandNearFacePoints(t *testing.T) {
	src := astronaut(t)
	defer src.Close()
	lm := astronautLandmarks(t)
	for _, tpl := range assetTemplates(t) {
		for _, c := range placementCases {
			img, face := c.render(t, src, lm)
			img.Close()
			pm, _, err := tpl.pose(&face)
			if err != nil {
				t.Fatalf("%s/%s: %v", tpl.Name, c.name, err)
			}
			for _, a := range tpl.Anchors {
				p, ok := pm.mapUV(a.At)
				q := a.Face.At(&face)
				if d := math.Hypot(p.X-q.X, p.Y-q.Y); !ok || d > 0.08*face.InterOcular() {
					t.Errorf("%s/%s: anchor %s lands %.3g px from %s (found %v), limit %.3g", tpl.Name, c.name, a.Name, d, a.Face.Expr, ok, 0.08*face.InterOcular())
				}
			}
		}
	}
}

// TestSunglassesFollowRoll: the fitted roll follows the eye line of each view of the fixture
// (±2°), and the frame's scale (lens-centre distance) follows the eye distance (±3%).
func TestSunglassesFollowRoll(t *testing.T) {
	src := astronaut(t)
	defer src.Close()
	lm := astronautLandmarks(t)
	tpl := templateByName(t, "sunglasses_round_brown")
	var base float64
	for i, c := range placementCases {
		img, face := c.render(t, src, lm)
		img.Close()
		pm, _, err := tpl.pose(&face)
		if err != nil {
			t.Fatal(err)
		}
		if d := math.Abs(pm.pose.Roll - face.Roll()); d > 2 {
			t.Errorf("%s: roll %.2f°, eye line %.2f°", c.name, pm.pose.Roll, face.Roll())
		}
		var lens [2]face68.Point
		for k, name := range []string{"eye_left", "eye_right"} {
			for _, a := range tpl.Anchors {
				if a.Name == name {
					lens[k], _ = pm.mapUV(a.At)
				}
			}
		}
		ratio := math.Hypot(lens[1].X-lens[0].X, lens[1].Y-lens[0].Y) / face.InterOcular()
		if i == 0 {
			base = ratio
		} else if math.Abs(ratio/base-1) > 0.03 {
			t.Errorf("%s: lens distance / eye distance %.4f, base view %.4f", c.name, ratio, base)
		}
	}
}

// TestJawOutsideTheFace: jaw landmarks drawn outside the face (a predictor's contour on the
// hair or the background, common on turned faces) do not pull a mask over the background: the
// mask is no larger than with no jaw landmarks at all and stays within the face; a jaw inside
// the reference face pulls the mask's edge in. The jaw points (0-16) of synth faces are moved
// 25% out from, or 15% in toward, the face's centre.
func TestJawOutsideTheFace(t *testing.T) {
	tpl := templateByName(t, "mask_surgical_blue")
	for _, v := range []synth.View{{Yaw: 0}, {Yaw: 30}, {Yaw: -50}} {
		t.Run(fmt.Sprintf("yaw%+.0f", v.Yaw), func(t *testing.T) {
			img, face := posedFace(t, 11, 3, 200, v, false)
			defer img.Close()
			c := face68.Centroid(face[17:])
			draw := func(k float64) (int, placementScore) {
				moved := face
				for j := 0; j <= 16; j++ {
					moved[j] = face68.Point{X: c.X + k*(face[j].X-c.X), Y: c.Y + k*(face[j].Y-c.Y)}
				}
				w := img.Clone()
				defer w.Close()
				res, err := Apply(w, moved, tpl, Options{Feather: 0.6}, nil)
				if err != nil {
					t.Fatal(err)
				}
				return res.Mask.Count(), scorePlacement(res.Mask, face)
			}
			none, _ := draw(4) // jaw points this far out match no face: as if there were none
			out, sc := draw(1.25)
			in, _ := draw(0.85)
			if float64(out) > 1.15*float64(none) || sc.outside > 0.2 {
				t.Errorf("jaw 25%% outside: mask of %d px (%d without jaw landmarks), %.2f outside the face; want ≤ 15%% larger, ≤ 0.2 outside", out, none, sc.outside)
			}
			if float64(in) > 0.97*float64(none) {
				t.Errorf("jaw 15%% inside: mask of %d px, %d without jaw landmarks; want it smaller by ≥ 3%%", in, none)
			}
		})
	}
}
