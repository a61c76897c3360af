package dataset

// ItemRNGPinned is the first Uint64 of ItemRNG(7, "x/a.jpg", "mask"), recorded when the
// derivation was written.
const ItemRNGPinned uint64 = 10610905140878060797
