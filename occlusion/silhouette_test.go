package occlusion

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/landmarks/face68"
	"github.com/occfer/occfer/warp"
)

// TestSilhouetteCutRecorded: masks on faces turned by warp.MinSilhouetteYaw or more are
// clipped at the face's far outline and the manifest records the share cut off
// (faces[].silhouette_cut); frontal faces are never clipped. The share must be warp.Apply's
// for the same image, landmarks and template, to 0.02 (the manifest's landmarks are rounded to
// 0.01 px). Faces: the astronaut, and a perspective re-shot of it turned away from the camera
// whose mask reaches past the cheek onto the backdrop.
func TestSilhouetteCutRecorded(t *testing.T) {
	in := t.TempDir()
	src := loadAstronaut(t)
	defer src.Close()
	imgs := map[string]gocv.Mat{"front.png": src.Clone()}
	for _, mirror := range []bool{false, true} {
		name := map[bool]string{false: "turned.png", true: "turned_mirror.png"}[mirror]
		imgs[name] = turnedAstronaut(t, src, mirror)
	}
	for name, img := range imgs {
		writeImage(t, filepath.Join(in, name), img)
		defer img.Close()
	}
	out := filepath.Join(t.TempDir(), "out")
	cfg := baseConfig(in, out, KindMask)
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	templates, err := loadTemplates(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cut := 0
	for _, r := range readManifest(t, filepath.Join(out, ManifestFile)) {
		if len(r.Faces) == 0 {
			t.Fatalf("%s: no face (%s)", r.In, r.Status)
		}
		f := r.Faces[0]
		var tpl *warp.Template
		for _, c := range templates {
			if c.Name == f.Template.Name {
				tpl = c
			}
		}
		if tpl == nil {
			t.Fatalf("%s: template %q not loaded", r.In, f.Template.Name)
		}
		var s face68.Shape
		for i, p := range f.Landmarks {
			s[i] = face68.Point{X: p[0], Y: p[1]}
		}
		orig := imgs[r.In]
		img := orig.Clone()
		res, err := warp.Apply(img, s, tpl, warp.DefaultOptions(), nil)
		img.Close()
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(f.SilhouetteCut-res.SilhouetteCut) > 0.02 {
			t.Errorf("%s: manifest's silhouette_cut %.4f, warp.Apply's %.4f", r.In, f.SilhouetteCut, res.SilhouetteCut)
		}
		if math.Abs(f.Pose.Yaw) < warp.MinSilhouetteYaw && f.SilhouetteCut != 0 {
			t.Errorf("%s: yaw %.1f, silhouette_cut %.4f; want none below %g deg", r.In, f.Pose.Yaw, f.SilhouetteCut, warp.MinSilhouetteYaw)
		}
		if f.SilhouetteCut > 0 {
			cut++
		}
		t.Logf("%s: yaw %.1f, silhouette_cut %.4f", r.In, f.Pose.Yaw, f.SilhouetteCut)
	}
	if cut == 0 {
		t.Errorf("no turned face's mask was clipped")
	}
}
