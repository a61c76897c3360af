package occlusion

import (
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/imageio"
	"github.com/occfer/occfer/landmarks"
	"github.com/occfer/occfer/landmarks/face68"
	"github.com/occfer/occfer/landmarks/mediapipe"
)

// calibrationSample is how many aligned items (the first by rel of the whole dataset) the
// aligned-fallback box is calibrated on. A fixed prefix of the sorted list, not a per-shard or
// per-worker sample, so every shard and worker count uses the very same box.
const calibrationSample = 64

// faceFinder finds the faces of an item, from the best source available: a landmarks file,
// RAF-DB annotations, or dlib (with the calibrated aligned fallback for aligned crops).
type faceFinder struct {
	pred      *landmarks.Predictor       // nil when every item has landmarks from a file
	profile   *landmarks.ProfileDetector // second detector for photographs (nil: none)
	mesh      *mediapipe.Landmarker      // LandmarkerMediaPipe: BlazeFace and FaceMesh (nil: dlib)
	meshOwned bool                       // mesh was opened here and is closed by close
	minScore  float64
	minSecond float64
	fromFile  map[string]face68.Shape
	// fileFaceMesh: the file's lines that say FaceMesh made their landmarks (occlude align's)
	fileFaceMesh map[string]bool
	fileDigest   string // sha256 prefix of the landmarks file, for the settings record
	modelID      string
	box          landmarks.AlignedBox // calibrated aligned-fallback box
	alignedBox   bool                 // AlignedBox mode: aligned items skip detection
	ds           *dataset.Dataset
	owned        bool // pred was opened here and is closed by close
}

func newFaceFinder(cfg Config, ds *dataset.Dataset) (*faceFinder, error) {
	f := &faceFinder{ds: ds, alignedBox: cfg.AlignedLandmarks == AlignedBox, minScore: cfg.MinScore, minSecond: cfg.MinSecondScore}
	lmPath := cfg.LandmarksFile
	if lmPath == "" {
		if ds.Layout != dataset.LayoutSingle && ds.HasAux(dataset.LandmarksFile) {
			lmPath = filepath.Join(ds.Root, dataset.LandmarksFile)
		}
	}
	if lmPath != "" {
		shapes, by, err := face68.LoadFileLandmarkers(lmPath)
		if err != nil {
			return nil, err
		}
		f.fileFaceMesh = map[string]bool{}
		for rel, name := range by {
			f.fileFaceMesh[rel] = name == landmarkerFaceMesh
		}
		digest, err := fileDigest(lmPath)
		if err != nil {
			return nil, fmt.Errorf("landmarks file: %w", err)
		}
		f.fromFile, f.fileDigest = shapes, digest
	}
	needDetector := false
	for _, it := range ds.Items {
		if _, ok := f.fromFile[it.Rel]; !ok && !hasAnnotation(ds, it) {
			needDetector = true
			break
		}
	}
	if !needDetector {
		return f, nil
	}
	if cfg.Predictor != nil {
		f.pred = cfg.Predictor
	} else {
		pred, err := landmarks.Open(cfg.PredictorPath)
		if err != nil {
			return nil, err
		}
		f.pred, f.owned = pred, true
	}
	f.modelID = modelID(cfg.PredictorPath)
	if cfg.Landmarker == LandmarkerMediaPipe {
		if cfg.MediaPipe != nil {
			f.mesh = cfg.MediaPipe
		} else {
			mesh, err := mediapipe.Open(cfg.MediaPipeDir)
			if err != nil {
				f.close()
				return nil, err
			}
			f.mesh, f.meshOwned = mesh, true
		}
	}
	if cfg.ProfileCascade != ProfileNone && needsPhotoDetection(ds) {
		prof, err := landmarks.OpenProfile(cfg.ProfileCascade)
		if err != nil {
			f.close()
			return nil, err
		}
		f.profile = prof
	}
	f.box = f.calibrate(ds, cfg.Workers)
	return f, nil
}

// needsPhotoDetection reports whether some item is a photograph (not an aligned crop), the
// only kind the profile detector runs on: an aligned crop without a HOG detection gets the
// calibrated box instead.
func needsPhotoDetection(ds *dataset.Dataset) bool {
	for _, it := range ds.Items {
		if !it.Aligned {
			return true
		}
	}
	return false
}

