package occlusion

import (
	"errors"
	"fmt"
	"image"
	"math"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/imageio"
	"github.com/occfer/occfer/landmarks"
	"github.com/occfer/occfer/warp"
)

// maskDir holds the binary occlusion masks (--write-masks) at the output root.
const maskDir = "occlusion_masks"

// finishItem occludes one loaded item, given the faces found in it (or the error finding
// them), writes its outputs and returns its record. It never panics across the package line
// and never fails the run: problems become the record's status and error.
func (r *runner) finishItem(l *loadedItem, faces []landmarks.Face, findErr error) (rec Record) {
	it, img := l.it, l.img
	rec = l.rec
	defer func() {
		// A bug in cgo-facing code must cost one image, not the run and its journal.
		if p := recover(); p != nil {
			rec = internalError(it, r.cfg.Seed, p)
		}
	}()
	if findErr != nil {
		return failRecord(rec, StatusError, findErr)
	}
	if len(faces) == 0 {
		return r.noFace(rec, it, l.data)
	}
	if r.cfg.Kind == KindAlign {
		return r.alignItem(rec, it, l.native.Mat, faces[0]) // findAll sorts largest first; the crop keeps the input's format
	}
	if r.cfg.Faces == FacesLargest {
		i := landmarks.MostProminent(faces)
		faces = faces[i : i+1]
	}
	cv, err := newCanvas(img)
	if err != nil {
		return failRecord(rec, StatusError, fmt.Errorf("%s: %w", it.Abs, err))
	}
	for i, f := range faces {
		fr, err := r.occludeFace(it, img, cv, f, i)
		if err != nil {
			return failRecord(rec, StatusError, fmt.Errorf("%s: face %d: %w", it.Abs, i, err))
		}
		rec.Faces = append(rec.Faces, fr)
	}
	// Coverage is measured on the final mask, after every face is drawn: with several
	// faces an occluder of one may hide part of another.
	for i, f := range faces {
		fc, eyes, mouth := warp.Coverage(cv.mask(), f.Points)
		rec.Faces[i].Coverage = Coverage{Face: round4(fc), Eyes: round4(eyes), Mouth: round4(mouth)}
	}
	rec.Status = string(faces[0].Source)
	if err := r.writeOutputs(&rec, l, cv); err != nil {
		return failRecord(rec, StatusError, err)
	}
	return rec
}

// faceOrigin is the record of where a face and its landmarks came from (source, detector
// and its score, FaceMesh and its face flag, the predictor's start), the same for occlude and
// occlude align; the caller adds the box and landmarks in its own frame.
func faceOrigin(f landmarks.Face) FaceRecord {
	fr := FaceRecord{Source: string(f.Source), Detector: f.Detector, Start: landmarkStart(f)}
	switch f.Detector {
	case landmarks.DetectorHOG, landmarks.DetectorHOGRotated, landmarks.DetectorBlazeFace: // weak HOG detections score below 0
		sc := round4(f.Score)
		fr.Score = &sc
	}
	if f.FaceMesh {
		fr.Landmarker = landmarkerFaceMesh
		if f.Source != landmarks.SourceFromFile { // a file does not record the flag
			flag := round4(f.FaceFlag)
			fr.FaceFlag = &flag
		}
	}
	return fr
}

// occludeFace draws the configured occlusion on one face and describes it.
func (r *runner) occludeFace(it dataset.Item, img gocv.Mat, cv *canvas, f landmarks.Face, idx int) (FaceRecord, error) {
	box := f.Box.Intersect(image.Rect(0, 0, img.Cols(), img.Rows()))
	fr := faceOrigin(f)
	fr.Box = [4]int{box.Min.X, box.Min.Y, box.Max.X, box.Max.Y}
	for i, p := range f.Points {
		fr.Landmarks[i] = [2]float64{round2(p.X), round2(p.Y)}
	}
	purpose := fmt.Sprintf("%s/face%d", r.cfg.Kind, idx)
	rng := dataset.ItemRNG(r.cfg.Seed, it.Rel, purpose)
	if r.cfg.Kind == KindRandom {
		box := f.Box.Intersect(image.Rect(0, 0, cv.w, cv.h))
		if box.Empty() {
			box = f.Points.Box().Intersect(image.Rect(0, 0, cv.w, cv.h))
		}
		if box.Dx() < 2 || box.Dy() < 2 {
			return fr, fmt.Errorf("face box %v is too small to place occluders", f.Box)
		}
		fr.Occluders = drawRandom(cv, box, rng, r.random, r.donor(it))
		fr.Pose = facePose(f.Points)
		return fr, nil
	}
	t := r.templates[rng.IntN(len(r.templates))]
	return r.overlay(img, cv, f, t, rng, fr)
}

