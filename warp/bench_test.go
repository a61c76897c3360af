package warp

import (
	"math/rand/v2"
	"testing"

	"gocv.io/x/gocv"
)

// Speed target: the occlude pipeline must reach ≥ 1000 images/s on 2 cores,
// so Apply on a 100×100 aligned crop has to stay well under 1 ms.
//
//	go test ./warp -run '^$' -bench Apply -benchmem

func benchApply(b *testing.B, name string, aligned bool) {
	src := astronaut(b)
	defer src.Close()
	c := placementCase{name: "bench", scale: 1, aligned: aligned}
	base, face := c.render(b, src, astronautLandmarks(b))
	defer base.Close()
	if !aligned {
		base.Close()
		base = src.Clone()
		face = astronautLandmarks(b)
	}
	tpl := templateByName(b, name)
	work := base.Clone()
	defer work.Close()
	rng := rand.New(rand.NewPCG(1, 1))
	opts := DefaultOptions()
	if _, err := Apply(work, face, tpl, opts, rng); err != nil { // warm the level cache
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		base.CopyTo(&work)
		if _, err := Apply(work, face, tpl, opts, rng); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkApplyMask100(b *testing.B)      { benchApply(b, "mask_surgical_blue", true) }
func BenchmarkApplyClothMask100(b *testing.B) { benchApply(b, "mask_cloth_plaid", true) }
func BenchmarkApplySunglasses100(b *testing.B) {
	benchApply(b, "sunglasses_aviator_green", true)
}
func BenchmarkApplyMask512(b *testing.B) { benchApply(b, "mask_surgical_blue", false) }

// BenchmarkApplyMask100Parallel runs one worker per core on shared templates,
// as the occlude workers do.
func BenchmarkApplyMask100Parallel(b *testing.B) {
	src := astronaut(b)
	defer src.Close()
	base, face := placementCase{aligned: true}.render(b, src, astronautLandmarks(b))
	defer base.Close()
	tpl := templateByName(b, "mask_surgical_blue")
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		work := gocv.NewMat()
		defer work.Close()
		rng := rand.New(rand.NewPCG(2, 2))
		for pb.Next() {
			base.CopyTo(&work)
			if _, err := Apply(work, face, tpl, DefaultOptions(), rng); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
