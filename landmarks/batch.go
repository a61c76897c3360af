package landmarks

import (
	"fmt"
	"image"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/landmarks/face68"
)

// FaceBox is one face for PredictBatch: a box (half-open; it may reach
// outside the image) in an 8-bit BGR image, and optionally the shape the
// predictor starts from (image pixels, iBUG order; nil: the model's mean
// shape placed in the box, dlib's own start).
type FaceBox struct {
	Img  gocv.Mat
	Box  image.Rectangle
	Init *face68.Shape
}

// maxBatch bounds the faces handed to the evaluator at once. The gain of a
// batch comes from faces sharing each tree's 16 leaves, which is nearly
// complete by 64 faces; larger batches only grow the scratch memory.
const maxBatch = 128

// PredictBatch runs the shape predictor on many faces at once. shapes[i] is
// PredictInBox(jobs[i].Img, jobs[i].Box), to the bit, and errs[i] its error
// (an empty box, an empty or non-BGR image); a bad job does not stop the
// others. On a dataset of small crops a batch is about twice as fast per face
// as one call per face: the faces share the leaf vectors they read from the
// model (see fast_predictor.h), which are otherwise fetched from memory for
// every face.
func (p *Predictor) PredictBatch(jobs []FaceBox) (shapes []face68.Shape, errs []error) {
	shapes = make([]face68.Shape, len(jobs))
	errs = make([]error, len(jobs))
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		for i := range errs {
			errs[i] = ErrClosed
		}
		return shapes, errs
	}
	// Valid jobs are gathered into one batch; idx maps a batch slot back to its job.
	var bufs []bgrBuffer
	var boxes []image.Rectangle
	var inits []*face68.Shape
	var idx []int
	for i, j := range jobs {
		if j.Box.Empty() {
			errs[i] = fmt.Errorf("landmarks: empty face box %v", j.Box)
			continue
		}
		buf, clone, err := matBuffer(j.Img)
		if err != nil {
			errs[i] = err
			continue
		}
		if clone != nil {
			defer clone.Close()
		}
		bufs, boxes, inits, idx = append(bufs, buf), append(boxes, j.Box), append(inits, j.Init), append(idx, i)
	}
	out := make([]face68.Shape, len(idx))
	for lo := 0; lo < len(idx); lo += maxBatch {
		hi := min(lo+maxBatch, len(idx))
		if err := predictRaw(p.sp, bufs[lo:hi], boxes[lo:hi], inits[lo:hi], out[lo:hi]); err != nil {
			for _, i := range idx[lo:hi] {
				errs[i] = fmt.Errorf("landmarks: shape prediction in %v: %w", jobs[i].Box, err)
			}
		}
	}
	for k, i := range idx {
		if errs[i] == nil {
			shapes[i] = out[k]
		}
	}
	return shapes, errs
}
