package mediapipe

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"sort"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/landmarks/face68"
)

// detSize is BlazeFace's (short range) input side in pixels.
const detSize = 128

// DefaultMinScore is the BlazeFace score a detection needs by default: MediaPipe's own
// default min_detection_confidence.
const DefaultMinScore = 0.5

// nmsIoU is the overlap above which a lower-scoring detection is dropped as the same face
// (MediaPipe's face detection uses 0.3).
const nmsIoU = 0.3

// Detection is one face BlazeFace found. Box is in image pixels (x right, y down, half-open,
// clipped to the image); Score is the detection probability in [0, 1]; Keypoints are
// BlazeFace's six points in image pixels (pixel centres at integers): subject's right eye,
// left eye, nose tip, mouth centre, right ear tragion, left ear tragion.
type Detection struct {
	Box       image.Rectangle
	Score     float64
	Keypoints [6]face68.Point
}

// anchors are BlazeFace short range's SSD anchor centres in input pixels: a 16x16 grid with
// 2 anchors per cell (stride 8) then an 8x8 grid with 6 (stride 16), in the order of the
// model's 896 outputs. Source: MediaPipe face_detection_short_range (SsdAnchorsCalculator,
// strides 8, 16, 16, 16; fixed anchor size).
var anchors = func() [][2]float64 {
	var a [][2]float64
	for _, layer := range []struct{ stride, per int }{{8, 2}, {16, 6}} {
		g := detSize / layer.stride
		for y := 0; y < g; y++ {
			for x := 0; x < g; x++ {
				for k := 0; k < layer.per; k++ {
					a = append(a, [2]float64{(float64(x) + 0.5) * float64(layer.stride), (float64(y) + 0.5) * float64(layer.stride)})
				}
			}
		}
	}
	return a
}()

// Detect runs BlazeFace on the whole of img (8-bit BGR), letterboxed to a square (padding at
// the right and bottom) and scaled to 128x128, and returns the faces scoring at least
// minScore, best first, after non-maximum suppression. Short range means faces that fill a
// good part of the frame: a face under about a tenth of the image side is not found.
func (l *Landmarker) Detect(img gocv.Mat, minScore float64) ([]Detection, error) {
	if img.Empty() || img.Type() != gocv.MatTypeCV8UC3 {
		return nil, fmt.Errorf("mediapipe detect: need an 8-bit BGR image, got type %v", img.Type())
	}
	w, h := img.Cols(), img.Rows()
	side := max(w, h)
	blob := detBlob(img)
	defer blob.Close()
	out, err := l.det.run(blob)
	if err != nil {
		return nil, fmt.Errorf("mediapipe detect: %w", err)
	}
	raw := out[l.det.outputs[0]]
	if len(raw) != len(anchors)*17 {
		return nil, fmt.Errorf("mediapipe detect: %d outputs, want %d", len(raw), len(anchors)*17)
	}
	k := float64(side) / detSize // input pixels -> image pixels
	var cands []Detection
	for i, a := range anchors {
		r := raw[17*i : 17*i+17]
		score := 1 / (1 + math.Exp(-float64(r[0])))
		if score < minScore {
			continue
		}
		cx, cy := (a[0]+float64(r[1]))*k, (a[1]+float64(r[2]))*k
		bw, bh := float64(r[3])*k, float64(r[4])*k
		d := Detection{Score: score, Box: image.Rect(
			int(math.Floor(cx-bw/2)), int(math.Floor(cy-bh/2)), int(math.Ceil(cx+bw/2)), int(math.Ceil(cy+bh/2)),
		).Intersect(image.Rect(0, 0, w, h))}
		if d.Box.Empty() {
			continue
		}
		for j := range d.Keypoints {
			d.Keypoints[j] = face68.Point{X: (a[0]+float64(r[5+2*j]))*k - 0.5, Y: (a[1]+float64(r[6+2*j]))*k - 0.5}
		}
		cands = append(cands, d)
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].Score > cands[j].Score })
	var keep []Detection
	for _, c := range cands {
		dup := false
		for _, k := range keep {
			if iou(c.Box, k.Box) > nmsIoU {
				dup = true
				break
			}
		}
		if !dup {
			keep = append(keep, c)
		}
	}
	return keep, nil
}

// detBlob is BlazeFace's input for img: letterboxed to a square with black at the right and
// bottom, scaled to 128x128, RGB in [-1, 1] (as the model was trained), NCHW.
func detBlob(img gocv.Mat) gocv.Mat {
	w, h := img.Cols(), img.Rows()
	side := max(w, h)
	sq := gocv.NewMat()
	defer sq.Close()
	gocv.CopyMakeBorder(img, &sq, 0, side-h, 0, side-w, gocv.BorderConstant, color.RGBA{})
	return gocv.BlobFromImage(sq, 1/127.5, image.Pt(detSize, detSize), gocv.NewScalar(127.5, 127.5, 127.5, 0), true, false)
}

func iou(a, b image.Rectangle) float64 {
	in := a.Intersect(b)
	if in.Empty() {
		return 0
	}
	ia := float64(in.Dx() * in.Dy())
	return ia / (float64(a.Dx()*a.Dy()+b.Dx()*b.Dy()) - ia)
}
