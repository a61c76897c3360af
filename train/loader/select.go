package loader

import (
	"fmt"

	"github.com/occfer/occfer/dataset"
)

// SplitSamples returns the labelled items of one split as Samples. Items without a label
// (a RAF-DB image missing from the label file, a folder that names no class) are returned as
// Problems: they are reported and counted, never silently trained on.
func SplitSamples(d *dataset.Dataset, split string) ([]Sample, []dataset.Problem) {
	var out []Sample
	var probs []dataset.Problem
	for _, it := range d.Items {
		if it.Split != split {
			continue
		}
		if it.Label < 0 || it.Label >= len(dataset.ClassNames) {
			probs = append(probs, dataset.Problem{Path: it.Abs, Reason: "skipped: no class label (not in the label file, or no class folder)"})
			continue
		}
		out = append(out, Sample{Rel: it.Rel, Abs: it.Abs, Label: it.Label})
	}
	return out, probs
}

// TestSamples picks the evaluation images of a dataset given with --val or to `ffra eval`: its
// test split when it has one (RAF-DB trees and occluded copies of them, test/ folders), else
// every image outside a train/ folder (a plain class-per-folder test set).
// It also returns the split used ("test", "" or "val").
func TestSamples(d *dataset.Dataset) ([]Sample, []dataset.Problem, string, error) {
	if s, p := SplitSamples(d, "test"); len(s) > 0 {
		return s, p, "test", nil
	}
	s, p := SplitSamples(d, "")
	if len(s) > 0 {
		return s, p, "", nil
	}
	if v, pv := SplitSamples(d, "val"); len(v) > 0 {
		return v, pv, "val", nil
	}
	return nil, p, "", fmt.Errorf("dataset %s: no labelled test images (want a RAF-DB tree, test/<class>/ folders, or <class>/ folders)", d.Root)
}
