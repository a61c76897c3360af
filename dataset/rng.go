package dataset

import (
	"hash/fnv"
	"math/rand/v2"
)

// ItemRNG returns a random source private to one item and one purpose. It depends only on the
// run seed, the item's relative path and the purpose string, so an item gets the same random
// choices whatever the worker count, processing order or shard it falls in. Different purposes
// ("template", "augment/epoch3", ...) give independent streams for the same item.
func ItemRNG(seed uint64, rel, purpose string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(rel))
	h.Write([]byte{0})
	h.Write([]byte(purpose))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}
