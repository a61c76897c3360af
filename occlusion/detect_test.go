package occlusion

import (
	"context"
	"image"
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/audit"
)

// astronautAt is testdata/astronaut.png resized to size x size (area averaging), mirrored
// when mirror is set: at these sizes dlib's HOG detector also fires on the round emblem of
// the suit, below and beside the face.
func astronautAt(t *testing.T, size int, mirror bool) gocv.Mat {
	t.Helper()
	src := loadAstronaut(t)
	defer src.Close()
	out := gocv.NewMat()
	gocv.Resize(src, &out, image.Pt(size, size), 0, 0, gocv.InterpolationArea)
	if mirror {
		gocv.Flip(out, &out, 1)
	}
	return out
}

// TestDetectionTrust: on re-sized astronauts where HOG also fires on the suit emblem (scores
// 0.065-0.399; at 232 px mirrored the emblem's box is larger than the face's), only the face
// is masked by default: one face, found by HOG, with its score and a box inside the image;
// with the second-detection bound off both are, and --faces largest still picks the face.
func TestDetectionTrust(t *testing.T) {
	cases := []struct {
		name   string
		size   int
		mirror bool
		face   image.Point // face centre, for telling the face from the emblem
	}{
		{"232 mirrored", 232, true, image.Pt(130, 58)},
		{"256 mirrored", 256, true, image.Pt(144, 63)},
		{"384", 384, false, image.Pt(170, 98)},
	}
	in := t.TempDir()
	for _, c := range cases {
		img := astronautAt(t, c.size, c.mirror)
		writeImage(t, filepath.Join(in, c.name+".png"), img)
		img.Close()
	}
	isFace := func(b [4]int, c image.Point) bool {
		return image.Rect(b[0], b[1], b[2], b[3]).Inset(4).Bounds().Overlaps(image.Rectangle{c, c.Add(image.Pt(1, 1))})
	}
	for _, run := range []struct {
		name      string
		minSecond float64
		faces     MultiFace
		want      int // faces per image
	}{
		{"default", 0, FacesAll, 1},
		{"second bound off", -1, FacesAll, 2},
		{"second bound off, largest", -1, FacesLargest, 1},
	} {
		t.Run(run.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			cfg := baseConfig(in, out, KindMask)
			cfg.Landmarker = LandmarkerDlib // HOG's emblem detections; TestDetectionTrustMediaPipe has BlazeFace's
			cfg.MinSecondScore, cfg.Faces, cfg.WriteMasks = run.minSecond, run.faces, true
			if _, err := Run(context.Background(), cfg); err != nil {
				t.Fatal(err)
			}
			recs := readManifest(t, filepath.Join(out, ManifestFile))
			for i, r := range recs {
				c := cases[i]
				if len(r.Faces) != run.want {
					t.Fatalf("%s: %d faces, want %d: %+v", r.In, len(r.Faces), run.want, r.Faces)
				}
				if run.want == 1 && !isFace(r.Faces[0].Box, c.face) {
					t.Errorf("%s: the face kept is at %v, not the face at %v", r.In, r.Faces[0].Box, c.face)
				}
				for _, f := range r.Faces {
					b := f.Box
					if b[0] < 0 || b[1] < 0 || b[2] > c.size || b[3] > c.size || f.Detector != "hog" || f.Score == nil || *f.Score <= 0 {
						t.Errorf("%s: face box %v, detector %q, score %v; want a HOG face with a score, inside %dx%d", r.In, b, f.Detector, f.Score, c.size, c.size)
					}
				}
			}
		})
	}
}

// TestBoxesClipped: aligned crops where dlib's box reaches above the crop record it clipped.
func TestBoxesClipped(t *testing.T) {
	in := t.TempDir()
	makeRAF(t, in, 6)
	out := filepath.Join(t.TempDir(), "out")
	if _, err := Run(context.Background(), baseConfig(in, out, KindSunglasses)); err != nil {
		t.Fatal(err)
	}
	for _, r := range readManifest(t, filepath.Join(out, ManifestFile)) {
		for _, f := range r.Faces {
			if b := f.Box; b[0] < 0 || b[1] < 0 || b[2] > r.Width || b[3] > r.Height || b[0] >= b[2] || b[1] >= b[3] {
				t.Errorf("%s: box %v not inside %dx%d", r.In, b, r.Width, r.Height)
			}
		}
	}
}