func (f *faceFinder) close() {
	if f.owned {
		f.pred.Close()
	}
	if f.profile != nil {
		f.profile.Close()
	}
	if f.meshOwned {
		f.mesh.Close()
	}
}

// calibrate detects faces in the first calibrationSample aligned items and takes
// landmarks.CalibrateAlignedBox of their boxes (DefaultAlignedBox when too few are found).
// It uses DetectFaces (Detect without the landmarks), with its 2x upsampled pass: RAF-DB's
// 100 px crops hold faces below the HOG window. The sample is split over the workers; every
// box lands in its item's slot, so the result does not depend on the worker count.
func (f *faceFinder) calibrate(ds *dataset.Dataset, workers int) landmarks.AlignedBox {
	var sample []dataset.Item
	for _, it := range ds.Items {
		if it.Aligned {
			if sample = append(sample, it); len(sample) == calibrationSample {
				break
			}
		}
	}
	found := make([]*landmarks.AlignedBox, len(sample))
	var wg sync.WaitGroup
	for w := 0; w < max(1, min(workers, len(sample))); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(sample); i += max(1, workers) {
				img, err := imageio.Decode(sample[i].Abs)
				if err != nil {
					continue // reported when the item itself is processed
				}
				faces, err := f.pred.DetectFaces(img, false)
				if err == nil && len(faces) > 0 {
					b := landmarks.AlignedBoxOf(faces[0].Box, img.Cols(), img.Rows())
					found[i] = &b
				}
				img.Close()
			}
		}()
	}
	wg.Wait()
	var boxes []landmarks.AlignedBox
	for _, b := range found {
		if b != nil {
			boxes = append(boxes, *b)
		}
	}
	box, _ := landmarks.CalibrateAlignedBox(boxes)
	return box
}

// findAll returns the faces of each item, largest first (none means no face was found), or
// the item's error in errs. It locates every face first (landmarks file, annotation, detector,
// or the calibrated aligned box) and then runs the shape predictor on all located faces of
// photographs in one PredictBatchPosed call and on those of aligned crops in one PredictBatch
// call: faces predicted together share the model's leaf reads, which makes the predictor about
// twice as fast per face, and each face's landmarks are the same as alone. Turned faces of
// photographs are predicted once more from their fitted pose (landmarks.RestartYaw); aligned
// crops are not, because on RAF-DB-style 100 px crops the second pass changed no pass rate by
// more than one face in 50 per yaw band (docs/occlude.md, "Turned faces") while costing a
// second prediction of every turned face.
func (f *faceFinder) findAll(items []dataset.Item, imgs []gocv.Mat) (faces [][]landmarks.Face, errs []error) {
	faces = make([][]landmarks.Face, len(items))
	errs = make([]error, len(items))
	var photos, crops predictGroup
	for i, it := range items {
		fs, predict, err := f.locate(it, imgs[i])
		if err != nil {
			errs[i] = err
			continue
		}
		faces[i] = fs
		if !predict {
			continue
		}
		g := &photos
		if it.Aligned {
			g = &crops
		}
		for k := range fs {
			g.jobs = append(g.jobs, landmarks.FaceBox{Img: imgs[i], Box: fs[k].Box})
			g.slots = append(g.slots, faceSlot{i, k})
		}
	}
	if f.mesh != nil {
		f.meshAll(items, faces, errs, &photos)
		f.redoDoubtful(items, imgs, faces, errs)
		if len(crops.jobs) > 0 {
			shapes, perrs := f.pred.PredictBatch(crops.jobs)
			crops.fill(items, faces, errs, shapes, nil, perrs)
			turned := crops.turned(faces, errs, alignedMeshYaw)
			f.meshAll(items, faces, errs, &turned)
			crops.jobs = nil
		}
		for i := range faces {
			faces[i] = secondFacesFlagged(faces[i])
		}
	} else if len(photos.jobs) > 0 {
		shapes, restarted, perrs := f.pred.PredictBatchPosed(photos.jobs)
		photos.fill(items, faces, errs, shapes, restarted, perrs)
	}
	if len(crops.jobs) > 0 {
		shapes, perrs := f.pred.PredictBatch(crops.jobs)
		crops.fill(items, faces, errs, shapes, nil, perrs)
	}
	for i := range errs {
		if errs[i] != nil {
			faces[i] = nil
		}
	}
	return faces, errs
}

