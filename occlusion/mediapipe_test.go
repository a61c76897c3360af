package occlusion

import (
	"context"
	"image"
	"math"
	"path/filepath"
	"testing"

	"github.com/occfer/occfer/audit"
	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/face3d"
	"github.com/occfer/occfer/landmarks"
	"github.com/occfer/occfer/landmarks/face68"
)

// TestDetectionTrustMediaPipe is TestDetectionTrust and TestProfilePath with the default
// landmarker: on the re-sized astronauts (where HOG also fires on the suit emblem) and on the
// perspective re-shots turned away from the camera (which defeat HOG), BlazeFace finds the
// face and only the face, with a probability score and a box inside the image, FaceMesh gives
// its landmarks with a high face flag, and the mask covers the mouth.
func TestDetectionTrustMediaPipe(t *testing.T) {
	in := t.TempDir()
	faces := map[string]image.Point{} // face centre, for telling the face from the emblem
	for _, c := range []struct {
		name   string
		size   int
		mirror bool
		face   image.Point
	}{
		{"232 mirrored", 232, true, image.Pt(130, 58)},
		{"256 mirrored", 256, true, image.Pt(144, 63)},
		{"384", 384, false, image.Pt(170, 98)},
	} {
		img := astronautAt(t, c.size, c.mirror)
		writeImage(t, filepath.Join(in, c.name+".png"), img)
		img.Close()
		faces[c.name+".png"] = c.face
	}
	src := loadAstronaut(t)
	for _, name := range writeTurnedAstronauts(t, in, src) {
		faces[name] = image.Pt(256, 250)
	}
	src.Close()
	out := filepath.Join(t.TempDir(), "out")
	cfg := baseConfig(in, out, KindMask)
	cfg.WriteMasks = true
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	recs := readManifest(t, filepath.Join(out, ManifestFile))
	if len(recs) != len(faces) {
		t.Fatalf("%d records, want %d", len(recs), len(faces))
	}
	for _, r := range recs {
		if len(r.Faces) != 1 {
			t.Fatalf("%s: %d faces, want the face only: %+v", r.In, len(r.Faces), r.Faces)
		}
		f := r.Faces[0]
		b := f.Box
		if c := faces[r.In]; !image.Rect(b[0], b[1], b[2], b[3]).Inset(4).Overlaps(image.Rectangle{c, c.Add(image.Pt(1, 1))}) {
			t.Errorf("%s: the face kept is at %v, not the face at %v", r.In, b, c)
		}
		if b[0] < 0 || b[1] < 0 || b[2] > r.Width || b[3] > r.Height {
			t.Errorf("%s: box %v outside %dx%d", r.In, b, r.Width, r.Height)
		}
		if f.Detector != landmarks.DetectorBlazeFace || f.Score == nil || *f.Score < 0.5 || *f.Score > 1 {
			t.Errorf("%s: detector %q score %v, want BlazeFace with a probability >= 0.5", r.In, f.Detector, f.Score)
		}
		if f.Landmarker != landmarkerFaceMesh || f.FaceFlag == nil || *f.FaceFlag < 0.9 {
			t.Errorf("%s: landmarker %q flag %v, want FaceMesh with a flag >= 0.9", r.In, f.Landmarker, f.FaceFlag)
		}
	}
	rep, err := audit.Run(context.Background(), audit.Options{Out: out})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Results {
		if f := r.Faces[0]; f.Mouth < 0.8 || f.Nose < 0.8 || f.Eyes > 0.05 {
			t.Errorf("%s: the mask covers mouth %.2f, nose %.2f, eyes %.2f", r.In, f.Mouth, f.Nose, f.Eyes)
		}
	}
}

