package occlusion

import (
	"fmt"
	"image"
	"math"
	"sort"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/imageio"
	"github.com/occfer/occfer/landmarks"
	"github.com/occfer/occfer/landmarks/face68"
)

// KindAlign makes RAF-DB-style aligned crops instead of occluding (occlude align).
const KindAlign Kind = "align"

// DefaultAlignSize is the side of an aligned crop: RAF-DB's Image/aligned crops are 100x100.
const DefaultAlignSize = 100

// AlignTemplate is where an aligned crop puts the subject's right eye centre (image left),
// left eye centre (image right) and mouth centre, in continuous coordinates of a 100x100 crop
// (pixel (i, j) covers [i, i+1) x [j, j+1)); other sizes scale it. RAF-DB does not publish
// its template, so this is the project's RAF-DB-style convention, the one its aligned-crop
// box (landmarks.DefaultAlignedBox) and the synthetic set (synth) are built on: eyes level,
// eye midpoint at (50, 38), mouth centre at (50, 75); the eye distance is what the mean
// face shape of package landmarks (FitFrom5's reference, IOD 1, mouth centre 0.9801 below the
// eyes) gives at that eye-mouth distance: 37 / 0.9801 = 37.75 px.
var AlignTemplate = [3]face68.Point{{X: 31.125, Y: 38}, {X: 68.875, Y: 38}, {X: 50, Y: 75}}

// AlignPoints are the three points of s that alignment maps onto AlignTemplate: the eye
// centres (means of 36-41 and 42-47) and the mouth centre, the centroid of the outer lip
// points 48-59.
func AlignPoints(s *face68.Shape) [3]face68.Point {
	var m face68.Point
	for _, p := range s[face68.OuterLipFirst : face68.OuterLipLast+1] {
		m.X += p.X
		m.Y += p.Y
	}
	n := float64(face68.OuterLipLast - face68.OuterLipFirst + 1)
	return [3]face68.Point{s.RightEye(), s.LeftEye(), {X: m.X / n, Y: m.Y / n}}
}

// AlignTransform is the similarity from image pixel coordinates (pixel centres at integers)
// to those of a size x size aligned crop: the least-squares fit of AlignPoints(s) onto
// AlignTemplate scaled to size (exact when the face's eye-mouth triangle has the template's
// shape), as a 3x3 row-major matrix.
func AlignTransform(s *face68.Shape, size int) [3][3]float64 {
	src := AlignPoints(s)
	k := float64(size) / 100
	var dst [3]face68.Point
	for i, p := range AlignTemplate {
		dst[i] = face68.Point{X: p.X*k - 0.5, Y: p.Y*k - 0.5} // continuous -> pixel centres
	}
	return face68.FitSimilarity(src[:], dst[:])
}

// alignImage warps img by m into a size x size crop. A crop that shrinks the face is
// resampled in two steps, an area-averaging resize to the target scale and then a bilinear
// warp, so a face of a large photograph is not aliased; borders replicate the edge pixels.
func alignImage(img gocv.Mat, m [3][3]float64, size int) (gocv.Mat, error) {
	scale := math.Hypot(m[0][0], m[1][0])
	src := img
	if scale < 0.5 {
		w := max(1, int(math.Round(float64(img.Cols())*scale)))
		h := max(1, int(math.Round(float64(img.Rows())*scale)))
		small := gocv.NewMat()
		defer small.Close()
		gocv.Resize(img, &small, image.Pt(w, h), 0, 0, gocv.InterpolationArea)
		// The resize maps pixel centre p to (p+0.5)*s-0.5; undo it in front of m.
		sx, sy := float64(w)/float64(img.Cols()), float64(h)/float64(img.Rows())
		inv := [3][3]float64{{1 / sx, 0, 0.5/sx - 0.5}, {0, 1 / sy, 0.5/sy - 0.5}, {0, 0, 1}}
		m = mul3(m, inv)
		src = small
	}
	return imageio.Warp(src, m, image.Pt(size, size), gocv.InterpolationLinear, gocv.BorderReplicate)
}

func mul3(a, b [3][3]float64) [3][3]float64 {
	var c [3][3]float64
	for i := range 3 {
		for j := range 3 {
			for k := range 3 {
				c[i][j] += a[i][k] * b[k][j]
			}
		}
	}
	return c
}

func apply3(m [3][3]float64, p face68.Point) face68.Point {
	return face68.Point{X: m[0][0]*p.X + m[0][1]*p.Y + m[0][2], Y: m[1][0]*p.X + m[1][1]*p.Y + m[1][2]}
}

// alignItem writes the aligned crop of the item's largest face. The record's face has the
// landmarks, box and transform of the crop: landmarks in crop pixels, the transform from the
// input image to the crop.
func (r *runner) alignItem(rec Record, it dataset.Item, img gocv.Mat, f landmarks.Face) Record {
	size := r.cfg.AlignSize
	m := AlignTransform(&f.Points, size)
	var s face68.Shape
	for i, p := range f.Points {
		s[i] = apply3(m, p)
	}
	fr := faceOrigin(f)
	b := s.Box()
	fr.Box = [4]int{b.Min.X, b.Min.Y, b.Max.X, b.Max.Y}
	for i, p := range s {
		fr.Landmarks[i] = [2]float64{round2(p.X), round2(p.Y)}
	}
	for _, row := range m {
		for _, v := range row {
			fr.Transform = append(fr.Transform, math.Round(v*1e6)/1e6)
		}
	}
	out, err := alignImage(img, m, size)
	if err != nil {
		return failRecord(rec, StatusError, fmt.Errorf("%s: align: %w", it.Abs, err))
	}
	defer out.Close()
	data, conv, err := imageio.EncodeAs(it.Rel, out)
	if err != nil {
		return failRecord(rec, StatusError, err)
	}
	if rec.Format != nil {
		rec.Format.Conversion = conv
	}
	if err := dataset.WriteFileAtomic(r.outPath(it.Rel), data); err != nil {
		return failRecord(rec, StatusError, err)
	}
	rec.Faces = []FaceRecord{fr}
	rec.Status = string(f.Source)
	rec.Out, rec.Action, rec.SHA256 = it.Rel, ActionWritten, sha256Hex(data)
	return rec
}

// writeAlignedLandmarks writes OUT/landmarks68.jsonl with the crop landmarks of every aligned
// image (the records' faces, sorted by path), so the output is an input of occlude and ffra
// with landmarks from file. Lines of FaceMesh's landmarks say so ("landmarker": "facemesh"),
// so that occlude keeps the far-eye margin of FaceMesh's landmarks on the crops.
func (r *runner) writeAlignedLandmarks(done map[string]Record) error {
	keys := make([]string, 0, len(done))
	for k, rec := range done {
		if rec.occluded() && len(rec.Faces) > 0 {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var buf []byte
	for _, k := range keys {
		var s face68.Shape
		for i, p := range done[k].Faces[0].Landmarks {
			s[i] = face68.Point{X: p[0], Y: p[1]}
		}
		buf = face68.AppendJSONLBy(buf, done[k].Out, s, -1, done[k].Faces[0].Landmarker)
	}
	return dataset.WriteFileAtomic(r.outPath(dataset.LandmarksFile), buf)
}
