package imageio

import (
	"fmt"
	"image"
	"image/color"

	"gocv.io/x/gocv"
)

// Warp maps src through the 3x3 matrix m (destination = m · source, in
// pixel coordinates) into a new size-sized Mat, with the given interpolation
// and border mode (border pixels are transparent black for BorderConstant).
// A matrix whose last row is (0, 0, 1) takes OpenCV's cheaper warpAffine
// path; any other warpPerspective. Same inputs, same bytes.
func Warp(src gocv.Mat, m [3][3]float64, size image.Point, interp gocv.InterpolationFlags, border gocv.BorderType) (gocv.Mat, error) {
	affine := m[2][0] == 0 && m[2][1] == 0 && m[2][2] == 1
	rows := 3
	if affine {
		rows = 2
	}
	mm := gocv.NewMatWithSize(rows, 3, gocv.MatTypeCV64F)
	defer mm.Close()
	for i := 0; i < rows; i++ {
		for j := 0; j < 3; j++ {
			mm.SetDoubleAt(i, j, m[i][j])
		}
	}
	dst := gocv.NewMat()
	if affine {
		gocv.WarpAffineWithParams(src, &dst, mm, size, interp, border, color.RGBA{})
	} else {
		gocv.WarpPerspectiveWithParams(src, &dst, mm, size, interp, border, color.RGBA{})
	}
	if dst.Empty() || !dst.IsContinuous() {
		dst.Close()
		return gocv.NewMat(), fmt.Errorf("warp %dx%d -> %dx%d produced no continuous image", src.Cols(), src.Rows(), size.X, size.Y)
	}
	return dst, nil
}