// writeTurnedAstronauts writes turnedAstronaut and its mirror into in as turned.png and
// turned_mirror.png, and returns those names.
func writeTurnedAstronauts(t *testing.T, in string, src gocv.Mat) []string {
	t.Helper()
	var names []string
	for _, mirror := range []bool{false, true} {
		img := turnedAstronaut(t, src, mirror)
		name := "turned.png"
		if mirror {
			name = "turned_mirror.png"
		}
		writeImage(t, filepath.Join(in, name), img)
		img.Close()
		names = append(names, name)
	}
	return names
}

// turnedAstronaut is src (testdata/astronaut.png) re-shot in perspective, the face turned away
// from the camera (centred near (256, 250) of a 512 px image), mirrored when mirror is set:
// the HOG detector misses it upright, the profile cascade finds it.
func turnedAstronaut(t *testing.T, src gocv.Mat, mirror bool) gocv.Mat {
	t.Helper()
	const cx, cy, persp = 223.0, 127.0, 0.0015
	m := [3][3]float64{{1, 0, 256 - cx}, {0, 1, 256 - cy}, {persp, 0, 1 - persp*cx}}
	img := warpFixture(t, src, m, 512)
	if mirror {
		gocv.Flip(img, &img, 1)
	}
	return img
}

// TestProfilePath: a perspective re-shot of the astronaut turned away from the camera, and its
// mirror, defeat the HOG detector; the profile cascade finds them, the predictor runs on its
// box, and the mask covers the mouth (audited against the landmarks occlude found). Without
// the profile detector they are no-face.
func TestProfilePath(t *testing.T) {
	in := t.TempDir()
	src := loadAstronaut(t)
	writeTurnedAstronauts(t, in, src)
	src.Close()
	out := filepath.Join(t.TempDir(), "out")
	cfg := baseConfig(in, out, KindMask)
	cfg.Landmarker = LandmarkerDlib // BlazeFace finds these faces itself (TestDetectionTrustMediaPipe)
	cfg.WriteMasks = true
	sum, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if sum.ByStatus[StatusDetected] != 2 {
		t.Fatalf("statuses %v, want 2 detected", sum.ByStatus)
	}
	for _, r := range readManifest(t, filepath.Join(out, ManifestFile)) {
		f := r.Faces[0]
		if f.Detector != "profile" || f.Score != nil {
			t.Errorf("%s: detector %q score %v, want the profile detector without a score", r.In, f.Detector, f.Score)
		}
		// the eye midpoint the predictor found lies on the face (centred near x 256, or 255 mirrored, y 250)
		ex := (f.Landmarks[36][0] + f.Landmarks[45][0]) / 2
		ey := (f.Landmarks[36][1] + f.Landmarks[45][1]) / 2
		if ex < 225 || ex > 287 || ey < 215 || ey > 265 {
			t.Errorf("%s: eye midpoint (%.0f, %.0f) is off the face", r.In, ex, ey)
		}
	}
	rep, err := audit.Run(context.Background(), audit.Options{Out: out})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Results {
		if f := r.Faces[0]; f.Mouth < 0.8 {
			t.Errorf("%s: the mask covers %.2f of the mouth", r.In, f.Mouth)
		}
	}
	// Without the cascade, the last step finds them: HOG's best detection below its threshold.
	cfg.ProfileCascade, cfg.Out = ProfileNone, filepath.Join(t.TempDir(), "off")
	if sum, err = Run(context.Background(), cfg); err != nil || sum.ByStatus[StatusDetected] != 2 {
		t.Fatalf("without the profile detector: %v, %v; want 2 detected", sum.ByStatus, err)
	}
	for _, r := range readManifest(t, filepath.Join(cfg.Out, ManifestFile)) {
		if f := r.Faces[0]; f.Detector != "hog" || f.Score == nil || *f.Score >= 0 || *f.Score < weakFloor {
			t.Errorf("%s without the profile detector: detector %q score %v, want a weak HOG detection in [%g, 0)", r.In, f.Detector, f.Score, weakFloor)
		}
	}
	// A minimum score above 0 turns weak detections off.
	cfg.MinScore, cfg.Out = 0.01, filepath.Join(t.TempDir(), "strict")
	if sum, err = Run(context.Background(), cfg); err != nil || sum.ByStatus[StatusNoFace] != 2 {
		t.Errorf("without the profile detector, min score 0.01: %v, %v; want 2 no-face", sum.ByStatus, err)
	}
}
