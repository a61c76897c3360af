package warp

import (
	"image"
	"image/color"
	"math"
	"runtime"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/landmarks/face68"
)

// Clipping a mask to the face's silhouette (clipToSilhouette). Why: on a turned face the
// pose fitted to dlib's landmarks is turned too little (docs/occlude.md, "Turned faces": the
// fitted yaw is 3-16 deg short past 45 deg), so the mask's far side reaches past the cheek
// into the background, and hair or another face in front of the cheek is drawn over. A worn
// mask is never seen over the background: it ends at the face's outline. Measured on
// AFLW2000-3D with occlude's own landmarks (docs/occlude.md, "Silhouette"), masks passing the
// audit at 30-45 / 45-60 / 60-90 deg went from 82 / 68 / 34 % to 88 / 72 / 44 % on the
// photographs and from 88 / 68 / 64 % to 94 / 72 / 72 % on 100x100 aligned crops: 10 and 9
// faces passed that had failed, none failed that had passed, and no mask lost a tenth of
// itself inside the annotated face.
const (
	// MinSilhouetteYaw is the fitted |yaw| (degrees) from which a mask is clipped. Nearer
	// frontal the mask lies inside the face outline and the segmentation would only cost time
	// (BenchmarkClipToSilhouette). 15 rather than 25 passed 3 more faces at 30-45 deg (1
	// photograph, 2 crops, measured at 128 px): dlib's fit of such a face can be as low as 15.
	MinSilhouetteYaw = 15.0
	// silhouetteSide and minSilhouetteSide bound the longest side (pixels) of the image the
	// segmentation runs on: half the face region's side, so a photograph's face is segmented
	// at up to 128 px and a 100x100 aligned crop at 64. GrabCut's graph cut dominates the
	// cost: on one thread about 8 ms at 64 px, 35 ms on a whole 100x100 crop. On the aligned
	// crops 64 px passed as many masks as the crop's full 100 px (one more at 45-60 deg); on
	// the photographs 64 px instead of 128 passed 2 fewer of their masks from dlib's
	// predictions at 30-45 and 45-60 deg and 4 fewer at 60-90, and left one mouth bare.
	silhouetteSide, minSilhouetteSide = 128, 64
	// silhouettePad is how far (inter-ocular distances) beyond the landmarks' bounds the
	// segmented region reaches: enough background for its colour model.
	silhouettePad = 0.7
	// silhouetteMargin is how far (inter-ocular distances) a mask may reach past the segmented
	// face: the mask's own thickness and stand-off from the skin.
	silhouetteMargin = 0.06
	// maxSilhouetteCut is the largest share of the overlay's alpha the clip may remove; a
	// larger cut means the segmentation took the face for background and the mask is left
	// whole. Cuts of half the mask are real: a mask posed 20 deg short of a profile hangs
	// mostly over the background.
	maxSilhouetteCut = 0.7
	// minFaceArea is the least area of the segmented face, in multiples of the inner face's
	// seed: a segmentation that grew the face no further than its seeds (cheeks and chin taken
	// for background) has failed, and the mask is left whole.
	minFaceArea = 1.5
	// minBackground is the least share of the region that must be possible background
	// (outside the landmarks' hull): a crop filled by the face has nothing to model it on.
	minBackground = 0.05
	// grabCutIterations: 3 iterations (at 128 px) took twice the time for one more aligned
	// crop passed at 45-60 deg, the same photographs; 2 at 64 px passed the same faces.
	grabCutIterations = 1
	// grabCutSeed seeds OpenCV's random generator before each segmentation: GrabCut's k-means
	// draws from the calling thread's generator, so without it the result would depend on
	// what that thread did before (worker order, resume).
	grabCutSeed = 0x0cc
)

// GrabCut mask labels (OpenCV's GC_BGD, GC_FGD, GC_PR_BGD, GC_PR_FGD).
const (
	gcBackground, gcFace, gcMaybeBackground, gcMaybeFace = 0, 1, 2, 3
)