// faceSlot is where a predictor job's face lives: faces[item][face].
type faceSlot struct{ item, face int }

// predictGroup is one predictor call's jobs and the faces they belong to.
type predictGroup struct {
	jobs  []landmarks.FaceBox
	slots []faceSlot
}

// fill puts the group's predicted shapes into their faces (restarted, when not nil, marks the
// faces predicted again from their pose) and the first error of each item into errs.
func (g *predictGroup) fill(items []dataset.Item, faces [][]landmarks.Face, errs []error, shapes []face68.Shape, restarted []bool, perrs []error) {
	for j, s := range g.slots {
		if perrs[j] != nil && errs[s.item] == nil {
			errs[s.item] = fmt.Errorf("%s: %w", items[s.item].Abs, perrs[j])
		}
		faces[s.item][s.face].Points = shapes[j]
		faces[s.item][s.face].PoseStart = restarted != nil && restarted[j]
	}
}

// locate returns the item's faces, largest first. When predict is set their Points are still
// to be filled by the shape predictor, in each face's Box of img.
func (f *faceFinder) locate(it dataset.Item, img gocv.Mat) (faces []landmarks.Face, predict bool, err error) {
	if s, ok := f.fromFile[it.Rel]; ok {
		return []landmarks.Face{{Box: s.Box(), Points: s, Source: landmarks.SourceFromFile, FaceMesh: f.fileFaceMesh[it.Rel]}}, false, nil
	}
	if p := f.annotationPath(it); p != "" {
		pts, err := face68.LoadRAFAnnotation(p)
		if err != nil {
			return nil, false, err
		}
		s := face68.FitFrom5([5]face68.Point(pts))
		return []landmarks.Face{{Box: s.Box(), Points: s, Source: landmarks.SourceFromAnnotation}}, false, nil
	}
	if f.pred == nil {
		return nil, false, fmt.Errorf("%s: no landmarks for this image and no detector loaded", it.Abs)
	}
	if !it.Aligned {
		if f.mesh != nil {
			if faces, err = f.detectBlazeFace(img); err != nil || len(faces) > 0 {
				if err != nil {
					err = fmt.Errorf("%s: %w", it.Abs, err)
				}
				return faces, true, err
			}
		}
		if faces, err = f.detect(img); err != nil {
			return nil, false, fmt.Errorf("%s: %w", it.Abs, err)
		}
		return faces, true, nil
	}
	fallback := []landmarks.Face{{Box: f.box.Rect(img.Cols(), img.Rows()), Source: landmarks.SourceAlignedFallback}}
	if f.alignedBox { // f.box is valid: calibrate returns a median of valid boxes or the default
		return fallback, true, nil
	}
	if faces, err = f.pred.LocateAlignedNative(img, f.box); err != nil {
		return nil, false, fmt.Errorf("%s: %w", it.Abs, err)
	}
	if faces = landmarks.ConfidentFaces(faces, f.minScore, f.minSecond); len(faces) == 0 {
		return fallback, true, nil
	}
	return faces, true, nil
}

// detectMaxSide bounds the image side the HOG detector runs on. Detection cost and memory
// grow with the pixel count (and dlib retries at 2x when it finds nothing), so a 6000x4000
// photo would take seconds and hundreds of MB per worker; a face in such a photo is found
// just as well at 1280 px. The shape predictor still runs on the full-resolution image.
const detectMaxSide = 1280

// detect runs dlib's detector on img, through a downscaled copy when img is large, keeps the
// confident detections (landmarks.ConfidentFaces) and, when none is left, runs the profile
// detector; it returns the faces with their boxes in img's coordinates (Points still to be
// predicted).
func (f *faceFinder) detect(img gocv.Mat) ([]landmarks.Face, error) {
	side := max(img.Cols(), img.Rows())
	if side <= detectMaxSide {
		return f.detectIn(img)
	}
	s := float64(detectMaxSide) / float64(side)
	small := gocv.NewMat()
	defer small.Close()
	gocv.Resize(img, &small, image.Pt(max(1, int(float64(img.Cols())*s)), max(1, int(float64(img.Rows())*s))), 0, 0, gocv.InterpolationArea)
	faces, err := f.detectIn(small)
	if err != nil {
		return nil, err
	}
	sx := float64(img.Cols()) / float64(small.Cols())
	sy := float64(img.Rows()) / float64(small.Rows())
	for i := range faces {
		b := faces[i].Box
		faces[i].Box = image.Rect(int(float64(b.Min.X)*sx), int(float64(b.Min.Y)*sy), int(float64(b.Max.X)*sx), int(float64(b.Max.Y)*sy))
	}
	return faces, nil
}

