package synth

import (
	"image"
	"math"
	"strconv"
	"testing"

	"github.com/occfer/occfer/landmarks/face68"
)

func mid(a, b face68.Point) face68.Point { return face68.Point{X: (a.X + b.X) / 2, Y: (a.Y + b.Y) / 2} }

func TestLandmarksOrderAndBounds(t *testing.T) {
	skipShort(t)
	all := sharedSamples(t)
	for _, s := range all {
		lm := s.lm
		bad := func(what string) { t.Errorf("%s (%s): %s", s.rel, ClassNames[s.class], what) }
		for i, p := range lm {
			if p.X < -0.5 || p.Y < -0.5 || p.X > 99.5 || p.Y > 99.5 { // pixel centres: the image spans -0.5..99.5
				bad("landmark outside the image: " + strconv.Itoa(i))
			}
		}
		r, l := eyeCentres(lm)
		mouth := mid(lm[48], lm[54])
		// Roll is at most 15 degrees, so "above" and "left of" hold in image axes too.
		if !(r.X < l.X) {
			bad("right eye (36-41) is not on the image left")
		}
		if !(r.Y < mouth.Y && l.Y < mouth.Y && mid(lm[31], lm[35]).Y < mouth.Y) {
			bad("eyes or nose not above the mouth")
		}
		if !(lm[19].Y < lm[37].Y && lm[24].Y < lm[44].Y) {
			bad("brows not above the eyes")
		}
		if !(lm[36].X < lm[39].X && lm[42].X < lm[45].X && lm[48].X < lm[54].X && lm[0].X < lm[16].X && lm[17].X < lm[21].X && lm[22].X < lm[26].X) {
			bad("a left/right pair is swapped")
		}
		if !(lm[51].Y < lm[57].Y && lm[62].Y <= lm[66].Y && lm[51].Y < lm[62].Y && lm[66].Y < lm[57].Y) {
			bad("lip points out of vertical order")
		}
		// Eyes, brows, nose and mouth lie inside the jaw's span.
		for i := 17; i < 68; i++ {
			if lm[i].X <= math.Min(lm[0].X, lm[16].X)-5 || lm[i].X >= math.Max(lm[0].X, lm[16].X)+5 {
				bad("inner landmark outside the jaw: " + strconv.Itoa(i))
			}
		}
		// RAF-DB aligned geometry: eyes near y = 38, mouth near 75, face near the centre.
		ey := (r.Y + l.Y) / 2
		if ey < 25 || ey > 50 || mouth.Y < 60 || mouth.Y > 90 || math.Abs((r.X+l.X)/2-50) > 10 {
			bad("face not where an aligned crop puts it")
		}
	}
}

// TestLandmarksOnPixels checks that the inner-lip landmarks sit on the drawn mouth opening:
// for the open-mouth classes a point between 62 and 66, below the upper teeth, is the dark
// mouth interior: far from the cheek's colour and darker than it.
func TestLandmarksOnPixels(t *testing.T) {
	skipShort(t)
	var n, ok [2]int
	for _, s := range sharedSamples(t) {
		if s.class > 1 { // Surprise and Fear have open mouths
			continue
		}
		lm := s.lm
		cheek := at(s.img, mid(lm[2], lm[31]))
		// Surprise's O is tall, take the middle; Fear's gap is 4-6 pixels under a 2.5-pixel
		// band of teeth, take 80% of the way down.
		f := []float64{0.5, 0.8}[s.class]
		inside := at(s.img, face68.Point{X: lm[62].X + f*(lm[66].X-lm[62].X), Y: lm[62].Y + f*(lm[66].Y-lm[62].Y)})
		n[s.class]++
		if dist(inside, cheek) > 50 && luma(inside) < 0.75*luma(cheek) {
			ok[s.class]++
		}
	}
	for c := range n {
		t.Logf("%s: mouth opening at landmarks in %d of %d images", ClassNames[c], ok[c], n[c])
		// Measured 100% (seed 7); the margin is for the darkest skins, where the interior's
		// contrast to skin is smallest.
		if n[c] == 0 || float64(ok[c]) < 0.95*float64(n[c]) {
			t.Errorf("%s: mouth opening at landmarks in only %d of %d images", ClassNames[c], ok[c], n[c])
		}
	}
}

func at(img image.Image, p face68.Point) [3]float64 {
	r, g, b, _ := img.At(int(math.Round(p.X)), int(math.Round(p.Y))).RGBA()
	return [3]float64{float64(r) / 257, float64(g) / 257, float64(b) / 257}
}

func luma(c [3]float64) float64 { return 0.299*c[0] + 0.587*c[1] + 0.114*c[2] }

func dist(a, b [3]float64) float64 {
	return math.Sqrt((a[0]-b[0])*(a[0]-b[0]) + (a[1]-b[1])*(a[1]-b[1]) + (a[2]-b[2])*(a[2]-b[2]))
}

// TestLandmarksMatchDrawing checks that the landmarks-only path (used on resume) returns the
// landmarks Face draws with, and that they scale with the image size.
func TestLandmarksMatchDrawing(t *testing.T) {
	for c := range 7 {
		_, lm, err := Face(9, "Image/aligned/train_00001_aligned.jpg", c, 100)
		if err != nil {
			t.Fatal(err)
		}
		if got := Landmarks(9, "Image/aligned/train_00001_aligned.jpg", c, 100); got != lm {
			t.Errorf("class %d: Landmarks differs from Face", c)
		}
		big := Landmarks(9, "Image/aligned/train_00001_aligned.jpg", c, 200)
		for i := range lm {
			// Pixel-centre coordinates: x200 + 0.5 = 2 * (x100 + 0.5).
			if math.Abs(big[i].X+0.5-2*(lm[i].X+0.5)) > 1e-9 || math.Abs(big[i].Y+0.5-2*(lm[i].Y+0.5)) > 1e-9 {
				t.Fatalf("class %d landmark %d does not scale with size", c, i)
			}
		}
	}
}
