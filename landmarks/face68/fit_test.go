package face68

import (
	"math"
	"testing"
)

func TestFitSimilarityExact(t *testing.T) {
	src := []Point{{0, 0}, {10, 0}, {3, 7}, {-2, 5}}
	want := similarity{a: 0.5 * math.Cos(0.4), b: 0.5 * math.Sin(0.4), tx: 12, ty: -3}
	var dst []Point
	for _, p := range src {
		dst = append(dst, want.apply(p))
	}
	got := fitSimilarity(src, dst)
	if math.Abs(got.a-want.a)+math.Abs(got.b-want.b)+math.Abs(got.tx-want.tx)+math.Abs(got.ty-want.ty) > 1e-9 {
		t.Errorf("fit %+v, want %+v", got, want)
	}
}

// TestFitFrom5Astronaut: from the astronaut's own 5 points, FitFrom5 must
// reproduce those points closely and the other 63 reasonably.
func TestFitFrom5Astronaut(t *testing.T) {
	want := loadAstronautRef(t)
	five := want.Five()
	got := FitFrom5(five)
	iod := want.InterOcular()
	for i, p := range got.Five() {
		if d := Distance(p, five[i]); d > 0.05*iod {
			t.Errorf("point %d: %v, input %v (%.3f of the inter-ocular distance)", i, p, five[i], d/iod)
		}
	}
	e := meanError(got, want)
	t.Logf("FitFrom5 mean error over 68 points: %.3f of the inter-ocular distance", e)
	if e > 0.05 {
		t.Errorf("mean error over 68 points %.3f of the inter-ocular distance, want < 0.05", e)
	}
}

// TestFitFrom5Equivariant: rotating, scaling and moving the 5 points moves
// the fitted shape the same way.
func TestFitFrom5Equivariant(t *testing.T) {
	ref := loadAstronautRef(t)
	five := ref.Five()
	tf := similarity{a: 0.6 * math.Cos(-0.5), b: 0.6 * math.Sin(-0.5), tx: 40, ty: 17}
	var moved [5]Point
	for i, p := range five {
		moved[i] = tf.apply(p)
	}
	got, want := FitFrom5(moved), tf.shape(FitFrom5(five))
	for i := range got {
		if Distance(got[i], want[i]) > 1e-9 {
			t.Fatalf("point %d: %v, want %v", i, got[i], want[i])
		}
	}
	if r := got.Roll(); math.Abs(r-(ref.Roll()-0.5*180/math.Pi)) > 1 {
		t.Errorf("roll %v after rotating by -28.6 degrees", r)
	}
}