// TestSecondFacesFlagged: of several FaceMesh faces, those FaceMesh gives a flag under
// minSecondFlag go when another has it; when none has, the best-scoring one stays. Faces
// without FaceMesh and single faces stay.
func TestSecondFacesFlagged(t *testing.T) {
	mesh := func(flag, score float64) landmarks.Face {
		return landmarks.Face{FaceMesh: true, FaceFlag: flag, Score: score}
	}
	blaze := func(flag, score float64) landmarks.Face {
		return landmarks.Face{FaceMesh: true, FaceFlag: flag, Score: score, Detector: landmarks.DetectorBlazeFace}
	}
	for _, c := range []struct {
		name string
		in   []landmarks.Face
		want []float64 // flags kept, in order
	}{
		{"one low face stays", []landmarks.Face{mesh(0.01, 0.6)}, []float64{0.01}},
		{"low second face goes", []landmarks.Face{mesh(0.99, 0.9), mesh(0.001, 0.95)}, []float64{0.99}},
		{"low first face goes", []landmarks.Face{mesh(0.2, 0.9), mesh(0.97, 0.6), mesh(0.92, 0.7)}, []float64{0.97, 0.92}},
		{"the emblem goes", []landmarks.Face{mesh(1, 0.92), mesh(0.59, 0.6)}, []float64{1}},
		{"all low: the best score stays", []landmarks.Face{mesh(0.0026, 0.86), mesh(0.0128, 0.68)}, []float64{0.0026}},
		{"dlib faces stay", []landmarks.Face{mesh(0.9, 0.9), {}}, []float64{0.9, 0}},
		{"all low: a doubted face does not win on score", []landmarks.Face{blaze(0.5716, 0.5443), blaze(0.0005, 0.545)}, []float64{0.5716}},
		{"all low and doubted: the best score stays", []landmarks.Face{blaze(0.3, 0.6), blaze(0.0005, 0.65)}, []float64{0.0005}},
		{"all low, none doubted: the best score stays", []landmarks.Face{blaze(0.6, 0.75), blaze(0.0005, 0.8)}, []float64{0.0005}},
	} {
		got := secondFacesFlagged(c.in)
		if len(got) != len(c.want) {
			t.Errorf("%s: %d faces kept, want %d", c.name, len(got), len(c.want))
			continue
		}
		for i := range got {
			if got[i].FaceFlag != c.want[i] {
				t.Errorf("%s: face %d has flag %v, want %v", c.name, i, got[i].FaceFlag, c.want[i])
			}
		}
	}
}

// TestAlignedCropsMeshWhenTurned: in aligned crops the shape predictor runs first, and only a
// face whose landmarks fit a head turned by alignedMeshYaw or more is landmarked again by
// FaceMesh (the manifest says which); the frontal astronaut keeps dlib's landmarks bit for
// bit, as with --landmarker dlib.
func TestAlignedCropsMeshWhenTurned(t *testing.T) {
	in := t.TempDir()
	src := loadAstronaut(t)
	writeImage(t, filepath.Join(in, "front.png"), src)
	writeTurnedAstronauts(t, in, src)
	src.Close()
	run := func(l string) map[string]FaceRecord {
		out := filepath.Join(t.TempDir(), "out")
		cfg := baseConfig(in, out, KindMask)
		cfg.Aligned, cfg.Landmarker = true, l
		if _, err := Run(context.Background(), cfg); err != nil {
			t.Fatal(err)
		}
		faces := map[string]FaceRecord{}
		for _, r := range readManifest(t, filepath.Join(out, ManifestFile)) {
			if len(r.Faces) != 1 {
				t.Fatalf("%s (%s): %d faces, want 1", r.In, l, len(r.Faces))
			}
			faces[r.In] = r.Faces[0]
		}
		return faces
	}
	mesh, dlib := run(LandmarkerMediaPipe), run(LandmarkerDlib)
	for name, f := range mesh {
		p, err := face3d.FitPose(recordShape(dlib[name])) // the gate looks at dlib's landmarks
		if err != nil {
			t.Fatal(err)
		}
		turned := math.Abs(p.Pose.Yaw) >= alignedMeshYaw
		if d := dlib[name]; !turned && (f.Landmarker != "" || f.Landmarks != d.Landmarks) {
			t.Errorf("%s (yaw %.1f): landmarker %q, want dlib's landmarks unchanged", name, p.Pose.Yaw, f.Landmarker)
		}
		if turned != (name != "front.png") {
			t.Errorf("%s: fitted yaw %.1f, the fixture is not what this test needs", name, p.Pose.Yaw)
		}
		if turned && (f.Landmarker != landmarkerFaceMesh || f.FaceFlag == nil) {
			t.Errorf("%s (yaw %.1f): landmarker %q, want FaceMesh", name, p.Pose.Yaw, f.Landmarker)
		}
	}
}

