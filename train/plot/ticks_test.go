package plot

import (
	"math"
	"slices"
	"strconv"
	"testing"
)

func TestIntegerTicks(t *testing.T) {
	cases := []struct {
		name     string
		min, max float64
		labels   []string // labelled ticks, in order
	}{
		{"one epoch", 0.5, 1.5, []string{"1"}},
		{"two epochs", 1, 2, []string{"1", "2"}},
		{"three epochs", 1, 3, []string{"1", "2", "3"}},
		{"eight epochs", 1, 8, []string{"1", "2", "3", "4", "5", "6", "7", "8"}},
		{"ten epochs", 1, 10, []string{"2", "4", "6", "8", "10"}},
		{"two hundred epochs", 1, 200, []string{"25", "50", "75", "100", "125", "150", "175", "200"}},
		{"no whole number", 1.2, 1.8, nil},
		{"span under one step", 31, 33, []string{"31", "32", "33"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ticks := IntegerTicks{}.Ticks(c.min, c.max)
			var labels []string
			for _, tk := range ticks {
				if tk.Value != math.Trunc(tk.Value) || tk.Value < c.min || tk.Value > c.max {
					t.Errorf("tick %v: not a whole number inside [%g, %g]", tk.Value, c.min, c.max)
				}
				if tk.Label == "" {
					continue
				}
				if tk.Label != strconv.Itoa(int(tk.Value)) {
					t.Errorf("tick %v labelled %q", tk.Value, tk.Label)
				}
				labels = append(labels, tk.Label)
			}
			if !slices.Equal(labels, c.labels) {
				t.Errorf("labels %v, want %v", labels, c.labels)
			}
		})
	}
}

func TestNiceTicks(t *testing.T) {
	cases := []struct {
		name     string
		min, max float64
		labels   []string
	}{
		{"loss", 0.27, 1.33, []string{"0.4", "0.6", "0.8", "1.0", "1.2"}},
		{"accuracy", 43.6, 89.1, []string{"50", "60", "70", "80"}},
		{"narrow accuracy", 72.2, 84.0, []string{"74", "76", "78", "80", "82", "84"}},
		{"around zero", -1, 1, []string{"-1.0", "-0.5", "0.0", "0.5", "1.0"}},
		{"empty range", 3, 3, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var labels []string
			for _, tk := range (niceTicks{}).Ticks(c.min, c.max) {
				if tk.Label == "" {
					continue
				}
				v, err := strconv.ParseFloat(tk.Label, 64)
				if err != nil || math.Abs(v-tk.Value) > 1e-9 {
					t.Errorf("tick %v labelled %q", tk.Value, tk.Label)
				}
				labels = append(labels, tk.Label)
			}
			if !slices.Equal(labels, c.labels) {
				t.Errorf("labels %v, want %v", labels, c.labels)
			}
		})
	}
}
