package occlusion

import (
	"context"
	"image"
	"math"
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/landmarks"
)

// TestTurnedFacesRestarted: in photographs, a face whose first landmarks fit a head turned by
// landmarks.RestartYaw or more gets the landmarks of the predictor's second, pose-started run
// and the manifest says so (start "pose"); a frontal face keeps its first landmarks and no
// start. The same images declared aligned crops are never predicted twice. The faces are the
// astronaut and a perspective re-shot of it turned away from the camera, and their mirrors.
func TestTurnedFacesRestarted(t *testing.T) {
	in := t.TempDir()
	src := loadAstronaut(t)
	defer src.Close()
	imgs := map[string]gocv.Mat{}
	for _, mirror := range []bool{false, true} {
		turned := turnedAstronaut(t, src, mirror)
		front := src.Clone()
		name := ""
		if mirror {
			gocv.Flip(front, &front, 1)
			name = "_mirror"
		}
		imgs["turned"+name+".png"], imgs["front"+name+".png"] = turned, front
	}
	for name, img := range imgs {
		writeImage(t, filepath.Join(in, name), img)
		defer img.Close()
	}
	run := func(aligned bool) []Record {
		out := filepath.Join(t.TempDir(), "out")
		cfg := baseConfig(in, out, KindMask)
		cfg.Landmarker = LandmarkerDlib // the pose restart is the shape predictor's
		cfg.Aligned = aligned
		if _, err := Run(context.Background(), cfg); err != nil {
			t.Fatal(err)
		}
		return readManifest(t, filepath.Join(out, ManifestFile))
	}
	restarts := 0
	for _, r := range run(false) {
		if len(r.Faces) == 0 {
			t.Fatalf("%s: no face (%s)", r.In, r.Status)
		}
		f := r.Faces[0]
		box := image.Rect(f.Box[0], f.Box[1], f.Box[2], f.Box[3])
		if img := imgs[r.In]; !box.In(image.Rect(1, 1, img.Cols()-1, img.Rows()-1)) {
			// the manifest's box is clipped to the image: only a box inside it is the predictor's
			t.Fatalf("%s: box %v touches the border, the predictor's box is unknown", r.In, f.Box)
		}
		shapes, restarted, errs := sharedPredictor.PredictBatchPosed([]landmarks.FaceBox{{Img: imgs[r.In], Box: box}})
		if errs[0] != nil {
			t.Fatal(errs[0])
		}
		if want := map[bool]string{true: startPose}[restarted[0]]; f.Start != want {
			t.Errorf("%s: start %q, want %q (yaw %.1f)", r.In, f.Start, want, f.Pose.Yaw)
		}
		if restarted[0] {
			restarts++
			for i, p := range shapes[0] {
				if math.Abs(p.X-f.Landmarks[i][0]) > 0.006 || math.Abs(p.Y-f.Landmarks[i][1]) > 0.006 {
					t.Fatalf("%s: landmark %d (%.2f, %.2f), the restarted prediction is (%.3f, %.3f)", r.In, i, f.Landmarks[i][0], f.Landmarks[i][1], p.X, p.Y)
				}
			}
		}
		if r.In[:5] == "front" && f.Start != "" {
			t.Errorf("%s: the frontal astronaut was predicted again", r.In)
		}
	}
	if restarts == 0 {
		t.Errorf("no turned face was predicted again")
	}
	t.Logf("%d of %d photographs predicted again", restarts, len(imgs))
	for _, r := range run(true) {
		for _, f := range r.Faces {
			if f.Start != "" {
				t.Errorf("%s as an aligned crop: start %q, want none", r.In, f.Start)
			}
		}
	}
}
