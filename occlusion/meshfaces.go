package occlusion

import (
	"fmt"
	"math"
	"sort"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/face3d"
	"github.com/occfer/occfer/landmarks"
	"github.com/occfer/occfer/landmarks/face68"
	"github.com/occfer/occfer/landmarks/mediapipe"
)

// The default landmarker's part of faceFinder (LandmarkerMediaPipe): BlazeFace on
// photographs, FaceMesh on located faces, and the rules that keep false faces out.

// alignedMeshYaw is the head yaw, in degrees, from which a face of an aligned crop gets
// FaceMesh's landmarks (LandmarkerMediaPipe): the shape predictor runs on every crop first,
// and the faces whose landmarks fit a head turned by alignedMeshYaw or more are landmarked
// again by FaceMesh. Why: on 100 px crops FaceMesh's three passes cost about ten times the
// predictor, and frontal crops gain nothing from them (every mask passed with either on the
// AFLW2000-3D set below 15 deg; docs/occlude.md, "Landmarkers"); dlib's yaw falls short on
// turned faces, hence the low bound: 10 deg gave the pass rates of FaceMesh on every crop.
const alignedMeshYaw = 10

// turned is the part of g whose faces (already predicted into faces) fit a head turned by
// minYaw degrees or more (face3d.FitPose); faces of items with an error are left out.
func (g *predictGroup) turned(faces [][]landmarks.Face, errs []error, minYaw float64) predictGroup {
	var t predictGroup
	for j, s := range g.slots {
		if errs[s.item] != nil {
			continue
		}
		fit, err := face3d.FitPose(&faces[s.item][s.face].Points)
		if err != nil || math.Abs(fit.Pose.Yaw) >= minYaw {
			t.jobs = append(t.jobs, g.jobs[j])
			t.slots = append(t.slots, s)
		}
	}
	return t
}

// meshAll gives the group's faces FaceMesh landmarks (LandmarkerMediaPipe), in place of
// the shape predictor's.
func (f *faceFinder) meshAll(items []dataset.Item, faces [][]landmarks.Face, errs []error, g *predictGroup) {
	shapes := make([]face68.Shape, len(g.jobs))
	perrs := make([]error, len(g.jobs))
	for j, job := range g.jobs {
		m, err := f.mesh.Landmarks(job.Img, job.Box)
		shapes[j], perrs[j] = m.Points, err
		s := g.slots[j]
		faces[s.item][s.face].FaceMesh, faces[s.item][s.face].FaceFlag = true, m.Flag
	}
	g.fill(items, faces, errs, shapes, nil, perrs)
}

// A BlazeFace face that both models doubt (a detection score under doubtScore and a FaceMesh
// flag under doubtFlag) is no face when it is the image's only kind: dlib's detector chain
// looks at the photograph instead. Why: on 621 face-free images (docs/occlude.md,
// "Detection") BlazeFace took 28 things for faces, 25 of them scoring under 0.7 with a flag
// under 0.5; of the 249 faces it found on the AFLW2000-3D set, 3 are doubted so.
const (
	doubtScore = 0.7
	doubtFlag  = 0.5
)

// doubted reports whether fc is a BlazeFace face that both models doubt (doubtScore,
// doubtFlag).
func doubted(fc landmarks.Face) bool {
	return fc.Detector == landmarks.DetectorBlazeFace && fc.FaceMesh && fc.Score < doubtScore && fc.FaceFlag < doubtFlag
}

// redoDoubtful replaces the faces of each photograph whose faces are all doubted BlazeFace
// faces by what dlib's detector chain finds there (nothing: no face), landmarked by FaceMesh.
func (f *faceFinder) redoDoubtful(items []dataset.Item, imgs []gocv.Mat, faces [][]landmarks.Face, errs []error) {
	var redo predictGroup
	for i, it := range items {
		if errs[i] != nil || it.Aligned || len(faces[i]) == 0 {
			continue
		}
		doubtful := true
		for _, fc := range faces[i] {
			doubtful = doubtful && doubted(fc)
		}
		if !doubtful {
			continue
		}
		fs, err := f.detect(imgs[i])
		if err != nil {
			errs[i] = fmt.Errorf("%s: %w", it.Abs, err)
			continue
		}
		faces[i] = fs
		for k := range fs {
			redo.jobs = append(redo.jobs, landmarks.FaceBox{Img: imgs[i], Box: fs[k].Box})
			redo.slots = append(redo.slots, faceSlot{i, k})
		}
	}
	f.meshAll(items, faces, errs, &redo)
}

// minSecondFlag is the FaceMesh face flag a face needs when another face of the image has it
// (LandmarkerMediaPipe). Why: BlazeFace fires now and then on round shapes beside a face, and
// FaceMesh, run there, mostly says so (the astronaut's suit collar in a crop of the test
// fixture: 0.001), but not always (its suit emblem at 384 px: 0.59). In dlib's example group
// photographs BlazeFace finds 44 boxes: the 40 kept have 0.95 or more, and the 4 dropped are a
// tablecloth (0.0006), a wall clock (0.05) and 2 real faces (0.013, with its box shifted down,
// and 0.89). Real faces turned beyond 45 deg get low flags too (15 of 249 under 0.5 on the
// AFLW2000-3D set), so an image without a face at minSecondFlag keeps its best-scoring one.
const minSecondFlag = 0.9

// secondFacesFlagged filters the FaceMesh faces of an image with more than one: when one of
// them has a flag of minSecondFlag or more, those under it go; when none has, only the
// highest-scoring one stays (a turned face with a low flag beside a false detection with
// another low flag: the detector's score tells them apart better, on the AFLW2000-3D set),
// taken among the faces not doubted by both models (doubted) when there is one: a face
// FaceMesh accepts is not displaced by one both models doubt that the detector scores a hair
// higher (AFLW2000-3D image02746: the face, 0.5443 with a flag of 0.57, lost to a box
// beside it, 0.545 with 0.0005). Faces without FaceMesh always stay. Order is kept.
func secondFacesFlagged(faces []landmarks.Face) []landmarks.Face {
	if len(faces) < 2 {
		return faces
	}
	flagged, best := false, -1
	for i, f := range faces {
		if !f.FaceMesh {
			continue
		}
		flagged = flagged || f.FaceFlag >= minSecondFlag
		if best < 0 || doubted(faces[best]) && !doubted(f) || doubted(faces[best]) == doubted(f) && f.Score > faces[best].Score {
			best = i
		}
	}
	out := faces[:0:0]
	for i, f := range faces {
		if !f.FaceMesh || (flagged && f.FaceFlag >= minSecondFlag) || (!flagged && i == best) {
			out = append(out, f)
		}
	}
	return out
}

// detectBlazeFace runs BlazeFace (LandmarkerMediaPipe) on a photograph: its faces scoring
// mediapipe.DefaultMinScore or more, largest first like dlib's, Points still to be found.
func (f *faceFinder) detectBlazeFace(img gocv.Mat) ([]landmarks.Face, error) {
	dets, err := f.mesh.Detect(img, mediapipe.DefaultMinScore)
	if err != nil {
		return nil, err
	}
	faces := make([]landmarks.Face, len(dets))
	for i, d := range dets {
		faces[i] = landmarks.Face{Box: d.Box, Score: d.Score, Source: landmarks.SourceDetected, Detector: landmarks.DetectorBlazeFace}
	}
	sort.SliceStable(faces, func(i, j int) bool { return faces[i].Box.Dx()*faces[i].Box.Dy() > faces[j].Box.Dx()*faces[j].Box.Dy() })
	return faces, nil
}
