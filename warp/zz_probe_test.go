package warp

import (
	"image"
	"testing"
	"time"
	"math/rand/v2"
	"gocv.io/x/gocv"
)

func TestProbeTiming(t *testing.T) {
	src := astronaut(t)
	base, face := placementCase{aligned: true}.render(t, src, astronautLandmarks(t))
	tpl := templateByName(t, "mask_surgical_blue_frontal")
	work := base.Clone()
	var tw, tm, tb, tc, tp, ta time.Duration
	rng := rand.New(rand.NewPCG(1, 1))
	for i := 0; i < 2000; i++ {
		base.CopyTo(&work)
		t0 := time.Now()
		pl, _ := tpl.placeOn(&face)
		t1 := time.Now()
		roi, _ := pl.imageBounds(100, 100, 11)
		lv, _ := tpl.levelFor(pl.pieces[0].H.LocalScale(centroid(pl.pieces[0].domain)))
		ov, _ := warpPieces(lv, pl, roi)
		t2 := time.Now()
		pix, _ := work.DataPtrUint8()
		st := measureFace(pix, 100, 100, &face)
		t3 := time.Now()
		gocv.GaussianBlur(ov, &ov, image.Point{}, 0.8, 0.8, gocv.BorderReplicate)
		t4 := time.Now()
		ovp, _ := ov.DataPtrUint8()
		composite(pix, 100, ovp, roi, newShading(st, &face), 2, rng, NewMask(100, 100))
		t5 := time.Now()
		ov.Close()
		Apply(work, face, tpl, DefaultOptions(), rng)
		t6 := time.Now()
		tp += t1.Sub(t0); tw += t2.Sub(t1); tm += t3.Sub(t2); tb += t4.Sub(t3); tc += t5.Sub(t4); ta += t6.Sub(t5)
	}
	t.Logf("per op: place %v warp %v measure %v blur %v composite %v | full Apply %v", tp/2000, tw/2000, tm/2000, tb/2000, tc/2000, ta/2000)
}
