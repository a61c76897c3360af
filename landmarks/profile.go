package landmarks

import (
	"errors"
	"fmt"
	"image"
	"math"
	"os"
	"sort"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/internal/freelist"
)

// DefaultProfileCascade is where Debian's opencv-data package installs OpenCV's Haar cascade
// of faces in profile (trained on faces turned to one side; ProfileDetector also runs it on
// the mirror image for the other side).
const DefaultProfileCascade = "/usr/share/opencv4/haarcascades/haarcascade_profileface.xml"

// Profile-box mapping: the box the HOG detector (and so the shape predictor, trained on HOG
// boxes) puts around a face, from the cascade's box of the same face. Measured on the 99
// AFLW2000-3D faces of the measurement set that both detectors find
// (scripts/realdata/deteval): the HOG box is 0.753 times the cascade's side, its centre
// 0.140 sides toward the back of the head (image left for a face detected unmirrored) and
// 0.058 sides lower.
const (
	profileSide    = 0.753
	profileShiftX  = -0.140
	profileShiftY  = 0.058
	profileMinSide = 30 // pixels: smaller boxes are mostly texture
)

// ProfileDetector finds faces turned beyond the frontal HOG detector's range with OpenCV's
// profile-face cascade, run on the image and on its mirror. Cascade classifiers keep
// scratch state, so each concurrent caller borrows its own copy. Safe for concurrent use.
type ProfileDetector struct {
	path     string
	cascades *freelist.List[*gocv.CascadeClassifier]
}

// OpenProfile loads the cascade at path (DefaultProfileCascade when empty).
func OpenProfile(path string) (*ProfileDetector, error) {
	if path == "" {
		path = DefaultProfileCascade
	}
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("landmarks: profile-face cascade %s not found (install the Debian package opencv-data, or pass the path of haarcascade_profileface.xml)", path)
		}
		return nil, fmt.Errorf("landmarks: profile-face cascade %s: %w", path, err)
	}
	d := &ProfileDetector{path: path}
	d.cascades = freelist.New(d.load, func(c *gocv.CascadeClassifier) { c.Close() })
	c, err := d.cascades.Get()
	if err != nil {
		return nil, err
	}
	d.cascades.Put(c)
	return d, nil
}

// load makes one more classifier from the cascade file.
func (d *ProfileDetector) load() (*gocv.CascadeClassifier, error) {
	c := gocv.NewCascadeClassifier()
	if !c.Load(d.path) {
		c.Close()
		return nil, fmt.Errorf("landmarks: cannot load the profile-face cascade %s", d.path)
	}
	return &c, nil
}

// Close frees the classifiers.
func (d *ProfileDetector) Close() { d.cascades.Close() }

// DetectFaces finds profile faces in img (8-bit BGR or gray): the cascade on the
// histogram-equalised gray image (faces turned one way) and on its mirror (the other way),
// overlapping boxes merged (the larger kept), each box mapped to where the HOG detector would
// put it, so the shape predictor runs on the box it was trained on. Faces come largest
// first, with Source SourceDetected, Detector DetectorProfile and Score 0 (the cascade
// gives no score). Points are left zero for the predictor.
func (d *ProfileDetector) DetectFaces(img gocv.Mat) ([]Face, error) {
	if img.Empty() {
		return nil, errors.New("landmarks: empty image")
	}
	c, err := d.cascades.Get()
	if err != nil {
		return nil, err
	}
	defer d.cascades.Put(c)
	gray := gocv.NewMat()
	defer gray.Close()
	if img.Channels() == 1 {
		img.CopyTo(&gray)
	} else {
		gocv.CvtColor(img, &gray, gocv.ColorBGRToGray)
	}
	gocv.EqualizeHist(gray, &gray)
	flip := gocv.NewMat()
	defer flip.Close()
	gocv.Flip(gray, &flip, 1)
	type det struct {
		r      image.Rectangle
		mirror bool
	}
	var dets []det
	minSize := image.Pt(profileMinSide, profileMinSide)
	for _, r := range c.DetectMultiScaleWithParams(gray, 1.1, 3, 0, minSize, image.Point{}) {
		dets = append(dets, det{r, false})
	}
	w := gray.Cols()
	for _, r := range c.DetectMultiScaleWithParams(flip, 1.1, 3, 0, minSize, image.Point{}) {
		dets = append(dets, det{image.Rect(w-r.Max.X, r.Min.Y, w-r.Min.X, r.Max.Y), true})
	}
	sort.SliceStable(dets, func(i, j int) bool { return area(dets[i].r) > area(dets[j].r) })
	var faces []Face
	var kept []image.Rectangle
	for _, dt := range dets {
		if overlapsAny(dt.r, kept) {
			continue
		}
		kept = append(kept, dt.r)
		side := float64(dt.r.Dx())
		shift := profileShiftX
		if dt.mirror {
			shift = -shift
		}
		cx := float64(dt.r.Min.X+dt.r.Max.X)/2 + shift*side
		cy := float64(dt.r.Min.Y+dt.r.Max.Y)/2 + profileShiftY*side
		s := profileSide * side
		x0, y0 := int(math.Round(cx-s/2)), int(math.Round(cy-s/2))
		n := int(math.Round(s))
		faces = append(faces, Face{Box: image.Rect(x0, y0, x0+n, y0+n), Source: SourceDetected, Detector: DetectorProfile})
	}
	return faces, nil
}

// overlapsAny reports whether r overlaps one of rs by at least 30% of the smaller box.
func overlapsAny(r image.Rectangle, rs []image.Rectangle) bool {
	for _, q := range rs {
		in := r.Intersect(q)
		if float64(area(in)) >= 0.3*float64(min(area(r), area(q))) {
			return true
		}
	}
	return false
}

// ConfidentFaces keeps the faces a detector is sure enough of: faces without a detector
// score (from files, fixed boxes or the profile cascade) are kept; a HOG face (upright or
// rotated) is kept when its score is at least minScore and, unless it is the image's
// best-scoring HOG face, at least minSecond. The second bound is what separates the astronaut's suit emblem from real
// faces: the emblem scores up to 0.40 (the astronaut and its mirror at 45 sizes), always
// beside the face it belongs to, while real faces alone in a photograph score down to 0.004
// when turned (18% of AFLW2000-3D's turned faces score under 0.5; docs/occlude.md,
// "Detection"), so no bound on the best detection can drop the emblem and keep them. Order
// is kept.
func ConfidentFaces(faces []Face, minScore, minSecond float64) []Face {
	best := -1
	for i, f := range faces {
		if hogScored(f) && (best < 0 || f.Score > faces[best].Score) {
			best = i
		}
	}
	out := faces[:0:0]
	for i, f := range faces {
		if hogScored(f) && (f.Score < minScore || (i != best && f.Score < minSecond)) {
			continue
		}
		out = append(out, f)
	}
	return out
}

// hogScored reports whether f carries a HOG score (found upright or on a rotated image).
func hogScored(f Face) bool { return f.Detector == DetectorHOG || f.Detector == DetectorHOGRotated }

// MostProminent is the index of the face --faces largest keeps: the largest box weighted by
// its HOG score (area x score), so a weak detection never wins over a confident face of
// similar size; among faces without scores, the largest box.
func MostProminent(faces []Face) int {
	best, bestV := 0, -1.0
	scored := false
	for _, f := range faces {
		scored = scored || f.Score > 0
	}
	for i, f := range faces {
		v := float64(area(f.Box))
		if scored {
			v *= f.Score
		}
		if v > bestV {
			best, bestV = i, v
		}
	}
	return best
}
