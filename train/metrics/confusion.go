// Package metrics holds the classification metrics that training and evaluation report:
// a confusion matrix, overall accuracy and mean per-class accuracy.
package metrics

import (
	"fmt"
	"strings"
)

// Confusion counts predictions: M[true][pred].
type Confusion struct {
	Classes []string `json:"classes"`
	M       [][]int  `json:"matrix"`
}

// NewConfusion returns an empty matrix over the given class names.
func NewConfusion(classes []string) *Confusion {
	m := make([][]int, len(classes))
	for i := range m {
		m[i] = make([]int, len(classes))
	}
	return &Confusion{Classes: append([]string(nil), classes...), M: m}
}

// Add records one prediction. Out-of-range indices are an error rather than a panic, since
// they mean a checkpoint with a different class count.
func (c *Confusion) Add(truth, pred int) error {
	n := len(c.Classes)
	if truth < 0 || truth >= n || pred < 0 || pred >= n {
		return fmt.Errorf("confusion: class index out of range (true %d, predicted %d, %d classes)", truth, pred, n)
	}
	c.M[truth][pred]++
	return nil
}

// Total is the number of recorded predictions.
func (c *Confusion) Total() int {
	t := 0
	for _, row := range c.M {
		for _, v := range row {
			t += v
		}
	}
	return t
}

// Accuracy is the fraction of correct predictions (0 when empty).
func (c *Confusion) Accuracy() float64 {
	t := c.Total()
	if t == 0 {
		return 0
	}
	ok := 0
	for i := range c.M {
		ok += c.M[i][i]
	}
	return float64(ok) / float64(t)
}

// Support is the number of true samples per class.
func (c *Confusion) Support() []int {
	s := make([]int, len(c.M))
	for i, row := range c.M {
		for _, v := range row {
			s[i] += v
		}
	}
	return s
}

// PerClass is the recall of each class; NaN-free: a class without samples gets -1.
func (c *Confusion) PerClass() []float64 {
	s := c.Support()
	r := make([]float64, len(s))
	for i := range s {
		if s[i] == 0 {
			r[i] = -1
			continue
		}
		r[i] = float64(c.M[i][i]) / float64(s[i])
	}
	return r
}

// MeanClassAccuracy averages PerClass over the classes that have samples. RAF-DB papers
// report it next to accuracy because the set is imbalanced (Happiness ~39% of test images).
func (c *Confusion) MeanClassAccuracy() float64 {
	sum, n := 0.0, 0
	for _, v := range c.PerClass() {
		if v >= 0 {
			sum += v
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// Missing lists the classes with no samples: their recall is undefined and they are left out
// of the mean, which callers must say.
func (c *Confusion) Missing() []string {
	var m []string
	for i, s := range c.Support() {
		if s == 0 {
			m = append(m, c.Classes[i])
		}
	}
	return m
}

// Merge adds the counts of o (same classes) into c.
func (c *Confusion) Merge(o *Confusion) error {
	if len(o.M) != len(c.M) {
		return fmt.Errorf("confusion: merge %d classes into %d", len(o.M), len(c.M))
	}
	for i := range c.M {
		for j := range c.M[i] {
			c.M[i][j] += o.M[i][j]
		}
	}
	return nil
}

// Table renders the matrix as fixed-width text with per-class recall, for terminals.
func (c *Confusion) Table() string {
	w := 6
	for _, n := range c.Classes {
		w = max(w, len(n))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-*s", w+2, "true\\pred")
	for _, n := range c.Classes {
		fmt.Fprintf(&b, " %*s", w, n)
	}
	fmt.Fprintf(&b, " %*s\n", 7, "recall")
	pc := c.PerClass()
	for i, row := range c.M {
		fmt.Fprintf(&b, "%-*s", w+2, c.Classes[i])
		for _, v := range row {
			fmt.Fprintf(&b, " %*d", w, v)
		}
		if pc[i] < 0 {
			fmt.Fprintf(&b, " %7s\n", "n/a")
		} else {
			fmt.Fprintf(&b, " %6.2f%%\n", 100*pc[i])
		}
	}
	return b.String()
}
