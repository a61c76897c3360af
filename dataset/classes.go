package dataset

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Canonical class names. Every layout names its classes with these words, so a model trained
// on one dataset is evaluated on another by name (a FER2013 "angry" folder is RAF-DB's
// "Anger"), whatever order each dataset numbers them in.
const (
	Surprise  = "Surprise"
	Fear      = "Fear"
	Disgust   = "Disgust"
	Happiness = "Happiness"
	Sadness   = "Sadness"
	Anger     = "Anger"
	Neutral   = "Neutral"
	Contempt  = "Contempt"
)

// ClassNames are the seven RAF-DB basic expressions in label-file order: label value v in
// EmoLabel/list_patition_label.txt is class index v-1. It is the class set of RAF-DB trees, of
// trees whose class folders name only these expressions, and the default of a model.
var ClassNames = [7]string{Surprise, Fear, Disgust, Happiness, Sadness, Anger, Neutral}

// classAliases maps folder names commonly used by class-per-folder FER datasets (FER2013,
// AffectNet exports, ExpW) to a canonical class, so those trees load without renaming.
var classAliases = map[string]string{
	"surprise": Surprise, "surprised": Surprise,
	"fear": Fear, "fearful": Fear, "afraid": Fear,
	"disgust": Disgust, "disgusted": Disgust,
	"happiness": Happiness, "happy": Happiness, "joy": Happiness,
	"sadness": Sadness, "sad": Sadness,
	"anger": Anger, "angry": Anger,
	"neutral":  Neutral,
	"contempt": Contempt, "contemptuous": Contempt,
}

// CanonicalClass returns the canonical name of an expression name or alias
// (case-insensitive), or "" when name is not an expression this package knows.
func CanonicalClass(name string) string {
	return classAliases[strings.ToLower(strings.TrimSpace(name))]
}

// SameClass reports whether two class names denote the same class: equal canonical names,
// or, for names that are no known expression, equal ignoring case.
func SameClass(a, b string) bool {
	ca, cb := CanonicalClass(a), CanonicalClass(b)
	if ca != "" || cb != "" {
		return ca == cb
	}
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// ClassOrder says what the digits of a dataset mean: label value or folder name First is
// Classes[0], First+1 is Classes[1], and so on.
type ClassOrder struct {
	Name    string   // registry name, or "custom" for a comma list
	Classes []string // canonical names, in label order
	First   int      // the digit of Classes[0]
	Source  string   // where the order is defined
}

// classOrders are the orders --class-order accepts by name; docs/datasets-layouts.md lists
// them with their sources.
var classOrders = []ClassOrder{
	{Name: "rafdb", Classes: ClassNames[:], First: 1,
		Source: "RAF-DB basic, EmoLabel/list_patition_label.txt values 1-7 (Li, Deng and Du, CVPR 2017)"},
	{Name: "fer2013", Classes: []string{Anger, Disgust, Fear, Happiness, Sadness, Surprise, Neutral}, First: 0,
		Source: "FER2013 fer2013.csv emotion column 0-6 (Goodfellow et al., ICONIP 2013; Kaggle ICML 2013 challenge)"},
	{Name: "ferplus", Classes: ferPlusClasses[:], First: 0,
		Source: "FERPlus fer2013new.csv vote columns 0-7 (Barsoum et al. 2016, arXiv 1608.01041)"},
	{Name: "affectnet", Classes: []string{Neutral, Happiness, Sadness, Surprise, Fear, Disgust, Anger, Contempt}, First: 0,
		Source: "AffectNet expression 0-7; 8-10 (none, uncertain, non-face) are no class (Mollahosseini et al., TAC 2017)"},
	{Name: "ckplus", Classes: []string{Neutral, Anger, Contempt, Disgust, Fear, Happiness, Sadness, Surprise}, First: 0,
		Source: "CK+ Emotion labels 0-7 (Lucey et al., CVPR Workshops 2010)"},
}

// ClassOrderNames lists the named orders --class-order accepts.
func ClassOrderNames() []string {
	var n []string
	for _, o := range classOrders {
		n = append(n, o.Name)
	}
	return n
}

// ClassOrders returns the named orders (a copy).
func ClassOrders() []ClassOrder {
	return slices.Clone(classOrders)
}

// ParseClassOrder accepts a registry name (ClassOrderNames) or a comma-separated list of
// class names, which numbers them from 0 ("Anger,Disgust,..." means folder 0 is Anger).
// Names of a list are canonicalised when they are expressions and kept as given otherwise.
func ParseClassOrder(s string) (ClassOrder, error) {
	s = strings.TrimSpace(s)
	for _, o := range classOrders {
		if strings.EqualFold(s, o.Name) {
			return o, nil
		}
	}
	if !strings.Contains(s, ",") {
		return ClassOrder{}, fmt.Errorf("unknown class order %q (known: %s, or a comma list of class names numbered from 0)", s, strings.Join(ClassOrderNames(), ", "))
	}
	o := ClassOrder{Name: "custom", First: 0, Source: "given on the command line"}
	for _, n := range strings.Split(s, ",") {
		n = strings.TrimSpace(n)
		if n == "" {
			return ClassOrder{}, fmt.Errorf("class order %q: empty class name", s)
		}
		if c := CanonicalClass(n); c != "" {
			n = c
		}
		for _, prev := range o.Classes {
			if SameClass(prev, n) {
				return ClassOrder{}, fmt.Errorf("class order %q names %s twice", s, n)
			}
		}
		o.Classes = append(o.Classes, n)
	}
	return o, nil
}

// Index returns the class index of a digit string in this order, or an error that says
// which digits the order has.
func (o ClassOrder) Index(digits string) (int, error) {
	v, err := strconv.Atoi(digits)
	if err != nil || v < o.First || v >= o.First+len(o.Classes) {
		return -1, fmt.Errorf("%q is no class of order %s (%d..%d)", digits, o.Name, o.First, o.First+len(o.Classes)-1)
	}
	return v - o.First, nil
}

// IndexOfClass returns the index of name in classes (by SameClass), or -1.
func IndexOfClass(classes []string, name string) int {
	for i, c := range classes {
		if SameClass(c, name) {
			return i
		}
	}
	return -1
}

// isDigits reports whether s is a non-empty string of ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// parseRAFLabel converts a label-file value ("1".."7") to a class index.
func parseRAFLabel(s string) (int, error) {
	v, err := strconv.Atoi(s)
	if err != nil || v < 1 || v > len(ClassNames) {
		return -1, fmt.Errorf("unknown label %q (RAF-DB basic labels are 1..%d)", s, len(ClassNames))
	}
	return v - 1, nil
}
