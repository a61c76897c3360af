package warp

import (
	"bytes"
	"image"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"gocv.io/x/gocv"

	"github.com/occfer/occfer/landmarks/face68"
	"github.com/occfer/occfer/synth"
)

// silhouetteScene is a face whose outline is known exactly: the landmarks of a synth face
// turned by 45° (visible contour), and a 300x300 image drawn from them, a skin-toned head (the
// landmarks' hull widened by 5% and raised to cover the forehead, with a textured fill) on a
// blue backdrop. head is 255 inside the head, 0 outside. The overlay is an opaque rectangle
// from the nose bridge down past the chin, reaching far past the face on both sides: the
// part over the backdrop is what the clip must remove.
func silhouetteScene(t testing.TB) (img, head gocv.Mat, face face68.Shape, ov []uint8, roi image.Rectangle) {
	t.Helper()
	const size, off = 300, 70 // the synth face's landmarks, moved into the middle of the image
	_, pl, err := synth.PosedFace(7, "Image/aligned/train_00001_aligned.jpg", 2, size-2*off, synth.View{Yaw: 45})
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range pl.Visible {
		face[i] = face68.Point{X: p.X + off, Y: p.Y + off}
	}
	outline := append([]face68.Point(nil), face[:]...)
	for _, i := range []int{17, 21, 22, 26} { // the forehead: brows raised by a third of the face
		outline = append(outline, face68.Point{X: face[i].X, Y: face[i].Y - (face[8].Y-face[27].Y)/3})
	}
	var poly []image.Point
	for _, p := range face68.ConvexHull(dilate(outline, 1.05)) {
		poly = append(poly, image.Pt(int(math.Round(p.X)), int(math.Round(p.Y))))
	}
	head = gocv.NewMatWithSizeFromScalar(gocv.NewScalar(0, 0, 0, 0), size, size, gocv.MatTypeCV8U)
	fillPoly(&head, poly, 255)
	img = gocv.NewMatWithSizeFromScalar(gocv.NewScalar(200, 120, 40, 0), size, size, gocv.MatTypeCV8UC3)
	pix, err := img.DataPtrUint8()
	if err != nil {
		t.Fatal(err)
	}
	hp, _ := head.DataPtrUint8()
	for i := range hp {
		// a little texture on both, so that neither colour model is degenerate
		n := uint8((i*7919)%13) - 6
		if hp[i] != 0 {
			pix[3*i], pix[3*i+1], pix[3*i+2] = 110+n, 140+n, 200+n
		} else {
			pix[3*i] += n
		}
	}
	roi = image.Rect(int(face[0].X)-40, int(face[28].Y), int(face[16].X)+40, int(face[8].Y)+20).Intersect(image.Rect(0, 0, size, size))
	ov = bytes.Repeat([]byte{255, 255, 255, 255}, roi.Dx()*roi.Dy())
	return img, head, face, ov, roi
}

// TestClipToSilhouette: the overlay is cut away over the backdrop and kept over the head.
// Tolerance: within silhouetteMargin plus 3 px (the feather's 3 sigma) plus one pixel of the
// segmentation (300/minSilhouetteSide image pixels at most) of the head's outline either way
// nothing is asserted, and beyond it over the backdrop alpha may keep 2 of 255 levels.
func TestClipToSilhouette(t *testing.T) {
	img, head, face, ov, roi := silhouetteScene(t)
	defer img.Close()
	defer head.Close()
	cut := clipToSilhouette(ov, roi, img, &face)
	if cut <= 0.1 || cut > maxSilhouetteCut {
		t.Fatalf("cut %.3f of the overlay, want in (0.1, %g]: it reaches far past the head", cut, maxSilhouetteCut)
	}
	// distance of each pixel to the head's outline, inside and outside
	in, out := gocv.NewMat(), gocv.NewMat()
	defer in.Close()
	defer out.Close()
	notHead := gocv.NewMat()
	defer notHead.Close()
	gocv.BitwiseNot(head, &notHead)
	labels := gocv.NewMat()
	defer labels.Close()
	gocv.DistanceTransform(head, &in, &labels, gocv.DistL2, gocv.DistanceMask5, gocv.DistanceLabelCComp)
	gocv.DistanceTransform(notHead, &out, &labels, gocv.DistL2, gocv.DistanceMask5, gocv.DistanceLabelCComp)
	le, re := face68.Centroid(face[36:42]), face68.Centroid(face[42:48])
	slack := float32(silhouetteMargin*math.Hypot(re.X-le.X, re.Y-le.Y) + 3 + 300.0/minSilhouetteSide)
	var kept, removed, over, under int
	for y := roi.Min.Y; y < roi.Max.Y; y++ {
		for x := roi.Min.X; x < roi.Max.X; x++ {
			a := ov[((y-roi.Min.Y)*roi.Dx()+x-roi.Min.X)*4+3]
			switch {
			case in.GetFloatAt(y, x) > slack:
				kept++
				if a != 255 {
					under++
				}
			case out.GetFloatAt(y, x) > slack:
				removed++
				if a > 2 { // the feather's tail may leave a level or two
					if over++; over <= 5 {
						t.Logf("kept at (%d, %d): alpha %d, %.1f px outside", x, y, a, out.GetFloatAt(y, x))
					}
				}
			}
		}
	}
	if kept == 0 || removed == 0 {
		t.Fatalf("scene: %d pixels inside the head, %d outside, want both", kept, removed)
	}
	if under > 0 || over > 0 {
		t.Errorf("%d of %d overlay pixels inside the head were cut, %d of %d over the backdrop were kept; want none",
			under, kept, over, removed)
	}
}

