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

// Tiling: short-range BlazeFace sees faces down to about a tenth of its square's side, so
// Detect also runs it on overlapping tiles, tileLevels levels of them: level n cuts the
// image's square into (n+1) x (n+1) tiles of side 2/(n+2) of it (neighbours overlapping by
// half a tile), as long as a tile keeps at least minTileSide pixels. On dlib's example
// group photographs (332-500 px, faces of 26-100 px) the whole image alone found 14
// faces, dlib 36. Images longer than 16:10 are tiled from their shorter side instead
// (stripTiles): in strips of those photographs side by side (2.1-4.2:1) the square's tiles
// found 18 of 86 faces, the strip's 78; docs/occlude.md ("Landmarkers") has the figures.
const (
	tileLevels  = 2
	minTileSide = 160
)

// Detect runs BlazeFace on img (8-bit BGR): on the whole image, letterboxed to a square
// (padding at the right and bottom) and scaled to 128x128, and on overlapping tiles (tiles,
// tileLevels). It returns the faces scoring at least minScore, best first, after
// non-maximum suppression (suppress) within the whole image and then level by level.
func (l *Landmarker) Detect(img gocv.Mat, minScore float64) ([]Detection, error) {
	if img.Empty() || img.Type() != gocv.MatTypeCV8UC3 {
		return nil, fmt.Errorf("mediapipe detect: need an 8-bit BGR image, got type %v", img.Type())
	}
	w, h := img.Cols(), img.Rows()
	side := max(w, h)
	whole, err := l.detectIn(img, image.Rect(0, 0, side, side), minScore)
	if err != nil {
		return nil, err
	}
	keep := suppress(nil, whole)
	for _, level := range tiles(w, h) {
		var found []Detection
		for _, r := range level {
			more, err := l.detectIn(img, r, minScore)
			if err != nil {
				return nil, err
			}
			found = append(found, more...)
		}
		keep = suppress(keep, found)
	}
	sort.SliceStable(keep, func(i, j int) bool { return keep[i].Score > keep[j].Score })
	return keep, nil
}

// tiles are the windows of the tiling levels of a w x h image (see tileLevels), coarse to
// fine, each level row by row. An image up to 16:10 (photographs: 4:3, 3:2) gets squares in
// its letterboxed square (side max(w, h), pixels past w or h are padding), the first of a row
// or column at 0 and the last ending at the square's side, windows that are all padding left
// out. A longer one (a 16:9 video frame, a panorama, a strip) would leave its faces a small
// share of such squares, so its windows are cut from the image itself, sized from its shorter
// side: stripTiles.
func tiles(w, h int) [][]image.Rectangle {
	if 5*max(w, h) > 8*min(w, h) {
		return stripTiles(w, h)
	}
	side := max(w, h)
	var levels [][]image.Rectangle
	for n := 1; n <= tileLevels; n++ {
		tile := 2 * side / (n + 2)
		if tile < minTileSide {
			break
		}
		var level []image.Rectangle
		for ty := 0; ty <= n; ty++ {
			for tx := 0; tx <= n; tx++ {
				// t*(side-tile)/n, not t*((side-tile)/n): the last window ends at side even
				// when side-tile is not a multiple of n.
				x, y := tx*(side-tile)/n, ty*(side-tile)/n
				if x >= w || y >= h {
					continue // all padding
				}
				level = append(level, image.Rect(x, y, x+tile, y+tile))
			}
		}
		levels = append(levels, level)
	}
	return levels
}

// stripTiles are the windows of an elongated w x h image: level n = 0 ... tileLevels has
// squares of side 2*short/(n+2) (short = min(w, h): the whole short side, then 2/3 and 1/2 of
// it, as long as a window keeps minTileSide pixels), laid along each axis at even steps of
// about half a window (spread), the first at 0 and the last at the image's edge; no window
// reaches past the image.
func stripTiles(w, h int) [][]image.Rectangle {
	short := min(w, h)
	var levels [][]image.Rectangle
	for n := 0; n <= tileLevels; n++ {
		tile := 2 * short / (n + 2)
		if tile < minTileSide {
			break
		}
		var level []image.Rectangle
		for _, y := range spread(h, short, n) {
			for _, x := range spread(w, short, n) {
				level = append(level, image.Rect(x, y, x+tile, y+tile))
			}
		}
		levels = append(levels, level)
	}
	return levels
}

