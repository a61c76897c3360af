package metrics

import (
	"strings"
	"testing"
)

func TestConfusionMetrics(t *testing.T) {
	c := NewConfusion([]string{"a", "b", "c"})
	// a: 3 right, 1 as b; b: 1 right, 1 as c; c: none.
	for _, p := range [][2]int{{0, 0}, {0, 0}, {0, 0}, {0, 1}, {1, 1}, {1, 2}} {
		if err := c.Add(p[0], p[1]); err != nil {
			t.Fatal(err)
		}
	}
	if got := c.Accuracy(); got != 4.0/6 {
		t.Fatalf("accuracy %v want 4/6", got)
	}
	if got := c.MeanClassAccuracy(); got != (0.75+0.5)/2 {
		t.Fatalf("mean class accuracy %v want 0.625", got)
	}
	if m := c.Missing(); len(m) != 1 || m[0] != "c" {
		t.Fatalf("missing %v want [c]", m)
	}
	if err := c.Add(3, 0); err == nil {
		t.Fatal("out-of-range class accepted")
	}
	tab := c.Table()
	if !strings.Contains(tab, "75.00%") || !strings.Contains(tab, "n/a") {
		t.Fatalf("table lacks recall figures:\n%s", tab)
	}
	d := NewConfusion([]string{"a", "b", "c"})
	d.Add(2, 2)
	if err := c.Merge(d); err != nil || c.Total() != 7 || c.M[2][2] != 1 {
		t.Fatalf("merge: %v total %d", err, c.Total())
	}
}
