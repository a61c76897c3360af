// Package scores holds the one argmax over a score vector that occfer's predictions (model's
// CAM class, train's predicted class) and FERPlus's vote majority (dataset) share.
package scores

// Argmax returns the first index of the largest value of v: ties go to the lower index (for
// FERPlus votes, the class listed first), a NaN never wins over an earlier value, and an empty
// v gives 0.
func Argmax[T ~float32 | ~float64](v []T) int {
	best := 0
	for i := range v {
		if v[i] > v[best] {
			best = i
		}
	}
	return best
}
