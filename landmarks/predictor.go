package landmarks

import (
	"errors"
	"fmt"
	"image"
	"os"
	"slices"
	"sort"
	"sync"
	"unsafe"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/internal/freelist"
	"github.com/occfer/occfer/landmarks/face68"
)

// DefaultModelPath is where Debian's libdlib-data installs dlib's 68-point
// iBUG-300W shape predictor.
const DefaultModelPath = "/usr/share/dlib/shape_predictor_68_face_landmarks.dat"

// ErrClosed is returned by calls on a closed Predictor.
var ErrClosed = errors.New("landmarks: predictor is closed")

// Predictor detects faces and predicts 68-point landmarks. The ~100 MB shape
// predictor model is loaded once and shared: it is read-only after loading
// and evaluated by fast_predictor.h, a cache-friendlier evaluator that gives
// exactly dlib's shape_predictor results. HOG detectors keep scratch state,
// so each concurrent caller borrows its own copy from a free list (copies of
// one decoded prototype). All methods are safe for concurrent use.
type Predictor struct {
	mu     sync.RWMutex // read-held by every call; Close takes it exclusively
	sp     unsafe.Pointer
	closed bool

	detectors *freelist.List[unsafe.Pointer] // grows to the peak concurrency
}

// Open loads the dlib shape predictor model at modelPath (DefaultModelPath
// when empty). Loading takes about a second; share the Predictor.
func Open(modelPath string) (*Predictor, error) {
	if modelPath == "" {
		modelPath = DefaultModelPath
	}
	if _, err := os.Stat(modelPath); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("landmarks: shape predictor model %s not found (install the Debian package libdlib-data, or pass the path of shape_predictor_68_face_landmarks.dat)", modelPath)
		}
		return nil, fmt.Errorf("landmarks: shape predictor model %s: %w", modelPath, err)
	}
	sp, err := loadShapePredictor(modelPath)
	if err != nil {
		return nil, fmt.Errorf("landmarks: loading shape predictor model %s: %w", modelPath, err)
	}
	p := &Predictor{sp: sp, detectors: freelist.New(newDetector, freeDetector)}
	// Build the first detector now so a broken dlib fails at Open, not mid-run.
	d, err := p.detectors.Get()
	if err != nil {
		freeShapePredictor(sp)
		return nil, fmt.Errorf("landmarks: creating face detector: %w", err)
	}
	p.detectors.Put(d)
	return p, nil
}

// Close frees the model and the detectors. It waits for calls in flight;
// later calls return ErrClosed. Close is idempotent.
func (p *Predictor) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	freeShapePredictor(p.sp)
	p.sp = nil
	p.detectors.Close() // no call is in flight: every detector is idle
	return nil
}

func (p *Predictor) getDetector() (unsafe.Pointer, error) { return p.detectors.Get() }

func (p *Predictor) putDetector(d unsafe.Pointer) { p.detectors.Put(d) }

// matBuffer checks that img is non-empty 8-bit BGR and returns a view of its
// pixels. A non-continuous Mat (an ROI) is cloned so the view has a fixed
// stride; the clone is returned to be closed by the caller.
func matBuffer(img gocv.Mat) (bgrBuffer, *gocv.Mat, error) {
	if img.Empty() {
		return bgrBuffer{}, nil, errors.New("landmarks: empty image")
	}
	if img.Type() != gocv.MatTypeCV8UC3 {
		return bgrBuffer{}, nil, fmt.Errorf("landmarks: image type %v, want 8-bit BGR (CV_8UC3)", img.Type())
	}
	var clone *gocv.Mat
	if !img.IsContinuous() {
		c := img.Clone()
		clone, img = &c, c
	}
	data, err := img.DataPtrUint8()
	if err != nil {
		if clone != nil {
			clone.Close()
		}
		return bgrBuffer{}, nil, fmt.Errorf("landmarks: image data: %w", err)
	}
	return bgrBuffer{data: unsafe.Pointer(&data[0]), rows: img.Rows(), cols: img.Cols(), step: img.Step()}, clone, nil
}

// Detect finds every face with the HOG detector, first at the image's own
// scale and, only when that finds nothing, once more on the image enlarged
// 2x (dlib's pyramid_up). The HOG window is 80 px, so the first pass needs
// faces of roughly 80 px and more; the second finds them down to about 30 px
// (the astronaut face at 26 px is found, with a 37 px box). Each face
// gets its 68 landmarks; faces are sorted by box area, largest first. An
// image without faces gives an empty slice and no error.
func (p *Predictor) Detect(img gocv.Mat) (faces []Face, err error) {
	err = p.withImage(img, func(buf bgrBuffer) error {
		faces, err = p.detect(buf, true)
		return err
	})
	return faces, err
}