// weakFloor is how far below dlib's threshold (0) a HOG detection may score and still be
// taken when nothing else is found (neither upright nor rotated). Turned faces score just
// below 0: on the AFLW2000-3D measurement set (docs/occlude.md, "Detection") a floor of -0.6
// finds 41 of the 50 faces at 45-60 deg of yaw where dlib's threshold finds 29, and the
// 15 images whose best detection down to -0.6 is not the face all score it below -0.17.
const weakFloor = -0.6

// detectIn is detect at img's own scale, the first of these that finds a face: HOG (with its
// 2x pass for small faces), its confident detections; HOG on the image rolled by
// landmarks.RotatedAngles (turned faces it misses upright; the shape predictor was trained on
// HOG boxes); the profile cascade; the best HOG detection scoring down to weakFloor (only
// with the default --min-score 0). Taken before the cascade, weak detections displaced 8
// of its right faces with wrong ones at 30-60 deg on the AFLW2000-3D set.
func (f *faceFinder) detectIn(img gocv.Mat) ([]landmarks.Face, error) {
	floor := 0.0
	if f.minScore <= 0 {
		floor = weakFloor
	}
	all, err := f.pred.DetectFacesFloor(img, floor)
	if err != nil {
		return nil, err
	}
	if faces := landmarks.ConfidentFaces(all, f.minScore, f.minSecond); len(faces) > 0 {
		return faces, nil
	}
	rotated, err := f.pred.DetectFacesRotated(img, landmarks.RotatedAngles())
	if err != nil {
		return nil, err
	}
	if faces := landmarks.ConfidentFaces(rotated, f.minScore, f.minSecond); len(faces) > 0 {
		return faces, nil
	}
	if f.profile != nil {
		faces, err := f.profile.DetectFaces(img)
		if err != nil || len(faces) > 0 {
			return faces, err
		}
	}
	if best := bestScored(all); best >= 0 && floor < 0 { // all score below 0 here
		return all[best : best+1], nil
	}
	return nil, nil
}

// bestScored is the index of the highest-scoring face (-1 when there is none).
func bestScored(faces []landmarks.Face) int {
	best := -1
	for i, f := range faces {
		if best < 0 || f.Score > faces[best].Score {
			best = i
		}
	}
	return best
}

// rafManualDir holds RAF-DB's manual 5-point annotations, in Image/original coordinates.
const rafManualDir = "Annotation/manual"

// annotationFile is the RAF-DB manual annotation of an Image/original item ("" for others).
// The aligned crops are in other coordinates, so their annotations are not used.
func annotationFile(ds *dataset.Dataset, it dataset.Item) string {
	if ds.Layout != dataset.LayoutRAFDB || !strings.HasPrefix(it.Rel, "Image/original/") {
		return ""
	}
	rel := rafManualDir + "/" + it.Stem + "_manu_attri.txt"
	if !ds.HasAux(rel) { // only files the walk listed: never through a link out of the tree
		return ""
	}
	return filepath.Join(ds.Root, filepath.FromSlash(rel))
}

func hasAnnotation(ds *dataset.Dataset, it dataset.Item) bool { return annotationFile(ds, it) != "" }

func (f *faceFinder) annotationPath(it dataset.Item) string { return annotationFile(f.ds, it) }

func modelID(p string) string {
	if p == "" {
		p = landmarks.DefaultModelPath
	}
	st, err := os.Stat(p)
	if err != nil {
		return filepath.Base(p)
	}
	return fmt.Sprintf("%s:%d", filepath.Base(p), st.Size())
}

// profileCascade is the cascade file the run uses.
func (r *runner) profileCascade() string {
	if r.cfg.ProfileCascade == "" {
		return landmarks.DefaultProfileCascade
	}
	return r.cfg.ProfileCascade
}