// clipToSilhouette segments the face from its surroundings with OpenCV's GrabCut and
// multiplies the premultiplied BGRA overlay ov (roi-sized) by the face region, widened by
// silhouetteMargin and feathered. img is the 8-bit BGR image before the overlay is drawn;
// face is in its pixel coordinates. Seeds: the inner face (brows aside: nose, eyes, mouth,
// their hull shrunk to 0.8) is face; the hull of the 68 landmarks and the overlay itself are
// probably face; the region's border beyond 1.5 times that hull is background. The face is the
// convex hull of the segmented component holding the inner face together with the near half of
// the landmarks (nearSide), which is never cut. It returns the share of the overlay's alpha
// removed, 0 when nothing was cut: a region without background or without face, a face lost
// by the segmentation, or a cut beyond maxSilhouetteCut leave ov untouched.
func clipToSilhouette(ov []uint8, roi image.Rectangle, img gocv.Mat, face *face68.Shape) float64 {
	le, re := face68.Centroid(face[36:42]), face68.Centroid(face[42:48])
	iod := math.Hypot(re.X-le.X, re.Y-le.Y)
	if iod < 4 {
		return 0
	}
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range face {
		minX, maxX = math.Min(minX, p.X), math.Max(maxX, p.X)
		minY, maxY = math.Min(minY, p.Y), math.Max(maxY, p.Y)
	}
	pad := silhouettePad * iod
	region := image.Rect(int(minX-pad), int(minY-pad), int(maxX+pad)+1, int(maxY+pad)+1).
		Union(roi).Intersect(image.Rect(0, 0, img.Cols(), img.Rows()))
	side := float64(max(region.Dx(), region.Dy()))
	s := math.Min(1, math.Min(silhouetteSide, math.Max(minSilhouetteSide, side/2))/side)
	sw, sh := max(8, int(math.Round(float64(region.Dx())*s))), max(8, int(math.Round(float64(region.Dy())*s)))
	sx, sy := float64(sw)/float64(region.Dx()), float64(sh)/float64(region.Dy())
	toSmall := func(pts []face68.Point, k float64) []image.Point {
		out := make([]image.Point, 0, len(pts))
		for _, p := range face68.ConvexHull(dilate(pts, k)) {
			out = append(out, image.Pt(int(math.Round((p.X-float64(region.Min.X))*sx)), int(math.Round((p.Y-float64(region.Min.Y))*sy))))
		}
		return out
	}

	src := img.Region(region)
	small := gocv.NewMat()
	gocv.Resize(src, &small, image.Pt(sw, sh), 0, 0, gocv.InterpolationArea)
	src.Close()
	defer small.Close()
	labels := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(gcMaybeBackground, 0, 0, 0), sh, sw, gocv.MatTypeCV8U)
	defer labels.Close()
	fillPoly(&labels, toSmall(face[:], 1.05), gcMaybeFace)
	lab, err := labels.DataPtrUint8()
	if err != nil {
		return 0
	}
	// the overlay, sampled at each small pixel's centre
	for y := 0; y < sh; y++ {
		iy := int(float64(region.Min.Y) + (float64(y)+0.5)/sy)
		for x := 0; x < sw; x++ {
			ix := int(float64(region.Min.X) + (float64(x)+0.5)/sx)
			if image.Pt(ix, iy).In(roi) && ov[((iy-roi.Min.Y)*roi.Dx()+ix-roi.Min.X)*4+3] >= 128 {
				lab[y*sw+x] = gcMaybeFace
			}
		}
	}
	inner := append(append(append([]face68.Point(nil), face[27:36]...), face[36:48]...), face[48:60]...)
	fillPoly(&labels, toSmall(inner, 0.8), gcFace)
	near := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(0, 0, 0, 0), sh, sw, gocv.MatTypeCV8U)
	defer near.Close()
	fillPoly(&near, toSmall(face[:], 1.5), 1)
	nearPix, err := near.DataPtrUint8()
	if err != nil {
		return 0
	}
	bg := 0
	for y := 0; y < sh; y++ {
		for x := 0; x < sw; x++ {
			o := y*sw + x
			if nearPix[o] == 0 && (x < 2 || y < 2 || x >= sw-2 || y >= sh-2) {
				lab[o] = gcBackground
			}
			if lab[o] == gcBackground || lab[o] == gcMaybeBackground {
				bg++
			}
		}
	}
	// GrabCut asserts (and aborts the process) without samples of both kinds: no face pixel is
	// left when the landmarks lie outside the image and only the overlay's faint edge is in it
	if float64(bg) < minBackground*float64(sw*sh) || bg == sw*sh {
		return 0
	}
	grabCut(small, &labels)
	if lab, err = labels.DataPtrUint8(); err != nil {
		return 0
	}
	// the seeds' hull is convex and labelled face for good: its centroid is in the face
	seed := toSmall(inner, 0.8)
	var cx, cy float64
	for _, p := range seed {
		cx += float64(p.X) / float64(len(seed))
		cy += float64(p.Y) / float64(len(seed))
	}
	pv := gocv.NewPointVectorFromPoints(seed)
	seedArea := math.Abs(gocv.ContourArea(pv))
	pv.Close()
	// the near half of the face (its jaw, the nose, the mouth) stays covered whatever the
	// segmentation says: there a beard, stubble or a shadowed cheek that meets the outline is
	// taken for background, and cutting it left masks shrunk to a patch over the mouth (on
	// the AFLW2000-3D set, 29 of 182 clipped masks lost over a fifth of their area inside the
	// annotated face; with the near half kept, none lost a tenth). The spill this clip is for
	// lies on the far side, past the far cheek.
	keep := toSmall(nearSide(face), 1)
	weight, ok := faceWeight(lab, sw, sh, image.Pt(int(cx), int(cy)), minFaceArea*seedArea, keep, region, roi, silhouetteMargin*iod)
	if !ok {
		return 0
	}
	var before, after float64
	for i, w := range weight {
		a := float64(ov[4*i+3])
		before += a
		after += a * w
	}
	if before == 0 || before-after > maxSilhouetteCut*before {
		return 0
	}
	for i, w := range weight {
		if w < 1 {
			for c := 0; c < 4; c++ {
				ov[4*i+c] = uint8(float64(ov[4*i+c])*w + 0.5)
			}
		}
	}
	return (before - after) / before
}