// TestClipToSilhouetteDeterministic: the same inputs give the same bytes whatever OpenCV's
// random generator did before on the calling thread (GrabCut's k-means draws from it), on
// several goroutines at once. The scene gets strong noise, so that face and backdrop colours
// overlap and k-means' random start changes the result (without the seed this test fails).
func TestClipToSilhouetteDeterministic(t *testing.T) {
	img, head, face, ov0, roi := silhouetteScene(t)
	defer img.Close()
	defer head.Close()
	pix, err := img.DataPtrUint8()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i, v := range pix {
		pix[i] = uint8(clamp(float64(v)+rng.NormFloat64()*40, 0, 255))
	}
	want := append([]uint8(nil), ov0...)
	wantCut := clipToSilhouette(want, roi, img, &face)
	var wg sync.WaitGroup
	got := make([][]uint8, 4)
	cuts := make([]float64, 4)
	for g := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			gocv.SetRNGSeed(g + 1) // disturb the generator of whichever thread this runs on
			ov := append([]uint8(nil), ov0...)
			cuts[g] = clipToSilhouette(ov, roi, img, &face)
			got[g] = ov
		}()
	}
	wg.Wait()
	for g := range got {
		if cuts[g] != wantCut || !bytes.Equal(got[g], want) {
			t.Errorf("goroutine %d: cut %v, bytes equal %v; want cut %v and the same bytes", g, cuts[g], bytes.Equal(got[g], want), wantCut)
		}
	}
}

// TestClipToSilhouetteNoBackground: a crop the face fills leaves the overlay whole (nothing
// to tell the face from), and so does a face too small to segment.
func TestClipToSilhouetteNoBackground(t *testing.T) {
	img, head, face, ov, roi := silhouetteScene(t)
	defer img.Close()
	defer head.Close()
	// the face magnified 6x about the nose: its hull covers the whole image
	var big face68.Shape
	for i, p := range face {
		big[i] = face68.Point{X: face[30].X + 6*(p.X-face[30].X), Y: face[30].Y + 6*(p.Y-face[30].Y)}
	}
	before := append([]uint8(nil), ov...)
	if cut := clipToSilhouette(ov, roi, img, &big); cut != 0 || !bytes.Equal(ov, before) {
		t.Errorf("face filling the image: cut %v, overlay changed %v; want 0 and unchanged", cut, !bytes.Equal(ov, before))
	}
	var tiny face68.Shape
	for i, p := range face {
		tiny[i] = face68.Point{X: face[30].X + 0.05*(p.X-face[30].X), Y: face[30].Y + 0.05*(p.Y-face[30].Y)}
	}
	if cut := clipToSilhouette(ov, roi, img, &tiny); cut != 0 || !bytes.Equal(ov, before) {
		t.Errorf("face of 2 px between the eyes: cut %v, overlay changed %v; want 0 and unchanged", cut, !bytes.Equal(ov, before))
	}
}

