package cli

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// IntRange is an inclusive range of whole numbers, written MIN,MAX (see ParseIntRange).
// It is a pflag.Value (bind it with FlagSet.Var) and reads and writes JSON as the same string.
type IntRange struct{ Min, Max int }

// FloatRange is an inclusive range of finite numbers, written MIN,MAX (see ParseFloatRange).
type FloatRange struct{ Min, Max float64 }

// splitRange cuts a range into its two numbers. The one syntax is "MIN,MAX". Two aliases keep
// older command lines working: a single number N means N,N, and "MIN-MAX" (occlude's old form,
// e.g. 0.05-0.25) is read when both numbers are non-negative, since a hyphen cannot separate
// negative ones. The hyphen of an exponent (1e-3) is not a separator.
func splitRange(s string) (lo, hi string, hyphen bool) {
	s = strings.TrimSpace(s)
	if a, b, ok := strings.Cut(s, ","); ok {
		return strings.TrimSpace(a), strings.TrimSpace(b), false
	}
	cut := -1
	for i := 1; i < len(s); i++ {
		if s[i] == '-' && s[i-1] != 'e' && s[i-1] != 'E' {
			if cut >= 0 {
				return s, "", true // two separators: let the number parse fail
			}
			cut = i
		}
	}
	if cut < 0 {
		return s, s, false
	}
	return strings.TrimSpace(s[:cut]), strings.TrimSpace(s[cut+1:]), true
}

// ParseIntRange reads "MIN,MAX" (or N, or the alias MIN-MAX for non-negative numbers) and
// checks MIN <= MAX.
func ParseIntRange(s string) (IntRange, error) {
	a, b, hyphen := splitRange(s)
	lo, err1 := strconv.Atoi(a)
	hi, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil {
		return IntRange{}, fmt.Errorf("%q: want MIN,MAX whole numbers, e.g. 1,3", s)
	}
	if hyphen && (lo < 0 || hi < 0) {
		return IntRange{}, fmt.Errorf("%q: write negative bounds as MIN,MAX", s)
	}
	if lo > hi {
		return IntRange{}, fmt.Errorf("%q: MIN %d is above MAX %d", s, lo, hi)
	}
	return IntRange{lo, hi}, nil
}

// ParseFloatRange reads "MIN,MAX" (or N, or the alias MIN-MAX for non-negative numbers) and
// checks that both are finite and MIN <= MAX.
func ParseFloatRange(s string) (FloatRange, error) {
	a, b, hyphen := splitRange(s)
	lo, err1 := strconv.ParseFloat(a, 64)
	hi, err2 := strconv.ParseFloat(b, 64)
	if err1 != nil || err2 != nil {
		return FloatRange{}, fmt.Errorf("%q: want MIN,MAX numbers, e.g. 0.05,0.25", s)
	}
	if math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return FloatRange{}, fmt.Errorf("%q: want finite numbers", s)
	}
	if hyphen && (lo < 0 || hi < 0) {
		return FloatRange{}, fmt.Errorf("%q: write negative bounds as MIN,MAX", s)
	}
	if lo > hi {
		return FloatRange{}, fmt.Errorf("%q: MIN %g is above MAX %g", s, lo, hi)
	}
	return FloatRange{lo, hi}, nil
}

func (r IntRange) String() string   { return strconv.Itoa(r.Min) + "," + strconv.Itoa(r.Max) }
func (r FloatRange) String() string { return fmtFloat(r.Min) + "," + fmtFloat(r.Max) }

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// Set parses s (pflag.Value).
func (r *IntRange) Set(s string) error {
	v, err := ParseIntRange(s)
	if err == nil {
		*r = v
	}
	return err
}

// Set parses s (pflag.Value).
func (r *FloatRange) Set(s string) error {
	v, err := ParseFloatRange(s)
	if err == nil {
		*r = v
	}
	return err
}

// Type is the value's name in help texts.
func (r *IntRange) Type() string { return "MIN,MAX" }

// Type is the value's name in help texts.
func (r *FloatRange) Type() string { return "MIN,MAX" }

// MarshalText writes MIN,MAX (JSON: a string).
func (r IntRange) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// MarshalText writes MIN,MAX (JSON: a string).
func (r FloatRange) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText reads the same syntax as Set.
func (r *IntRange) UnmarshalText(b []byte) error { return r.Set(string(b)) }

// UnmarshalText reads the same syntax as Set.
func (r *FloatRange) UnmarshalText(b []byte) error { return r.Set(string(b)) }
