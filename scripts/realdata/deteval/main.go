// Command deteval measures face detection on an annotated set: per yaw band, how many
// annotated faces dlib's HOG detector finds (as occlude runs it: native scale, then 2x
// upsampled when nothing is found) and how many OpenCV's profile cascade adds (on the image
// and its mirror), with the HOG scores of true and false detections. It calibrates
// occlude's minimum detector score and the profile-box mapping (scripts/realdata/README.md).
//
//	go run ./scripts/realdata/deteval -root DIR -landmarks truth.jsonl [-pose pose.jsonl]
package main

import (
	"flag"
	"fmt"
	"image"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"sort"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/audit"
	"github.com/occfer/occfer/imageio"
	"github.com/occfer/occfer/landmarks"
	"github.com/occfer/occfer/landmarks/face68"
	"github.com/occfer/occfer/scripts/realdata/facebox"
)

const profileCascade = "/usr/share/opencv4/haarcascades/haarcascade_profileface.xml"

func main() {
	root := flag.String("root", "", "image folder")
	lmFile := flag.String("landmarks", "", "annotation (68-point JSONL)")
	poseFile := flag.String("pose", "", "pose JSONL (default: yaw estimated from the annotation)")
	flag.Parse()
	if err := run(*root, *lmFile, *poseFile); err != nil {
		fmt.Fprintln(os.Stderr, "deteval:", err)
		os.Exit(1)
	}
}

// matches: the box centre lies within a third of the annotated face's inner side of its
// centre and the box side is 0.6-3 times that side.
func matches(b image.Rectangle, s face68.Shape) bool {
	cx, cy, side := facebox.Inner(s)
	bx, by := float64(b.Min.X+b.Max.X)/2, float64(b.Min.Y+b.Max.Y)/2
	r := float64(b.Dx()) / side
	return math.Hypot(bx-cx, by-cy) < side/3 && r > 0.6 && r < 3
}

func pct(v []float64, q float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[int(q*float64(len(s)-1)+0.5)]
}