// recordShape is a face record's landmarks as a shape.
func recordShape(f FaceRecord) *face68.Shape {
	var s face68.Shape
	for i, p := range f.Landmarks {
		s[i] = face68.Point{X: p[0], Y: p[1]}
	}
	return &s
}

// TestAlignRecordsLandmarker: occlude align records how each face was found as occlude does
// (detector and its probability, FaceMesh and its face flag), so a user can tell MediaPipe's
// crops from dlib's.
func TestAlignRecordsLandmarker(t *testing.T) {
	in := t.TempDir()
	src := loadAstronaut(t)
	writeImage(t, filepath.Join(in, "astronaut.png"), src)
	src.Close()
	for _, c := range []struct {
		landmarker   string
		detector     string
		meshLandmark string
	}{
		{LandmarkerMediaPipe, landmarks.DetectorBlazeFace, landmarkerFaceMesh},
		{LandmarkerDlib, landmarks.DetectorHOG, ""},
	} {
		t.Run(c.landmarker, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			cfg := baseConfig(in, out, KindAlign)
			cfg.Landmarker = c.landmarker
			if _, err := Run(context.Background(), cfg); err != nil {
				t.Fatal(err)
			}
			recs := readManifest(t, filepath.Join(out, ManifestFile))
			if len(recs) != 1 || len(recs[0].Faces) != 1 {
				t.Fatalf("records %+v, want one with one face", recs)
			}
			f := recs[0].Faces[0]
			if f.Detector != c.detector || f.Score == nil {
				t.Errorf("detector %q score %v, want %q with its score", f.Detector, f.Score, c.detector)
			}
			if f.Landmarker != c.meshLandmark || (c.meshLandmark != "") != (f.FaceFlag != nil) {
				t.Errorf("landmarker %q flag %v, want %q", f.Landmarker, f.FaceFlag, c.meshLandmark)
			}
			if f.FaceFlag != nil && *f.FaceFlag < 0.9 {
				t.Errorf("face flag %v, want >= 0.9 on the astronaut", *f.FaceFlag)
			}
			// the crops' landmarks file says who made them, and occlude on the crops reads
			// it: FaceMesh's landmarks keep FaceMesh's far-eye margin there too
			_, by, err := face68.LoadFileLandmarkers(filepath.Join(out, dataset.LandmarksFile))
			if err != nil {
				t.Fatal(err)
			}
			if by[recs[0].Out] != c.meshLandmark {
				t.Errorf("landmarks file: landmarker %q, want %q", by[recs[0].Out], c.meshLandmark)
			}
			masked := filepath.Join(t.TempDir(), "masked")
			if _, err := Run(context.Background(), baseConfig(out, masked, KindMask)); err != nil {
				t.Fatal(err)
			}
			mrecs := readManifest(t, filepath.Join(masked, ManifestFile))
			if len(mrecs) != 1 || mrecs[0].Status != StatusFromFile || len(mrecs[0].Faces) != 1 {
				t.Fatalf("occlude on the crops: %+v, want one from-file record", mrecs)
			}
			if mf := mrecs[0].Faces[0]; mf.Landmarker != c.meshLandmark || mf.FaceFlag != nil {
				t.Errorf("occlude on the crops: landmarker %q flag %v, want %q and no flag", mf.Landmarker, mf.FaceFlag, c.meshLandmark)
			}
		})
	}
}