// grabCut runs GrabCut on img with the labels as seeds, from a fixed state of OpenCV's
// random generator (per thread: the goroutine keeps its thread for both calls).
func grabCut(img gocv.Mat, labels *gocv.Mat) {
	bgd, fgd := gocv.NewMat(), gocv.NewMat()
	defer bgd.Close()
	defer fgd.Close()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	gocv.SetRNGSeed(grabCutSeed)
	gocv.GrabCut(img, labels, image.Rect(0, 0, img.Cols(), img.Rows()), &bgd, &fgd, grabCutIterations, gocv.GCInitWithMask)
}

// faceWeight turns GrabCut's labels (sw x sh, over region) into a weight per pixel of roi in
// [0, 1]: the convex hull of the face component containing point in together with the points
// of keep, scaled to the image, widened by margin pixels and feathered over about
// margin/2. ok is false when in is not in a face component, or the component's area (small
// pixels) is below minArea.
func faceWeight(lab []uint8, sw, sh int, in image.Point, minArea float64, keep []image.Point, region, roi image.Rectangle, margin float64) ([]float64, bool) {
	fg := gocv.NewMatWithSize(sh, sw, gocv.MatTypeCV8U)
	defer fg.Close()
	fgPix, err := fg.DataPtrUint8()
	if err != nil {
		return nil, false
	}
	for i, v := range lab {
		fgPix[i] = 0
		if v == gcFace || v == gcMaybeFace {
			fgPix[i] = 255
		}
	}
	contours := gocv.FindContours(fg, gocv.RetrievalExternal, gocv.ChainApproxSimple)
	defer contours.Close()
	face := -1
	for i := 0; i < contours.Size(); i++ {
		if gocv.PointPolygonTest(contours.At(i), in, false) >= 0 {
			face = i
			break
		}
	}
	if face < 0 || gocv.ContourArea(contours.At(face)) < minArea {
		return nil, false
	}
	filled := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(0, 0, 0, 0), sh, sw, gocv.MatTypeCV8U)
	defer filled.Close()
	// the convex hull of the component and the near half together: a face is convex, and a
	// beard, a shadowed cheek or hair that GrabCut took for background where it meets the
	// outline is a dent in it. Filling the two hulls one after the other left such a dent
	// where they meet: a bite out of the mask over the far half of a bearded chin.
	c := contours.At(face)
	pts := append(c.ToPoints(), keep...)
	cv := gocv.NewPointVectorFromPoints(pts)
	idx := gocv.NewMat()
	gocv.ConvexHull(cv, &idx, true, false)
	hull := make([]image.Point, 0, idx.Rows())
	for i := 0; i < idx.Rows(); i++ {
		hull = append(hull, pts[idx.GetIntAt(i, 0)])
	}
	idx.Close()
	cv.Close()
	fillPoly(&filled, hull, 255)
	full := gocv.NewMat()
	defer full.Close()
	gocv.Resize(filled, &full, image.Pt(region.Dx(), region.Dy()), 0, 0, gocv.InterpolationLinear)
	gocv.Threshold(full, &full, 127, 255, gocv.ThresholdBinary)
	if k := int(math.Round(margin)); k > 0 {
		ker := gocv.GetStructuringElement(gocv.MorphEllipse, image.Pt(2*k+1, 2*k+1))
		gocv.Dilate(full, &full, ker)
		ker.Close()
	}
	sigma := math.Max(0.7, margin/2)
	gocv.GaussianBlur(full, &full, image.Point{}, sigma, sigma, gocv.BorderReplicate)
	fullPix, err := full.DataPtrUint8()
	if err != nil {
		return nil, false
	}
	weight := make([]float64, roi.Dx()*roi.Dy())
	for y := roi.Min.Y; y < roi.Max.Y; y++ {
		for x := roi.Min.X; x < roi.Max.X; x++ {
			w := 0.0
			if image.Pt(x, y).In(region) {
				w = float64(fullPix[(y-region.Min.Y)*region.Dx()+x-region.Min.X]) / 255
			}
			weight[(y-roi.Min.Y)*roi.Dx()+x-roi.Min.X] = w
		}
	}
	return weight, true
}

// fillPoly fills polygon pts on the 8-bit single-channel m with value v.
func fillPoly(m *gocv.Mat, pts []image.Point, v uint8) {
	if len(pts) < 3 {
		return
	}
	pv := gocv.NewPointsVectorFromPoints([][]image.Point{pts})
	defer pv.Close()
	gocv.FillPoly(m, pv, color.RGBA{v, v, v, 0})
}

// nearSide is the face's half toward the camera: the jaw half (0-8 or 8-16) lying further from
// the nose ridge (27-30), with the nose and the mouth.
func nearSide(face *face68.Shape) []face68.Point {
	a, b := face[27], face[30]
	dist := func(pts []face68.Point) float64 {
		n := math.Hypot(b.X-a.X, b.Y-a.Y)
		d := 0.0
		for _, p := range pts {
			d += math.Abs(cross(b.X-a.X, b.Y-a.Y, p.X-a.X, p.Y-a.Y)) / math.Max(n, 1e-9)
		}
		return d
	}
	jaw := face[0:9]
	if dist(face[8:17]) > dist(jaw) {
		jaw = face[8:17]
	}
	pts := append([]face68.Point(nil), jaw...)
	pts = append(pts, face[27:36]...)
	return append(pts, face[48:60]...)
}