// spread is where level n's windows (side 2*short/(n+2)) start along length pixels
// (length >= short): steps of at most half the exact side short/(n+2), rounded down, from 0 to
// length-side. Counted from the exact side, not the rounded one, so that the short side gets
// n+1 windows as a square image's side does.
func spread(length, short, n int) []int {
	tile := 2 * short / (n + 2)
	// steps = ceil((length - side) / (side/2)) with side = 2*short/(n+2), in integers
	steps := ((n+2)*length - 2*short + short - 1) / short
	if steps <= 0 {
		return []int{0}
	}
	out := make([]int, steps+1)
	for i := range out {
		out[i] = i * (length - tile) / steps
	}
	return out
}

// detectIn runs BlazeFace on the square window r of img (reaching past the image at the
// right and bottom, where it is black) and returns its detections scoring at least minScore,
// in image pixels, boxes clipped to the image.
func (l *Landmarker) detectIn(img gocv.Mat, r image.Rectangle, minScore float64) ([]Detection, error) {
	w, h := img.Cols(), img.Rows()
	blob := detBlob(img, r)
	defer blob.Close()
	out, err := l.det.run(blob)
	if err != nil {
		return nil, fmt.Errorf("mediapipe detect: %w", err)
	}
	raw := out[l.det.outputs[0]]
	if len(raw) != len(anchors)*17 {
		return nil, fmt.Errorf("mediapipe detect: %d outputs, want %d", len(raw), len(anchors)*17)
	}
	k := float64(r.Dx()) / detSize // input pixels -> image pixels
	ox, oy := float64(r.Min.X), float64(r.Min.Y)
	var cands []Detection
	for i, a := range anchors {
		v := raw[17*i : 17*i+17]
		score := 1 / (1 + math.Exp(-float64(v[0])))
		if score < minScore {
			continue
		}
		cx, cy := ox+(a[0]+float64(v[1]))*k, oy+(a[1]+float64(v[2]))*k
		bw, bh := float64(v[3])*k, float64(v[4])*k
		d := Detection{Score: score, Box: image.Rect(
			int(math.Floor(cx-bw/2)), int(math.Floor(cy-bh/2)), int(math.Ceil(cx+bw/2)), int(math.Ceil(cy+bh/2)),
		).Intersect(image.Rect(0, 0, w, h))}
		if d.Box.Empty() {
			continue
		}
		for j := range d.Keypoints {
			d.Keypoints[j] = face68.Point{X: ox + (a[0]+float64(v[5+2*j]))*k - 0.5, Y: oy + (a[1]+float64(v[6+2*j]))*k - 0.5}
		}
		cands = append(cands, d)
	}
	return cands, nil
}

// detBlob is BlazeFace's input for the square window r of img: r cut out (black where it
// reaches past the image), scaled to 128x128, RGB in [-1, 1] (as the model was trained), NCHW.
func detBlob(img gocv.Mat, r image.Rectangle) gocv.Mat {
	in := r.Intersect(image.Rect(0, 0, img.Cols(), img.Rows()))
	part := img.Region(in)
	defer part.Close()
	sq := gocv.NewMat()
	defer sq.Close()
	gocv.CopyMakeBorder(part, &sq, in.Min.Y-r.Min.Y, r.Max.Y-in.Max.Y, in.Min.X-r.Min.X, r.Max.X-in.Max.X, gocv.BorderConstant, color.RGBA{})
	return gocv.BlobFromImage(sq, 1/127.5, image.Pt(detSize, detSize), gocv.NewScalar(127.5, 127.5, 127.5, 0), true, false)
}

// suppress adds to keep the detections of cands, best first, that are not a face already
// kept: overlapping a kept box by IoU nmsIoU, or lying half inside one (or holding one half
// inside). Levels are added coarse to fine, so a tile only adds faces the coarser windows
// missed: a large face cut by a tile's edge keeps the box of the window that saw it whole.
func suppress(keep, cands []Detection) []Detection {
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].Score > cands[j].Score })
	for _, c := range cands {
		dup := false
		for _, k := range keep {
			if iou(c.Box, k.Box) > nmsIoU || inside(c.Box, k.Box) > 0.5 || inside(k.Box, c.Box) > 0.5 {
				dup = true
				break
			}
		}
		if !dup {
			keep = append(keep, c)
		}
	}
	return keep
}

// inside is the share of a's area that lies inside b.
func inside(a, b image.Rectangle) float64 {
	in := a.Intersect(b)
	if in.Empty() || a.Empty() {
		return 0
	}
	return float64(in.Dx()*in.Dy()) / float64(a.Dx()*a.Dy())
}

func iou(a, b image.Rectangle) float64 {
	in := a.Intersect(b)
	if in.Empty() {
		return 0
	}
	ia := float64(in.Dx() * in.Dy())
	return ia / (float64(a.Dx()*a.Dy()+b.Dx()*b.Dy()) - ia)
}