// paintBeard paints the head's pixels within radius of any of pts in the backdrop's colour, as
// a beard meeting the outline that GrabCut takes for background; it returns their count.
func paintBeard(t *testing.T, img, head gocv.Mat, pts []face68.Point, radius float64) int {
	t.Helper()
	pix, err := img.DataPtrUint8()
	if err != nil {
		t.Fatal(err)
	}
	hp, _ := head.DataPtrUint8()
	n := 0
	for y := 0; y < img.Rows(); y++ {
		for x := 0; x < img.Cols(); x++ {
			for _, p := range pts {
				if hp[y*img.Cols()+x] != 0 && math.Hypot(float64(x)-p.X, float64(y)-p.Y) < radius {
					o := 3 * (y*img.Cols() + x)
					pix[o], pix[o+1], pix[o+2] = 200, 120, 40
					n++
					break
				}
			}
		}
	}
	return n
}

// TestClipToSilhouetteKeepsNearSide: a beard along the near jaw, in the backdrop's own colour
// and meeting the head's outline, is taken for background by the segmentation; the overlay
// over the near half of the landmarks (nearSide) stays whole all the same. Tolerance: pixels
// within 5 px (one segmentation pixel) of that half's hull are not asserted.
func TestClipToSilhouetteKeepsNearSide(t *testing.T) {
	img, head, face, ov, roi := silhouetteScene(t)
	defer img.Close()
	defer head.Close()
	near := nearSide(&face)
	beard := paintBeard(t, img, head, near[:9], 14) // the near jaw, chin included
	clipToSilhouette(ov, roi, img, &face)
	hull := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(0, 0, 0, 0), img.Rows(), img.Cols(), gocv.MatTypeCV8U)
	defer hull.Close()
	var poly []image.Point
	for _, p := range face68.ConvexHull(near) {
		poly = append(poly, image.Pt(int(math.Round(p.X)), int(math.Round(p.Y))))
	}
	fillPoly(&hull, poly, 255)
	in, labels := gocv.NewMat(), gocv.NewMat()
	defer in.Close()
	defer labels.Close()
	gocv.DistanceTransform(hull, &in, &labels, gocv.DistL2, gocv.DistanceMask5, gocv.DistanceLabelCComp)
	checked, cut := 0, 0
	for y := roi.Min.Y; y < roi.Max.Y; y++ {
		for x := roi.Min.X; x < roi.Max.X; x++ {
			if in.GetFloatAt(y, x) > 5 {
				checked++
				if ov[((y-roi.Min.Y)*roi.Dx()+x-roi.Min.X)*4+3] != 255 {
					cut++
				}
			}
		}
	}
	if beard == 0 || checked == 0 {
		t.Fatalf("scene: %d beard pixels, %d overlay pixels in the near half", beard, checked)
	}
	if cut > 0 {
		t.Errorf("%d of %d overlay pixels over the near half of the face were cut (%d beard pixels)", cut, checked, beard)
	}
}

// TestClipToSilhouetteCutLimit: an overlay lying mostly over the backdrop beyond the far
// cheek would lose more than maxSilhouetteCut of itself: the segmentation is not trusted that
// far and the overlay stays whole.
func TestClipToSilhouetteCutLimit(t *testing.T) {
	img, head, face, _, _ := silhouetteScene(t)
	defer img.Close()
	defer head.Close()
	// the far side: the jaw half nearSide did not take
	far := face[16]
	if near := nearSide(&face); near[0] == face[8] {
		far = face[0]
	}
	dir := 1
	if far.X < face[30].X {
		dir = -1
	}
	x0 := int(far.X) - dir*10
	roi := image.Rect(min(x0, x0+dir*120), int(face[30].Y)-20, max(x0, x0+dir*120), int(face[30].Y)+40).Intersect(image.Rect(0, 0, img.Cols(), img.Rows()))
	ov := bytes.Repeat([]byte{255}, 4*roi.Dx()*roi.Dy())
	before := append([]uint8(nil), ov...)
	if cut := clipToSilhouette(ov, roi, img, &face); cut != 0 || !bytes.Equal(ov, before) {
		t.Errorf("cut %v, overlay changed %v; want 0 and unchanged", cut, !bytes.Equal(ov, before))
	}
}

