package landmarks

// The dlib binding: thin Go wrappers over shim.h. Nothing here knows about
// gocv; callers hand over a raw BGR buffer.
//
// Built with -O3; the detector and predictor hot paths are multiversioned in
// shim.cpp (an AVX2 clone and a baseline clone, chosen at load time by the
// CPU), so the binary runs on any x86-64 CPU. No -m flag is set here on
// purpose: -mavx2 on the whole file would crash CPUs without AVX2.

/*
#cgo pkg-config: dlib-1
#cgo CXXFLAGS: -std=c++14 -O3 -DNDEBUG
#include <stdlib.h>
#include "shim.h"
*/
import "C"

import (
	"errors"
	"image"
	"slices"
	"unsafe"

	"github.com/occfer/occfer/landmarks/face68"
)

// maxDetections bounds how many boxes one call reports; a 100x100 crop or a
// dataset photo never holds more, and a fixed array avoids per-call heap use.
const maxDetections = 64

// bgrBuffer is a view of 8-bit BGR pixels that stay alive for the call.
type bgrBuffer struct {
	data       unsafe.Pointer
	rows, cols int
	step       int
}

func (b bgrBuffer) c() C.occ_image {
	return C.occ_image{data: (*C.uchar)(b.data), rows: C.long(b.rows), cols: C.long(b.cols), step: C.long(b.step)}
}

// takeErr converts and frees a shim error string.
func takeErr(cerr *C.char) error {
	if cerr == nil {
		return errors.New("dlib: unknown error")
	}
	defer C.free(unsafe.Pointer(cerr))
	return errors.New("dlib: " + C.GoString(cerr))
}

func loadShapePredictor(path string) (unsafe.Pointer, error) {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var cerr *C.char
	sp := C.occ_predictor_load(cpath, &cerr)
	if sp == nil {
		return nil, takeErr(cerr)
	}
	return sp, nil
}

func freeShapePredictor(sp unsafe.Pointer) { C.occ_predictor_free(sp) }

func newDetector() (unsafe.Pointer, error) {
	var cerr *C.char
	d := C.occ_detector_new(&cerr)
	if d == nil {
		return nil, takeErr(cerr)
	}
	return d, nil
}

func freeDetector(d unsafe.Pointer) { C.occ_detector_free(d) }

// rawDet is one detection with a half-open box (dlib's inclusive right/bottom + 1).
type rawDet struct {
	box   image.Rectangle
	score float64
}

// detectRaw runs one detector pass, keeping detections scoring above adjust (dlib's
// adjust_threshold; 0 is its own threshold); dst is reused to avoid allocations.
func detectRaw(det unsafe.Pointer, img bgrBuffer, upsample int, adjust float64, dst []rawDet) ([]rawDet, error) {
	var out [maxDetections]C.occ_det
	var found C.int
	var cerr *C.char
	if C.occ_detect(det, img.c(), C.int(upsample), C.double(adjust), &out[0], maxDetections, &found, &cerr) != 0 {
		return dst, takeErr(cerr)
	}
	n := min(int(found), maxDetections)
	for _, d := range out[:n] {
		dst = append(dst, rawDet{
			box:   image.Rect(int(d.left), int(d.top), int(d.right)+1, int(d.bottom)+1),
			score: float64(d.score),
		})
	}
	return dst, nil
}

// predictRaw runs the shape predictor on face i in boxes[i] (half-open) of
// imgs[i], starting from inits[i] when inits is not empty and inits[i] is not
// nil (else from the model's mean shape), and fills out[i]; imgs, boxes, out
// (and inits when not empty) have the same length.
func predictRaw(sp unsafe.Pointer, imgs []bgrBuffer, boxes []image.Rectangle, inits []*face68.Shape, out []face68.Shape) error {
	if len(imgs) == 0 {
		return nil
	}
	var cinit *C.double
	var chas *C.uchar
	if slices.ContainsFunc(inits, func(s *face68.Shape) bool { return s != nil }) {
		start := make([]face68.Shape, len(imgs))
		has := make([]C.uchar, len(imgs))
		for i, s := range inits {
			if s != nil {
				start[i], has[i] = *s, 1
			}
		}
		cinit, chas = (*C.double)(unsafe.Pointer(&start[0][0].X)), &has[0]
	}
	cimgs := make([]C.occ_image, len(imgs))
	cboxes := make([]C.long, 0, 4*len(boxes))
	for i, b := range boxes {
		cimgs[i] = imgs[i].c()
		cboxes = append(cboxes, C.long(b.Min.X), C.long(b.Min.Y), C.long(b.Max.X-1), C.long(b.Max.Y-1))
	}
	var cerr *C.char
	// Shape is [68]struct{X, Y float64}: 136 contiguous doubles, the layout
	// the shim writes, so the results land in place without a copy.
	if C.occ_predict_batch(sp, &cimgs[0], &cboxes[0], C.int(len(imgs)), cinit, chas, (*C.double)(unsafe.Pointer(&out[0][0].X)), &cerr) != 0 {
		return takeErr(cerr)
	}
	return nil
}

// referencePredict runs dlib's own shape_predictor (loaded from modelPath for
// this call) on each box, for tests comparing it with the fast evaluator.
func referencePredict(modelPath string, img bgrBuffer, boxes []image.Rectangle) ([]face68.Shape, error) {
	if len(boxes) == 0 {
		return nil, nil
	}
	cpath := C.CString(modelPath)
	defer C.free(unsafe.Pointer(cpath))
	cboxes := make([]C.long, 0, 4*len(boxes))
	for _, b := range boxes {
		cboxes = append(cboxes, C.long(b.Min.X), C.long(b.Min.Y), C.long(b.Max.X-1), C.long(b.Max.Y-1))
	}
	out := make([]face68.Shape, len(boxes))
	var cerr *C.char
	if C.occ_reference_predict(cpath, img.c(), &cboxes[0], C.int(len(boxes)), (*C.double)(unsafe.Pointer(&out[0][0].X)), &cerr) != 0 {
		return nil, takeErr(cerr)
	}
	return out, nil
}
