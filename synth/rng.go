package synth

import (
	"hash/fnv"
	"math/rand/v2"
)

// itemRNG is dataset.ItemRNG, copied rather than imported because dataset links gocv (cgo)
// and synth must stay pure Go so it builds and tests in seconds. Keep the two identical: a
// seed then means the same thing in every package.
func itemRNG(seed uint64, rel, purpose string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(rel))
	h.Write([]byte{0})
	h.Write([]byte(purpose))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}
