package loader

import (
	"fmt"

	"github.com/occfer/occfer/dataset"
)

// SplitSamples returns the labelled items of one split as Samples, with their soft targets
// (FERPlus probability / crossentropy modes) and in-memory pixels (CSV layouts). Items without
// a label (a RAF-DB image missing from the label file, a folder that names no class, a FERPlus
// image without a majority) are returned as Problems unless the dataset already reported
// them: they are counted, never silently trained on.
func SplitSamples(d *dataset.Dataset, split string) ([]Sample, []dataset.Problem) {
	n := len(d.Classes)
	if n == 0 {
		n = len(dataset.ClassNames)
	}
	reported := map[string]bool{}
	for _, p := range d.Problems {
		if p.Item != "" {
			reported[p.Item] = true
		}
	}
	var out []Sample
	var probs []dataset.Problem
	for _, it := range d.Items {
		if it.Split != split {
			continue
		}
		if it.Label < 0 || it.Label >= n {
			if !reported[it.Rel] {
				probs = append(probs, dataset.Problem{Path: it.Where(), Code: dataset.CodeNoLabel, Item: it.Rel,
					Reason: "skipped: no class label (not in the label file, or no class folder)"})
			}
			continue
		}
		out = append(out, Sample{Rel: it.Rel, Abs: it.Where(), Label: it.Label, Target: it.Target, Pixels: it.Pixels})
	}
	return out, probs
}

// TestSplits are the splits an evaluation set may be read from, in the order TestSamples
// tries them: the test split, the whole tree of a layout without splits, the validation split.
var TestSplits = []string{"test", "", "val"}

// TestSamples picks the evaluation images of a dataset given with --val or to `ffra eval`: its
// test split when it has one (RAF-DB and FERPlus trees and occluded copies of them, test/
// folders), else every image outside train/ val/ test/ folders (a plain class-per-folder test
// set), else its validation split (train/ + valid/ trees). It also returns the split used.
// When none has a labelled image, the error names the dataset and digests its problems (file,
// line and reason), so a broken label file is visible.
func TestSamples(d *dataset.Dataset) ([]Sample, []dataset.Problem, string, error) {
	var all []dataset.Problem
	for _, split := range TestSplits {
		s, p := SplitSamples(d, split)
		if len(s) > 0 {
			return s, p, split, nil
		}
		all = append(all, p...)
	}
	return nil, all, "", fmt.Errorf("dataset %s (%s layout, %d images): no labelled test images (want a RAF-DB or FERPlus tree, test/<class>/ folders, or <class>/ folders); %s",
		d.Root, d.Layout, len(d.Items), dataset.ProblemDigest(append(append([]dataset.Problem(nil), d.Problems...), all...), 3))
}
