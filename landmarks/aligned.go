package landmarks

import (
	"fmt"
	"image"
	"math"
	"slices"

	"gocv.io/x/gocv"
)

// AlignedBox is a face box in a pre-aligned crop, as fractions of the image
// width (X) and height (Y), so one box serves crops of any size.
type AlignedBox struct{ X0, Y0, X1, Y1 float64 }

// DefaultAlignedBox is where dlib's HOG detector puts the face box in a
// RAF-DB-style aligned crop (eyes level at 0.38 of the height, mouth centre at
// 0.75, face centred). It was calibrated on testdata/astronaut.png: 18 aligned
// 100x100 crops (shift -3/0/+3 % of the width, scale 0.9/1/1.1, and their
// mirrors) were detected with Detect, and this is CalibrateAlignedBox of
// their boxes; TestDefaultAlignedBoxCalibration redoes that measurement.
var DefaultAlignedBox = AlignedBox{X0: 0.13, Y0: 0.21, X1: 0.86, Y1: 0.94}

// MinCalibrationBoxes is the fewest boxes CalibrateAlignedBox accepts: with
// fewer, one odd detection (dlib's boxes snap to its pyramid scales, so they
// jump by ~10 %) can move the median. Collect many more from a real dataset
// when you can; the median only gets steadier.
const MinCalibrationBoxes = 16

// AlignedBoxOf expresses a pixel box of a w x h image as an AlignedBox.
func AlignedBoxOf(box image.Rectangle, w, h int) AlignedBox {
	fw, fh := float64(w), float64(h)
	return AlignedBox{float64(box.Min.X) / fw, float64(box.Min.Y) / fh, float64(box.Max.X) / fw, float64(box.Max.Y) / fh}
}

// Rect scales the box to a w x h image, rounding to the nearest pixel.
func (b AlignedBox) Rect(w, h int) image.Rectangle {
	fw, fh := float64(w), float64(h)
	return image.Rect(int(math.Round(b.X0*fw)), int(math.Round(b.Y0*fh)),
		int(math.Round(b.X1*fw)), int(math.Round(b.Y1*fh)))
}

// Valid reports whether the box has finite coordinates and positive size.
func (b AlignedBox) Valid() bool {
	for _, v := range [4]float64{b.X0, b.Y0, b.X1, b.Y1} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return b.X1 > b.X0 && b.Y1 > b.Y0
}

// CalibrateAlignedBox returns the per-coordinate median of the boxes of faces
// detected in aligned crops of one dataset. The median, not the mean, because
// a few wrong detections (a second face, a hand) must not drag the box. It
// reports false, and DefaultAlignedBox, when fewer than MinCalibrationBoxes
// valid boxes are given.
func CalibrateAlignedBox(boxes []AlignedBox) (AlignedBox, bool) {
	cols := [4][]float64{}
	for _, b := range boxes {
		if !b.Valid() {
			continue
		}
		for i, v := range [4]float64{b.X0, b.Y0, b.X1, b.Y1} {
			cols[i] = append(cols[i], v)
		}
	}
	if len(cols[0]) < MinCalibrationBoxes {
		return DefaultAlignedBox, false
	}
	var m [4]float64
	for i, c := range cols {
		slices.Sort(c)
		n := len(c)
		if n%2 == 1 {
			m[i] = c[n/2]
		} else {
			m[i] = (c[n/2-1] + c[n/2]) / 2
		}
	}
	return AlignedBox{m[0], m[1], m[2], m[3]}, true
}

// DetectAligned is Detect for pre-aligned crops: when the detector finds no
// face (occlusions, extreme expressions), it falls back to PredictAligned
// with box, so an aligned crop always gets landmarks.
func (p *Predictor) DetectAligned(img gocv.Mat, box AlignedBox) ([]Face, error) {
	faces, err := p.Detect(img)
	if err != nil || len(faces) > 0 {
		return faces, err
	}
	f, err := p.PredictAligned(img, box)
	if err != nil {
		return nil, err
	}
	return []Face{f}, nil
}

// DetectAlignedNative is DetectAligned without the 2x upsampled detection
// pass: the HOG detector runs once, at the crop's own scale, and when it finds
// nothing the predictor runs on box. This is the choice for datasets of
// aligned crops: the face fills the crop by definition, so enlarging it only
// helps when the face is smaller than the 80 px HOG window (RAF-DB's 100 px
// crops hold ~74 px faces), and then box is where the face is anyway. The
// upsampled pass is 4x the pixels and costs most of the time of Detect on such
// a crop. Faces come largest first, as with Detect.
func (p *Predictor) DetectAlignedNative(img gocv.Mat, box AlignedBox) ([]Face, error) {
	faces, err := p.LocateAlignedNative(img, box)
	if err != nil {
		return nil, err
	}
	var jobs []FaceBox
	for _, f := range faces {
		jobs = append(jobs, FaceBox{Img: img, Box: f.Box})
	}
	shapes, errs := p.PredictBatch(jobs)
	for i := range faces {
		if errs[i] != nil {
			return nil, errs[i]
		}
		faces[i].Points = shapes[i]
	}
	return faces, nil
}

// LocateAlignedNative is DetectAlignedNative without the landmarks: the faces
// found by one native-scale detection pass, or else the face on box (Source
// SourceAlignedFallback), with Points left zero for PredictBatch to fill.
func (p *Predictor) LocateAlignedNative(img gocv.Mat, box AlignedBox) ([]Face, error) {
	if !box.Valid() {
		return nil, fmt.Errorf("landmarks: invalid aligned box %+v", box)
	}
	faces, err := p.DetectFaces(img, true)
	if err != nil || len(faces) > 0 {
		return faces, err
	}
	return []Face{{Box: box.Rect(img.Cols(), img.Rows()), Source: SourceAlignedFallback}}, nil
}

// PredictAligned skips detection and runs the shape predictor on box scaled
// to the image: the fast path for crops known to be aligned. The face has
// Source SourceAlignedFallback and Score 0.
func (p *Predictor) PredictAligned(img gocv.Mat, box AlignedBox) (Face, error) {
	if !box.Valid() {
		return Face{}, fmt.Errorf("landmarks: invalid aligned box %+v", box)
	}
	r := box.Rect(img.Cols(), img.Rows())
	s, err := p.PredictInBox(img, r)
	if err != nil {
		return Face{}, err
	}
	return Face{Box: r, Points: s, Source: SourceAlignedFallback}, nil
}