// TestClipToSilhouetteFaceOffImage: a turned face just left of the image, of which only the
// overlay's faint edge (alpha below one half) is in it, leaves the overlay whole: nothing in
// the region is face, and GrabCut, given no face sample, would abort the process. Also through
// Apply, the face slid off the left edge a pixel at a time.
func TestClipToSilhouetteFaceOffImage(t *testing.T) {
	img, head, face, _, _ := silhouetteScene(t)
	defer img.Close()
	defer head.Close()
	shift := func(dx float64) face68.Shape {
		var s face68.Shape
		for i, p := range face {
			s[i] = face68.Point{X: p.X + dx, Y: p.Y}
		}
		return s
	}
	t.Run("clip", func(t *testing.T) {
		maxX := math.Inf(-1)
		for _, p := range face {
			maxX = math.Max(maxX, p.X)
		}
		off := shift(-maxX - 30)
		roi := image.Rect(0, 100, 4, 200)
		ov := bytes.Repeat([]byte{60}, roi.Dx()*roi.Dy()*4)
		before := append([]uint8(nil), ov...)
		if cut := clipToSilhouette(ov, roi, img, &off); cut != 0 || !bytes.Equal(ov, before) {
			t.Errorf("cut %v, overlay changed %v; want 0 and unchanged", cut, !bytes.Equal(ov, before))
		}
	})
	t.Run("apply", func(t *testing.T) {
		tpl := templateByName(t, "mask_surgical_blue")
		for dx := 150.0; dx <= 220; dx++ {
			out := img.Clone()
			_, err := Apply(out, shift(-dx), tpl, DefaultOptions(), nil)
			out.Close()
			if err != nil {
				t.Fatalf("shifted %g px left: %v", dx, err)
			}
		}
	})
}

// BenchmarkClipToSilhouette: one segmentation and cut, on the 300x300 scene of a face turned
// by 45° (the region is shrunk to silhouetteSide before GrabCut runs).
func BenchmarkClipToSilhouette(b *testing.B) {
	img, head, face, ov0, roi := silhouetteScene(b)
	defer img.Close()
	defer head.Close()
	ov := make([]uint8, len(ov0))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		copy(ov, ov0)
		clipToSilhouette(ov, roi, img, &face)
	}
}

// TestClipToSilhouetteNoBite: a beard (backdrop-coloured, so that GrabCut takes it for
// background) over the far half of the chin must not take a bite out of the mask where the
// segmented face and the kept near half meet: the face kept is convex, so the overlay left
// fully opaque is too. Tolerance: its area is at least 98% of its convex hull's (the edge of
// a convex polygon scaled from the segmentation's pixels, thresholded and dilated).
func TestClipToSilhouetteNoBite(t *testing.T) {
	img, head, face, ov, roi := silhouetteScene(t)
	defer img.Close()
	defer head.Close()
	far := face[9:12]
	if nearSide(&face)[0] != face[0] {
		far = face[5:8]
	}
	beard := paintBeard(t, img, head, append(far, face[8]), 20)
	if cut := clipToSilhouette(ov, roi, img, &face); cut == 0 || beard == 0 {
		t.Fatalf("scene: cut %.3f, %d beard pixels; want both > 0", cut, beard)
	}
	opaque := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(0, 0, 0, 0), roi.Dy(), roi.Dx(), gocv.MatTypeCV8U)
	defer opaque.Close()
	op, _ := opaque.DataPtrUint8()
	for i := range op {
		if ov[4*i+3] == 255 {
			op[i] = 255
		}
	}
	contours := gocv.FindContours(opaque, gocv.RetrievalExternal, gocv.ChainApproxNone)
	defer contours.Close()
	if contours.Size() != 1 {
		t.Fatalf("opaque overlay in %d pieces, want 1", contours.Size())
	}
	c := contours.At(0)
	idx := gocv.NewMat()
	defer idx.Close()
	gocv.ConvexHull(c, &idx, true, false)
	var hull []image.Point
	for i := 0; i < idx.Rows(); i++ {
		hull = append(hull, c.At(int(idx.GetIntAt(i, 0))))
	}
	hv := gocv.NewPointVectorFromPoints(hull)
	defer hv.Close()
	area, hullArea := gocv.ContourArea(c), gocv.ContourArea(hv)
	t.Logf("opaque overlay: %.0f px, %.2f%% of its convex hull", area, 100*area/hullArea)
	if area < 0.98*hullArea {
		t.Errorf("opaque overlay covers %.0f px, %.1f%% of its convex hull's %.0f: a bite was cut out of it", area, 100*area/hullArea, hullArea)
	}
}
