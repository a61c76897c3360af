package dataset

import (
	"math"
	"testing"
)

// TestFERPlusVoteRules covers every rule of the FERPlus label modes on crafted votes
// (neutral, happiness, surprise, sadness, anger, disgust, fear, contempt, unknown, NF).
// Expected values are worked out by hand from the paper and its reference code's rules.
func TestFERPlusVoteRules(t *testing.T) {
	cases := []struct {
		name     string
		votes    FERPlusVotes
		majority int    // class, or -1
		majDrop  string // reason when -1
		dist     map[int]float64
		distDrop string
	}{
		{"first FERPlus row: single sadness vote removed, 4 of 9 is no majority",
			FERPlusVotes{4, 0, 0, 1, 3, 2, 0, 0, 0, 0}, -1, CodeNoMajority, map[int]float64{0: 4.0 / 7, 4: 3.0 / 7}, ""},
		{"outliers removed: 6 of 8 neutral",
			FERPlusVotes{6, 0, 1, 1, 0, 0, 0, 0, 2, 0}, 0, "", map[int]float64{0: 1}, ""},
		{"unknown wins", FERPlusVotes{0, 0, 0, 0, 0, 0, 0, 0, 10, 0}, -1, CodeUnknownWinner, nil, CodeUnknownWinner},
		{"unknown wins after outlier removal", FERPlusVotes{0, 0, 0, 0, 0, 0, 0, 0, 6, 4}, -1, CodeUnknownWinner, nil, CodeUnknownWinner},
		{"not a face wins", FERPlusVotes{2, 0, 0, 0, 0, 0, 0, 0, 0, 8}, -1, CodeNotAFace, nil, CodeNotAFace},
		{"tie 5/5: no majority, an even distribution, argmax the first",
			FERPlusVotes{5, 5, 0, 0, 0, 0, 0, 0, 0, 0}, -1, CodeNoMajority, map[int]float64{0: 0.5, 1: 0.5}, ""},
		{"single votes removed make contempt the majority",
			FERPlusVotes{1, 1, 1, 1, 1, 1, 1, 3, 0, 0}, 7, "", map[int]float64{7: 1}, ""},
		{"all single votes: nothing left", FERPlusVotes{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, -1, CodeNoMajority, nil, CodeSpreadVotes},
		{"four entries taken: too spread", FERPlusVotes{3, 3, 2, 2, 0, 0, 0, 0, 0, 0}, -1, CodeNoMajority, nil, CodeSpreadVotes},
		{"unknown after an emotion is left out, and half is not enough",
			FERPlusVotes{5, 0, 0, 0, 0, 0, 0, 0, 3, 2}, -1, CodeNoMajority, nil, CodeSpreadVotes},
		{"unknown after an emotion is left out",
			FERPlusVotes{6, 0, 0, 0, 0, 0, 0, 0, 2, 2}, 0, "", map[int]float64{0: 1}, ""},
		{"not a face tied with an emotion is left out", FERPlusVotes{4, 0, 0, 0, 0, 0, 0, 0, 0, 4}, -1, CodeNoMajority, nil, CodeSpreadVotes},
		{"happiness with a contempt share", FERPlusVotes{0, 6, 0, 0, 0, 0, 0, 4, 0, 0}, 1, "", map[int]float64{1: 0.6, 7: 0.4}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, drop := c.votes.Majority()
			if got != c.majority || drop != c.majDrop {
				t.Errorf("Majority = %d %q, want %d %q", got, drop, c.majority, c.majDrop)
			}
			dist, class, ddrop := c.votes.Distribution()
			if ddrop != c.distDrop {
				t.Fatalf("Distribution drop %q, want %q (dist %v)", ddrop, c.distDrop, dist)
			}
			if ddrop != "" {
				return
			}
			best, bestP := -1, -1.0
			for i, p := range dist {
				if math.Abs(p-c.dist[i]) > 1e-12 {
					t.Errorf("dist[%d] = %v, want %v", i, p, c.dist[i])
				}
				if c.dist[i] > bestP {
					best, bestP = i, c.dist[i]
				}
			}
			if class != best {
				t.Errorf("Distribution class %d, want %d", class, best)
			}
		})
	}
}

// TestFERPlusLabelClasses: with 7 classes a contempt winner is dropped and counted, and a
// contempt share of a soft target is removed and the rest renormalised; modes other than
// majority give soft targets.
func TestFERPlusLabelClasses(t *testing.T) {
	contempt := FERPlusVotes{1, 1, 1, 1, 1, 1, 1, 3, 0, 0}
	for _, mode := range []string{ModeMajority, ModeProbability, ModeCrossEntropy} {
		if c, _, code, _ := ferPlusLabel(contempt, mode, 8); c != 7 || code != "" {
			t.Errorf("%s, 8 classes: %d %q, want contempt (7)", mode, c, code)
		}
		if c, _, code, reason := ferPlusLabel(contempt, mode, 7); c != -1 || code != CodeContempt || reason == "" {
			t.Errorf("%s, 7 classes: %d %q, want dropped as %s", mode, c, code, CodeContempt)
		}
	}
	share := FERPlusVotes{0, 6, 0, 0, 0, 0, 0, 4, 0, 0}
	c, target, _, _ := ferPlusLabel(share, ModeCrossEntropy, 8)
	if c != 1 || len(target) != 8 || math.Abs(float64(target[1])-0.6) > 1e-6 || math.Abs(float64(target[7])-0.4) > 1e-6 {
		t.Errorf("8 classes: class %d target %v", c, target)
	}
	c, target, _, _ = ferPlusLabel(share, ModeProbability, 7)
	if c != 1 || len(target) != 7 || target[1] != 1 {
		t.Errorf("7 classes: class %d target %v, want all on happiness", c, target)
	}
	if _, target, _, _ = ferPlusLabel(share, ModeMajority, 8); target != nil {
		t.Errorf("majority mode gave a soft target %v", target)
	}
}
