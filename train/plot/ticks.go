package plot

import (
	"math"
	"strconv"
	"strings"

	gplot "gonum.org/v1/plot"
)

// IntegerTicks is a gonum tick marker for counted quantities such as epochs: every major
// tick is a whole number, labelled without a decimal point, at a step of 1, 2 or 5 times a
// power of ten (or 25) chosen so there are at most MaxMajor labelled ticks. Minor ticks fall
// on whole numbers between them when the step allows. A range with no whole number in it
// (min 1.2, max 1.8) gets no ticks.
type IntegerTicks struct {
	MaxMajor int // at most this many labelled ticks; 0 means 8
}

// Ticks implements gplot.Ticker.
func (t IntegerTicks) Ticks(min, max float64) []gplot.Tick {
	lo, hi := math.Ceil(min), math.Floor(max)
	if math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) || lo > hi {
		return nil
	}
	maxMajor := t.MaxMajor
	if maxMajor <= 0 {
		maxMajor = 8
	}
	step := integerStep(hi-lo, maxMajor)
	minor := minorStep(step)
	var ticks []gplot.Tick
	start := math.Ceil(lo/minor) * minor
	for v := start; v <= hi; v += minor {
		tk := gplot.Tick{Value: v}
		if math.Mod(v, step) == 0 {
			tk.Label = strconv.FormatFloat(v, 'f', 0, 64)
		}
		ticks = append(ticks, tk)
	}
	// A span shorter than one step (epochs 3..4 with step 5) would show no label: label
	// the whole numbers it has instead.
	if !hasLabel(ticks) {
		ticks = ticks[:0]
		for v := lo; v <= hi; v++ {
			ticks = append(ticks, gplot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', 0, 64)})
		}
	}
	return ticks
}

// integerStep is the smallest step of 1, 2, 2.5 (only from 25 up), 5 times 10^k that puts at
// most maxMajor multiples into a span of the given length.
func integerStep(span float64, maxMajor int) float64 {
	for mag := 1.0; ; mag *= 10 {
		for _, m := range []float64{1, 2, 2.5, 5} {
			s := m * mag
			if s != math.Trunc(s) {
				continue // 2.5 is not whole
			}
			if math.Floor(span/s)+1 <= float64(maxMajor) {
				return s
			}
		}
	}
}

// minorStep subdivides a major step into whole numbers: by 5 (10 -> 2, 25 -> 5, 50 -> 10),
// by 4 for a leading 2 (20 -> 5), and 1 for steps up to 5.
func minorStep(step float64) float64 {
	if step <= 5 {
		return 1
	}
	lead := step / math.Pow(10, math.Floor(math.Log10(step)))
	d := 5.0
	if lead == 2 {
		d = 4
	}
	if m := step / d; m == math.Trunc(m) {
		return m
	}
	return 1
}

func hasLabel(ts []gplot.Tick) bool {
	for _, t := range ts {
		if t.Label != "" {
			return true
		}
	}
	return false
}

// niceTicks is a gonum tick marker for continuous values (loss, accuracy): labelled ticks at
// the smallest step of 1, 2, 2.5 or 5 times a power of ten that gives at most 6 intervals,
// all written with the decimals the step needs (step 2.5: "80.0", "82.5"; step 20: "80", not
// gonum's default "80.00"), and minor ticks at a fifth (a quarter for a leading 2) of a step.
type niceTicks struct{}

func (niceTicks) Ticks(min, max float64) []gplot.Tick {
	if !(max > min) || math.IsInf(min, 0) || math.IsInf(max, 0) {
		return nil
	}
	span := max - min
	mag := math.Pow(10, math.Floor(math.Log10(span/6)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 2.5, 5} {
		if span/(m*mag) <= 6 {
			step = m * mag
			break
		}
	}
	lead := step / math.Pow(10, math.Floor(math.Log10(step)))
	minor := step / 5
	if math.Abs(lead-2) < 1e-9 {
		minor = step / 4
	}
	prec := 0
	for p := step; math.Abs(p-math.Round(p)) > 1e-9*step && prec < 10; p *= 10 {
		prec++
	}
	var ticks []gplot.Tick
	first := math.Ceil(min/minor - 1e-9)
	for k := first; k*minor <= max+1e-9*span; k++ {
		v := k * minor
		t := gplot.Tick{Value: v}
		if r := v / step; math.Abs(r-math.Round(r)) < 1e-6 {
			t.Value = math.Round(r) * step
			t.Label = strconv.FormatFloat(t.Value, 'f', prec, 64)
			if t.Label == "-0" || strings.Trim(t.Label, "-0.") == "" {
				t.Label = strings.TrimPrefix(t.Label, "-")
			}
		}
		ticks = append(ticks, t)
	}
	return ticks
}