// noFace applies the no-face policy: the input bytes are copied unchanged (not re-encoded,
// so nothing is lost) or nothing is written. Either way the record says so.
func (r *runner) noFace(rec Record, it dataset.Item, data []byte) Record {
	rec.Status = StatusNoFace
	if r.cfg.NoFace == NoFaceSkip {
		rec.Action = ActionSkipped
		return rec
	}
	if err := dataset.WriteFileAtomic(r.outPath(it.Rel), data); err != nil {
		return failRecord(rec, StatusError, err)
	}
	rec.Out, rec.Action, rec.SHA256 = it.Rel, ActionCopied, sha256Hex(data)
	return rec
}

// writeOutputs encodes the occluded image (and mask) and writes them atomically. The image is
// written last-but-one and the record is journaled after both, so a journal record always
// means the files exist.
// The image is written in the input's own format: what was drawn on the 8-bit BGR working
// image is carried into it first (imageio.Image.MergeInto) unless it is that image.
func (r *runner) writeOutputs(rec *Record, l *loadedItem, cv *canvas) error {
	it, img := l.it, l.img
	if r.cfg.WriteMasks {
		m, err := cv.mask().ToMat()
		if err != nil {
			return err
		}
		defer m.Close()
		rel := maskRel(it.Rel)
		b, err := imageio.Encode(rel, m)
		if err != nil {
			return err
		}
		if err := dataset.WriteFileAtomic(r.outPath(rel), b); err != nil {
			return err
		}
		rec.Mask = rel
	}
	if l.merge {
		if err := l.native.MergeInto(l.base, l.img); err != nil {
			return fmt.Errorf("%s: %w", it.Abs, err)
		}
		img = l.native.Mat
	}
	out, conv, err := imageio.EncodeAs(it.Rel, img)
	if err != nil {
		return err
	}
	if rec.Format != nil {
		rec.Format.Conversion = conv
	}
	if err := dataset.WriteFileAtomic(r.outPath(it.Rel), out); err != nil {
		return err
	}
	rec.Out, rec.Action, rec.SHA256 = it.Rel, ActionWritten, sha256Hex(out)
	return nil
}

// internalError is the record of an item whose processing panicked (p).
func internalError(it dataset.Item, seed uint64, p any) Record {
	return Record{In: it.Rel, Seed: seed, Status: StatusError, Action: ActionSkipped,
		Error: fmt.Sprintf("internal error processing %s: %v", it.Abs, p)}
}

func failRecord(rec Record, status string, err error) Record {
	rec.Status, rec.Action, rec.Error = status, ActionSkipped, err.Error()
	rec.Out, rec.Faces, rec.Mask, rec.SHA256 = "", nil, "", ""
	if errors.Is(err, imageio.ErrUnreadable) {
		rec.Status = StatusUnreadable
	}
	return rec
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }
func round4(v float64) float64 { return math.Round(v*1e4) / 1e4 }

// startPose is FaceRecord.Start for landmarks the predictor found a second time, started from
// the head pose fitted to its first landmarks.
const startPose = "pose"

// landmarkStart is the manifest's record of where the shape predictor started on face f.
// landmarkerFaceMesh is FaceRecord.Landmarker for landmarks from MediaPipe's FaceMesh.
const landmarkerFaceMesh = "facemesh"

func landmarkStart(f landmarks.Face) string {
	if f.PoseStart {
		return startPose
	}
	return ""
}