// withImage runs fn on img's pixels under the read lock, so that Close waits for the calls in
// flight and later calls get ErrClosed.
func (p *Predictor) withImage(img gocv.Mat, fn func(bgrBuffer) error) error {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		return ErrClosed
	}
	buf, clone, err := matBuffer(img)
	if err != nil {
		return err
	}
	if clone != nil {
		defer clone.Close()
	}
	return fn(buf)
}

// predictFace runs the shape predictor in box, wrapping its error with the box.
func (p *Predictor) predictFace(buf bgrBuffer, box image.Rectangle, s *face68.Shape) error {
	if err := predictRaw(p.sp, []bgrBuffer{buf}, []image.Rectangle{box}, nil, unsafe.Slice(s, 1)); err != nil {
		return fmt.Errorf("landmarks: shape prediction in %v: %w", box, err)
	}
	return nil
}

// detect runs the detector at native scale and, when upsample is set and that
// found nothing, on the 2x enlarged image; then the predictor on each face.
func (p *Predictor) detect(buf bgrBuffer, upsample bool) ([]Face, error) {
	raw, err := p.detectBoxes(buf, upsample)
	if err != nil || len(raw) == 0 {
		return nil, err
	}
	faces := make([]Face, len(raw))
	for i, r := range raw {
		faces[i] = Face{Box: r.box, Score: r.score, Source: SourceDetected, Detector: DetectorHOG}
		if err := p.predictFace(buf, r.box, &faces[i].Points); err != nil {
			return nil, err
		}
	}
	return faces, nil
}

// detectBoxes is detect without the predictor: the detections, largest box
// first (ties keep the detector's order).
func (p *Predictor) detectBoxes(buf bgrBuffer, upsample bool) ([]rawDet, error) {
	return p.detectBoxesFloor(buf, upsample, 0)
}

// detectBoxesFloor is detectBoxes keeping detections down to floor (<= 0, dlib's
// adjust_threshold): the 2x pass runs when the native one finds nothing scoring 0 or more,
// and its detections join the native ones.
func (p *Predictor) detectBoxesFloor(buf bgrBuffer, upsample bool, floor float64) ([]rawDet, error) {
	det, err := p.getDetector()
	if err != nil {
		return nil, fmt.Errorf("landmarks: creating face detector: %w", err)
	}
	var scratch [4]rawDet
	raw, err := detectRaw(det, buf, 0, floor, scratch[:0])
	if err == nil && !slices.ContainsFunc(raw, func(r rawDet) bool { return r.score >= 0 }) && upsample {
		raw, err = detectRaw(det, buf, 1, floor, raw)
	}
	p.putDetector(det)
	if err != nil {
		return nil, fmt.Errorf("landmarks: face detection: %w", err)
	}
	sort.SliceStable(raw, func(i, j int) bool { return area(raw[i].box) > area(raw[j].box) })
	return raw, nil
}

// DetectFacesFloor is DetectFaces (with its 2x pass) keeping detections that score down to
// floor (<= 0; dlib's own threshold is 0): faces turned beyond the detector's range often
// score just below 0. The 2x pass runs when the native one finds nothing scoring 0 or more.
func (p *Predictor) DetectFacesFloor(img gocv.Mat, floor float64) (faces []Face, err error) {
	if floor > 0 {
		return nil, fmt.Errorf("landmarks: detection floor %g above dlib's threshold 0", floor)
	}
	err = p.withImage(img, func(buf bgrBuffer) error {
		raw, err := p.detectBoxesFloor(buf, true, floor)
		for _, r := range raw {
			faces = append(faces, Face{Box: r.box, Score: r.score, Source: SourceDetected, Detector: DetectorHOG})
		}
		return err
	})
	return faces, err
}

// DetectFaces is Detect without the landmarks: the faces' boxes and scores
// (Source SourceDetected, Points left zero), largest first, for callers that
// predict many faces together with PredictBatch, or that need only boxes
// (calibrating the aligned-fallback box). With nativeOnly the detector runs
// once, at the image's own scale, as in DetectAlignedNative; otherwise as in
// Detect, with the 2x enlarged pass when the first finds nothing.
func (p *Predictor) DetectFaces(img gocv.Mat, nativeOnly bool) (faces []Face, err error) {
	err = p.withImage(img, func(buf bgrBuffer) error {
		raw, err := p.detectBoxes(buf, !nativeOnly)
		for _, r := range raw {
			faces = append(faces, Face{Box: r.box, Score: r.score, Source: SourceDetected, Detector: DetectorHOG})
		}
		return err
	})
	return faces, err
}

func area(r image.Rectangle) int { return r.Dx() * r.Dy() }

// PredictInBox runs the shape predictor inside box (half-open; it may reach
// outside the image) without running the detector.
func (p *Predictor) PredictInBox(img gocv.Mat, box image.Rectangle) (face68.Shape, error) {
	var s face68.Shape
	if box.Empty() {
		return s, fmt.Errorf("landmarks: empty face box %v", box)
	}
	err := p.withImage(img, func(buf bgrBuffer) error { return p.predictFace(buf, box, &s) })
	return s, err
}
