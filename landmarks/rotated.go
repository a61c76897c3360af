package landmarks

import (
	"image"
	"image/color"
	"math"
	"sort"

	"gocv.io/x/gocv"
)

// DetectorHOGRotated names faces dlib's HOG detector found on the image rotated about its
// centre (Predictor.DetectFacesRotated): rolled and turned faces it misses upright.
const DetectorHOGRotated = "hog-rotated"

// RotatedAngles are the in-plane rotations, in degrees, occlude tries when HOG finds no face
// upright: a turned face that HOG misses upright is often found once the image is rolled by
// 15 deg either way (measured on AFLW2000-3D, docs/occlude.md "Detection").
func RotatedAngles() []float64 { return []float64{-15, 15} }

// DetectFacesRotated runs the HOG detector (as DetectFaces, with its 2x pass when a rotation
// finds nothing) on img rotated about its centre by each angle in degrees (positive:
// counter-clockwise on screen, OpenCV's getRotationMatrix2D convention; corners filled by
// replicating the border), and maps each detection back into img: the box keeps its side and
// its centre is rotated back, so the shape predictor runs on img itself. Detections of one
// face under several angles are merged (boxes overlapping by 30% of the smaller one), the
// highest score kept. Faces come largest first, with Source SourceDetected, Detector
// DetectorHOGRotated and the HOG score; Points are left zero for the predictor.
func (p *Predictor) DetectFacesRotated(img gocv.Mat, angles []float64) ([]Face, error) {
	var all []Face
	cx, cy := float64(img.Cols()-1)/2, float64(img.Rows()-1)/2
	for _, deg := range angles {
		rm := gocv.GetRotationMatrix2D(image.Pt(img.Cols()/2, img.Rows()/2), deg, 1)
		// rotate about the true centre: getRotationMatrix2D takes an integer point
		a := deg * math.Pi / 180
		cos, sin := math.Cos(a), math.Sin(a)
		rm.SetDoubleAt(0, 2, cx-cos*cx-sin*cy)
		rm.SetDoubleAt(1, 2, cy+sin*cx-cos*cy)
		rot := gocv.NewMat()
		gocv.WarpAffineWithParams(img, &rot, rm, image.Pt(img.Cols(), img.Rows()), gocv.InterpolationLinear, gocv.BorderReplicate, color.RGBA{})
		rm.Close()
		faces, err := p.DetectFaces(rot, false)
		rot.Close()
		if err != nil {
			return nil, err
		}
		for _, f := range faces {
			// rot(x) = R(x - c) + c with R = [cos sin; -sin cos]; back: x = Rᵀ(y - c) + c
			bx := float64(f.Box.Min.X+f.Box.Max.X-1)/2 - cx
			by := float64(f.Box.Min.Y+f.Box.Max.Y-1)/2 - cy
			x, y := cx+cos*bx-sin*by, cy+sin*bx+cos*by
			side := f.Box.Dx()
			x0 := int(math.Round(x - float64(side-1)/2))
			y0 := int(math.Round(y - float64(side-1)/2))
			all = append(all, Face{Box: image.Rect(x0, y0, x0+side, y0+side), Score: f.Score, Source: SourceDetected, Detector: DetectorHOGRotated})
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Score > all[j].Score })
	var faces []Face
	var kept []image.Rectangle
	for _, f := range all {
		if overlapsAny(f.Box, kept) {
			continue
		}
		kept = append(kept, f.Box)
		faces = append(faces, f)
	}
	sort.SliceStable(faces, func(i, j int) bool { return area(faces[i].Box) > area(faces[j].Box) })
	return faces, nil
}
