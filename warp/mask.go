package warp

import (
	"fmt"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/landmarks/face68"
)

// Mask is a binary coverage map: Pix[y*W+x] is 255 where an occluder covers
// the pixel (alpha ≥ 0.5) and 0 elsewhere. Random occluders build the same
// type, so Coverage works for every kind of occlusion.
type Mask struct {
	W, H int
	Pix  []uint8
}

// NewMask returns an empty w×h mask.
func NewMask(w, h int) Mask { return Mask{W: w, H: h, Pix: make([]uint8, w*h)} }

// At reports whether pixel (x, y) is covered; outside the mask is uncovered.
func (m Mask) At(x, y int) bool {
	if x < 0 || y < 0 || x >= m.W || y >= m.H {
		return false
	}
	return m.Pix[y*m.W+x] >= 128
}

// Count returns the number of covered pixels.
func (m Mask) Count() int {
	n := 0
	for _, v := range m.Pix {
		if v >= 128 {
			n++
		}
	}
	return n
}

// ToMat copies the mask into a new 8UC1 Mat (0 / 255); the caller closes it.
func (m Mask) ToMat() (gocv.Mat, error) {
	mat, err := gocv.NewMatFromBytes(m.H, m.W, gocv.MatTypeCV8UC1, m.Pix)
	if err != nil {
		return gocv.Mat{}, fmt.Errorf("mask to Mat: %w", err)
	}
	return mat, nil
}

// MaskFromMat reads an 8UC1 Mat; values ≥ 128 count as covered.
func MaskFromMat(mat gocv.Mat) (Mask, error) {
	if mat.Empty() || mat.Type() != gocv.MatTypeCV8UC1 {
		return Mask{}, fmt.Errorf("mask from Mat: want a non-empty 8UC1 Mat, got type %v", mat.Type())
	}
	b, err := mat.DataPtrUint8()
	if err != nil || !mat.IsContinuous() {
		b = mat.ToBytes()
	}
	m := NewMask(mat.Cols(), mat.Rows())
	for i, v := range b[:len(m.Pix)] {
		if v >= 128 {
			m.Pix[i] = 255
		}
	}
	return m, nil
}

// Coverage returns the fractions of the face, eye and mouth regions (see
// face68.Shape.FaceRegion, EyeRegions, MouthRegion) whose pixels the mask covers.
// A region too small to hold a pixel centre is judged by its landmark
// vertices instead, so tiny faces still get a meaningful answer.
func Coverage(mask Mask, face face68.Shape) (faceFrac, eyes, mouth float64) {
	ep := face.EyeRegions()
	return regionCoverage(mask, face.FaceRegion()),
		regionCoverage(mask, ep[0], ep[1]),
		regionCoverage(mask, face.MouthRegion())
}

func regionCoverage(m Mask, polys ...[]face68.Point) float64 {
	total, hit := 0, 0
	for _, poly := range polys {
		scanPolygon(poly, m.W, m.H, func(y, x0, x1 int) {
			row := m.Pix[y*m.W:]
			for x := x0; x < x1; x++ {
				total++
				if row[x] >= 128 {
					hit++
				}
			}
		})
	}
	if total == 0 {
		for _, poly := range polys {
			for _, p := range poly {
				total++
				if m.At(int(p.X+0.5), int(p.Y+0.5)) {
					hit++
				}
			}
		}
	}
	if total == 0 {
		return 0
	}
	return float64(hit) / float64(total)
}
