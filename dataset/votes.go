package dataset

import (
	"fmt"

	"github.com/occfer/occfer/internal/scores"
)

// FERPlus vote columns, in the order of fer2013new.csv and label.csv (Barsoum et al. 2016,
// arXiv 1608.01041): the eight emotions, then "unknown" and "not a face" (NF).
const (
	VoteUnknown = 8
	VoteNotFace = 9
	NumVotes    = 10
)

// ferPlusClasses are FERPlus's eight emotions in vote-column order.
var ferPlusClasses = [8]string{Neutral, Happiness, Surprise, Sadness, Anger, Disgust, Fear, Contempt}

// FERPlusClasses returns FERPlus's class names: 8 (vote-column order), or 7 with contempt
// (the last) dropped.
func FERPlusClasses(n int) []string {
	if n == 7 {
		return append([]string(nil), ferPlusClasses[:7]...)
	}
	return append([]string(nil), ferPlusClasses[:]...)
}

// FERPlusVotes are the ten crowd votes of one FERPlus image.
type FERPlusVotes [NumVotes]int

// withoutOutliers returns the votes as floats with every count of 1 or less set to 0: the
// paper removes single votes as outliers before any label rule.
func (v FERPlusVotes) withoutOutliers() (r [NumVotes]float64, total float64) {
	for i, n := range v {
		if n > 1 {
			r[i] = float64(n)
			total += r[i]
		}
	}
	return r, total
}

// Majority applies the FERPlus majority rule: after outlier removal, the class with more than
// half of the remaining votes. It returns the class (0..7, vote-column order) or, when the
// image is dropped, -1 and the reason code: CodeNoMajority (no class has more than half, or
// no votes are left), CodeUnknownWinner or CodeNotAFace (the majority went to unknown or
// not-a-face). A majority is unique, so ties cannot arise.
func (v FERPlusVotes) Majority() (int, string) {
	r, total := v.withoutOutliers()
	best := scores.Argmax(r[:])
	if !(r[best] > 0.5*total) {
		return -1, CodeNoMajority
	}
	return winner(best)
}

func winner(i int) (int, string) {
	switch i {
	case VoteUnknown:
		return -1, CodeUnknownWinner
	case VoteNotFace:
		return -1, CodeNotAFace
	}
	return i, ""
}

// Distribution is the label distribution of the paper's probability (PLD) and cross-entropy
// schemes, with the discard rules of the FERPlus reference code: after outlier removal, the
// most-voted entries are taken in rounds (all entries tied at the round's maximum at once, in
// column order) until they hold at least 75% of the votes, or 3 entries are taken, or the round
// reaches unknown / not-a-face. That entry ends the rounds and is itself kept only when it is
// the first taken. The image is dropped (CodeSpreadVotes) when the kept entries hold no more
// than half of the votes or more than 3 were taken in all, and (CodeUnknownWinner,
// CodeNotAFace) when the largest kept entry (first in column order on ties) is unknown or
// not-a-face. Otherwise the kept emotion counts, normalised, are the distribution over the 8
// emotions and the class is its argmax.
func (v FERPlusVotes) Distribution() ([8]float64, int, string) {
	var dist [8]float64
	r, total := v.withoutOutliers()
	var kept [NumVotes]float64
	keptSum := func() (s float64) {
		for _, x := range kept {
			s += x
		}
		return s
	}
	taken, count, valid := 0.0, 0, true
	for taken < 0.75*total && count < 3 && valid {
		top := r[scores.Argmax(r[:])]
		for i := range r {
			if r[i] != top {
				continue
			}
			kept[i], r[i] = top, 0
			taken += top
			count++
			if i >= VoteUnknown {
				valid = false
				if keptSum() > top { // emotions were taken before it: leave it out
					kept[i] = 0
					count--
				}
				break
			}
		}
	}
	if keptSum() <= 0.5*total || count > 3 {
		return dist, -1, CodeSpreadVotes
	}
	class, drop := winner(scores.Argmax(kept[:]))
	if drop != "" {
		return dist, -1, drop
	}
	var sum float64
	for i := range dist {
		sum += kept[i]
	}
	for i := range dist {
		dist[i] = kept[i] / sum
	}
	return dist, class, ""
}

// ferPlusLabel turns votes into a label under the options: mode (train split only; other
// splits use majority) and class count. It returns the class, the soft target for
// probability / crossentropy modes (nil otherwise), or -1 and the drop reason.
func ferPlusLabel(v FERPlusVotes, mode string, classes int) (int, []float32, string, string) {
	if mode == "" || mode == ModeMajority {
		c, drop := v.Majority()
		if drop != "" {
			return -1, nil, drop, dropReason(drop, v)
		}
		if c == 7 && classes == 7 {
			return -1, nil, CodeContempt, fmt.Sprintf("majority is contempt (votes %v), a class dropped with 7 classes", v)
		}
		return c, nil, "", ""
	}
	dist, c, drop := v.Distribution()
	if drop != "" {
		return -1, nil, drop, dropReason(drop, v)
	}
	if c == 7 && classes == 7 {
		return -1, nil, CodeContempt, fmt.Sprintf("largest vote share is contempt (votes %v), a class dropped with 7 classes", v)
	}
	n := 8
	if classes == 7 {
		n = 7
	}
	var sum float64
	for i := range n {
		sum += dist[i]
	}
	target := make([]float32, n)
	for i := range target {
		target[i] = float32(dist[i] / sum)
	}
	return c, target, "", ""
}

func dropReason(code string, v FERPlusVotes) string {
	switch code {
	case CodeNoMajority:
		return fmt.Sprintf("no emotion has more than half of the votes after removing single votes (votes %v)", v)
	case CodeSpreadVotes:
		return fmt.Sprintf("votes too spread for a label distribution (FERPlus reference rule; votes %v)", v)
	case CodeUnknownWinner:
		return fmt.Sprintf("most votes say unknown (votes %v)", v)
	case CodeNotAFace:
		return fmt.Sprintf("most votes say not a face (votes %v)", v)
	}
	return code
}
