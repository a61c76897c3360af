package occlusion

import (
	"context"
	"fmt"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/imageio"
	"github.com/occfer/occfer/internal/limits"
	"github.com/occfer/occfer/landmarks"
)

// A worker loads items into a chunk and finishes the chunk together, so that the shape
// predictor runs on the chunk's faces in one batch (see faceFinder.findAll). The chunk is
// bounded in items and in decoded pixels, so memory stays flat with dataset size and a chunk
// of large photos is one or two images.
const (
	chunkItems  = 64
	chunkPixels = 4 << 20 // ~12 MB of 8-bit BGR
)

// work is one worker: it loads items into chunks and finishes each chunk when it is full, and
// the last one when items is closed.
func (r *runner) work(ctx context.Context, items <-chan dataset.Item, emit func(Record)) {
	var chunk []*loadedItem
	pixels := 0
	for it := range items {
		if ctx.Err() != nil {
			continue // drain what was queued before the cancel without starting it
		}
		l := r.load(it)
		chunk, pixels = append(chunk, l), pixels+l.pixels()
		if len(chunk) == chunkItems || pixels >= chunkPixels {
			r.processChunk(ctx, chunk, emit)
			chunk, pixels = nil, 0
		}
	}
	r.processChunk(ctx, chunk, emit)
}

// loadedItem is an item read and decoded, waiting in its worker's chunk for its faces.
type loadedItem struct {
	it   dataset.Item
	data []byte   // the input bytes, copied unchanged under the no-face policy
	img  gocv.Mat // 8-bit BGR working image (detection, drawing); empty when loading failed
	// native is the image in the file's own format (gray, 16-bit, alpha); img is native.Mat
	// itself when that is 8-bit BGR (shared).
	native imageio.Image
	shared bool
	// base is img before drawing, kept when merge is set: the drawing has to be carried into
	// native (native.NeedsMerge).
	base   gocv.Mat
	merge  bool
	rec    Record // the record so far; final when loading failed
	failed bool
}

// load reads and decodes one item. Failure is recorded in the item, never returned.
func (r *runner) load(it dataset.Item) (l *loadedItem) {
	l = &loadedItem{it: it, rec: Record{In: it.Rel, Seed: r.cfg.Seed}}
	defer func() {
		if p := recover(); p != nil {
			l.close()
			l.rec, l.failed = internalError(it, r.cfg.Seed, p), true
		}
	}()
	data, err := limits.ReadFile(it.Abs, limits.ImageFile, "image")
	if err != nil {
		l.rec, l.failed = failRecord(l.rec, StatusUnreadable, err), true
		return l
	}
	native, err := imageio.DecodeNative(it.Abs, data)
	if err != nil {
		l.rec, l.failed = failRecord(l.rec, StatusUnreadable, err), true
		return l
	}
	img, shared, err := native.Working()
	if err != nil {
		native.Mat.Close()
		l.rec, l.failed = failRecord(l.rec, StatusUnreadable, fmt.Errorf("image %s: %v: %w", it.Abs, err, imageio.ErrUnreadable)), true
		return l
	}
	l.data, l.img, l.native, l.shared = data, img, native, shared
	if native.NeedsMerge() {
		if shared { // gray content in 8-bit BGR: draw on a copy, merge in luminance
			img, l.shared = img.Clone(), false
		}
		l.img, l.base, l.merge = img, img.Clone(), true
	}
	l.rec.Width, l.rec.Height = img.Cols(), img.Rows()
	l.rec.Format = newInputFormat(native.Format)
	return l
}

// pixels is the decoded size of the item, counted against chunkPixels.
func (l *loadedItem) pixels() int { return l.rec.Width * l.rec.Height }

func (l *loadedItem) close() {
	if !l.failed {
		l.img.Close()
		if !l.shared {
			l.native.Mat.Close()
		}
		if l.merge {
			l.base.Close()
		}
	}
}

// processChunk finishes the loaded items of one chunk and hands each record to emit, in the
// chunk's order. Once ctx is cancelled it finishes no more items: those left have written
// nothing and have no record, so a resumed run does them. It closes the items' images.
func (r *runner) processChunk(ctx context.Context, chunk []*loadedItem, emit func(Record)) {
	defer func() {
		for _, l := range chunk {
			l.close()
		}
	}()
	var items []dataset.Item
	var imgs []gocv.Mat
	for _, l := range chunk {
		if !l.failed {
			items, imgs = append(items, l.it), append(imgs, l.img)
		}
	}
	if ctx.Err() != nil {
		return
	}
	faces, errs := r.findFaces(items, imgs)
	k := 0
	for _, l := range chunk {
		if ctx.Err() != nil {
			return
		}
		if l.failed {
			emit(l.rec)
			continue
		}
		emit(r.finishItem(l, faces[k], errs[k]))
		k++
	}
}

// findFaces is faceFinder.findAll, with a panic (a bug in cgo-facing code) turned into an
// error for each item of the chunk rather than crashing the run.
func (r *runner) findFaces(items []dataset.Item, imgs []gocv.Mat) (faces [][]landmarks.Face, errs []error) {
	defer func() {
		if p := recover(); p != nil {
			faces, errs = make([][]landmarks.Face, len(items)), make([]error, len(items))
			for i, it := range items {
				errs[i] = fmt.Errorf("internal error finding faces in %s: %v", it.Abs, p)
			}
		}
	}()
	return r.faces.findAll(items, imgs)
}