func run(root, lmFile, poseFile string) error {
	truth, err := face68.LoadFile(lmFile)
	if err != nil {
		return err
	}
	var poses map[string]audit.Pose
	if poseFile != "" {
		if poses, err = audit.LoadPoseFile(poseFile); err != nil {
			return err
		}
	}
	pred, err := landmarks.Open("")
	if err != nil {
		return err
	}
	defer pred.Close()
	cc := gocv.NewCascadeClassifier()
	defer cc.Close()
	if !cc.Load(profileCascade) {
		return fmt.Errorf("cannot load %s (Debian package opencv-data)", profileCascade)
	}
	rels := make([]string, 0, len(truth))
	for r := range truth {
		rels = append(rels, r)
	}
	sort.Strings(rels)
	type band struct{ n, hog, prof, either, all, profFP int }
	bands := map[string]*band{}
	var trueScores, falseScores []float64
	var dx, dy, ds []float64 // profile box vs HOG box where both find the face
	for _, rel := range rels {
		s := truth[rel]
		yaw := audit.EstimateYaw(&s)
		if p, ok := poses[rel]; ok {
			yaw = p.Yaw
		}
		b := bands[audit.BandOf(yaw)]
		if b == nil {
			b = &band{}
			bands[audit.BandOf(yaw)] = b
		}
		b.n++
		img, err := imageio.Decode(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil {
			return err
		}
		faces, err := pred.DetectFaces(img, false)
		if err != nil {
			return err
		}
		var hogBox *image.Rectangle
		for _, f := range faces {
			if matches(f.Box, s) {
				trueScores = append(trueScores, f.Score)
				if hogBox == nil {
					bb := f.Box
					hogBox = &bb
				}
			} else {
				falseScores = append(falseScores, f.Score)
			}
		}
		gray := gocv.NewMat()
		gocv.CvtColor(img, &gray, gocv.ColorBGRToGray)
		gocv.EqualizeHist(gray, &gray)
		// profile cascade on the image (facing one way) and its mirror (the other way)
		var prof []image.Rectangle
		var mirrored []bool
		for _, flip := range []bool{false, true} {
			g := gray
			if flip {
				g = gocv.NewMat()
				gocv.Flip(gray, &g, 1)
			}
			for _, r := range cc.DetectMultiScaleWithParams(g, 1.1, 3, 0, image.Pt(30, 30), image.Pt(0, 0)) {
				if flip {
					r = image.Rect(gray.Cols()-r.Max.X, r.Min.Y, gray.Cols()-r.Min.X, r.Max.Y)
				}
				prof, mirrored = append(prof, r), append(mirrored, flip)
			}
			if flip {
				g.Close()
			}
		}
		// HOG on the image rotated about its centre (rolled faces), only when nothing matched
		rotFound := false
		if hogBox == nil {
			for _, deg := range []float64{-30, 30, -15, 15} {
				rm := gocv.GetRotationMatrix2D(image.Pt(img.Cols()/2, img.Rows()/2), deg, 1)
				rot := gocv.NewMat()
				gocv.WarpAffineWithParams(img, &rot, rm, image.Pt(img.Cols(), img.Rows()), gocv.InterpolationLinear, gocv.BorderReplicate, color.RGBA{})
				rm.Close()
				fs, _ := pred.DetectFaces(rot, false)
				rot.Close()
				for _, f := range fs {
					// rotate the box centre back
					a := -deg * math.Pi / 180
					cx0, cy0 := float64(img.Cols())/2, float64(img.Rows())/2
					bx, by := float64(f.Box.Min.X+f.Box.Max.X)/2-cx0, float64(f.Box.Min.Y+f.Box.Max.Y)/2-cy0
					// OpenCV's angle is counter-clockwise on screen (y down): inverse maps back
					x := cx0 + bx*math.Cos(a) + by*math.Sin(a)
					y := cy0 - bx*math.Sin(a) + by*math.Cos(a)
					h := float64(f.Box.Dx()) / 2
					if matches(image.Rect(int(x-h), int(y-h), int(x+h), int(y+h)), s) {
						rotFound = true
					}
				}
				if rotFound {
					break
				}
			}
		}
		gray.Close()
		img.Close()
		var profBox *image.Rectangle
		profMirrored := false
		for i, r := range prof {
			if matches(r, s) {
				if profBox == nil {
					rr := r
					profBox, profMirrored = &rr, mirrored[i]
				}
			} else {
				b.profFP++
			}
		}
		if hogBox != nil {
			b.hog++
		}
		if profBox != nil {
			b.prof++
		}
		if hogBox != nil || profBox != nil {
			b.either++
		}
		if hogBox != nil || profBox != nil || rotFound {
			b.all++
		}
		if hogBox != nil && profBox != nil {
			side := float64(profBox.Dx())
			ddx := float64(hogBox.Min.X+hogBox.Max.X-profBox.Min.X-profBox.Max.X) / 2 / side
			if profMirrored {
				ddx = -ddx
			}
			dx = append(dx, ddx)
			dy = append(dy, float64(hogBox.Min.Y+hogBox.Max.Y-profBox.Min.Y-profBox.Max.Y)/2/side)
			ds = append(ds, float64(hogBox.Dx())/side)
		}
	}
	fmt.Printf("band    faces  hog   profile  hog+profile  +rotated-hog  profile-false\n")
	for _, name := range append(audit.Bands, audit.BandUnknown) {
		b := bands[name]
		if b == nil {
			continue
		}
		fmt.Printf("%-7s %5d  %3d %5.1f%%  %3d  %3d %5.1f%%  %3d %5.1f%%  %d\n", name, b.n, b.hog, 100*float64(b.hog)/float64(b.n), b.prof, b.either, 100*float64(b.either)/float64(b.n), b.all, 100*float64(b.all)/float64(b.n), b.profFP)
	}
	fmt.Printf("HOG scores of the annotated faces (%d): min %.3f p1 %.3f p5 %.3f median %.3f\n", len(trueScores), pct(trueScores, 0), pct(trueScores, 0.01), pct(trueScores, 0.05), pct(trueScores, 0.5))
	sort.Float64s(falseScores)
	fmt.Printf("HOG scores of other detections (%d): %v\n", len(falseScores), falseScores)
	if len(ds) > 0 {
		fmt.Printf("HOG box from profile box (%d faces; x offset toward the face's front, mirrored detections flipped): centre + (%.3f, %.3f) x side, side x %.3f\n", len(ds), pct(dx, 0.5), pct(dy, 0.5), pct(ds, 0.5))
	}
	return nil
}
