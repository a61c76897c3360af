package train

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/train/loader"
	"github.com/occfer/occfer/train/rundir"
)

// SetSpec names a test set on the command line: "PATH" (name = folder base name) or
// "NAME=PATH".
type SetSpec struct{ Name, Path string }

var setNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// ParseSetSpec parses "NAME=PATH" or "PATH". Names end up in file names
// (confusion_<name>.png) and JSON keys, so they are restricted to letters, digits, . _ -.
func ParseSetSpec(s string) (SetSpec, error) {
	name, path := "", s
	if i := strings.Index(s, "="); i > 0 && !strings.ContainsAny(s[:i], `/\`) {
		name, path = s[:i], s[i+1:]
	}
	if path == "" {
		return SetSpec{}, fmt.Errorf("test set %q: empty path", s)
	}
	if name == "" {
		abs, err := filepath.Abs(path)
		if err != nil {
			return SetSpec{}, fmt.Errorf("test set %q: %w", s, err)
		}
		name = filepath.Base(abs)
		if dataset.IsImageName(name) {
			name = strings.TrimSuffix(name, filepath.Ext(name))
		}
	}
	if !setNameRE.MatchString(name) {
		return SetSpec{}, fmt.Errorf("test set %q: name %q must be letters, digits, '.', '_' or '-' (use NAME=PATH)", s, name)
	}
	return SetSpec{Name: name, Path: path}, nil
}

// DataOptions are the loading settings shared by train and eval.
type DataOptions struct {
	Workers    int
	CacheBytes int64
	RAFImages  string    // dataset.OpenOptions.RAFImages
	Log        io.Writer // problems are reported here (nil: discarded)
}

// LoadedSet is a decoded set with the record that goes into config.json.
type LoadedSet struct {
	Ref      rundir.DatasetRef
	Set      *loader.Set
	Problems []dataset.Problem // label lines, unlabelled items and corrupt images that were skipped
}

func openDataset(path string, o DataOptions) (*dataset.Dataset, string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, "", fmt.Errorf("dataset %s: %w", path, err)
	}
	d, err := dataset.Open(abs, dataset.OpenOptions{RAFImages: o.RAFImages})
	if err != nil {
		return nil, "", err
	}
	return d, abs, nil
}

// LoadTrain opens the training dataset: its "train" split for training and, when it has one,
// its "test" split (the official RAF-DB test set, or test/ folders), reported as testName.
func LoadTrain(ctx context.Context, path, testName string, o DataOptions) (train, test *LoadedSet, err error) {
	d, abs, err := openDataset(path, o)
	if err != nil {
		return nil, nil, err
	}
	hash, hashOf, err := rundir.DatasetHash(d)
	if err != nil {
		return nil, nil, err
	}
	samples, probs := loader.SplitSamples(d, "train")
	if len(samples) == 0 {
		return nil, nil, fmt.Errorf("dataset %s has no labelled training images: want a RAF-DB tree (EmoLabel/list_patition_label.txt, train_* images) or train/<class>/ folders (%d images found, %d problems%s)",
			abs, len(d.Items), len(d.Problems)+len(probs), firstProblem(append(d.Problems, probs...)))
	}
	// Label-file problems concern both splits; report them once, with the training set.
	train, err = loadSet(ctx, "train", abs, d, "train", samples, append(append([]dataset.Problem(nil), d.Problems...), probs...), hash, hashOf, o)
	if err != nil {
		return nil, nil, err
	}
	if ts, tp := loader.SplitSamples(d, "test"); len(ts) > 0 {
		test, err = loadSet(ctx, testName, abs, d, "test", ts, tp, hash, hashOf, o)
		if err != nil {
			return nil, nil, err
		}
	}
	return train, test, nil
}

// LoadTest opens an evaluation dataset (see loader.TestSamples for which images count).
func LoadTest(ctx context.Context, spec SetSpec, o DataOptions) (*LoadedSet, error) {
	d, abs, err := openDataset(spec.Path, o)
	if err != nil {
		return nil, err
	}
	hash, hashOf, err := rundir.DatasetHash(d)
	if err != nil {
		return nil, err
	}
	samples, probs, split, err := loader.TestSamples(d)
	if err != nil {
		return nil, err
	}
	return loadSet(ctx, spec.Name, abs, d, split, samples, append(append([]dataset.Problem(nil), d.Problems...), probs...), hash, hashOf, o)
}

func loadSet(ctx context.Context, name, abs string, d *dataset.Dataset, split string, samples []loader.Sample,
	probs []dataset.Problem, hash, hashOf string, o DataOptions) (*LoadedSet, error) {
	set, err := loader.Load(ctx, name, samples, loader.LoadOptions{Workers: o.Workers, CacheBytes: o.CacheBytes})
	if err != nil {
		return nil, fmt.Errorf("dataset %s (%s split): %w", abs, splitName(split), err)
	}
	probs = append(probs, set.Skipped...)
	ls := &LoadedSet{
		Ref: rundir.DatasetRef{Name: name, Path: abs, Layout: string(d.Layout), Split: split,
			Images: set.Len(), Skipped: len(probs), Hash: hash, HashOf: hashOf},
		Set: set, Problems: probs,
	}
	reportProblems(o.Log, name, probs)
	if o.Log != nil && set.Cached < set.Len() {
		fmt.Fprintf(o.Log, "%s: %d of %d images exceed the cache cap (--cache-mb) and are decoded per batch\n", name, set.Len()-set.Cached, set.Len())
	}
	return ls, nil
}

func splitName(s string) string {
	if s == "" {
		return "whole tree"
	}
	return s
}

// reportProblems prints skipped entries: all of them up to 10, then a count, so a broken
// label file does not flood the terminal but one corrupt image is always visible.
func reportProblems(w io.Writer, name string, probs []dataset.Problem) {
	if w == nil || len(probs) == 0 {
		return
	}
	fmt.Fprintf(w, "%s: skipped %d entries:\n", name, len(probs))
	for i, p := range probs {
		if i == 10 {
			fmt.Fprintf(w, "  ... and %d more (listed in report.json)\n", len(probs)-10)
			break
		}
		fmt.Fprintf(w, "  %s\n", p)
	}
}

func firstProblem(ps []dataset.Problem) string {
	if len(ps) == 0 {
		return ""
	}
	return "; first: " + ps[0].String()
}

// checkClasses warns when a test set lacks a class: its recall is undefined and the mean
// class accuracy averages the classes present.
func checkClasses(w io.Writer, s *LoadedSet) []string {
	var missing []string
	for c, n := range s.Set.ClassCounts(len(dataset.ClassNames)) {
		if n == 0 {
			missing = append(missing, dataset.ClassNames[c])
		}
	}
	if len(missing) > 0 && w != nil {
		fmt.Fprintf(w, "warning: test set %s has no images of %s; mean class accuracy averages the other %d classes\n",
			s.Ref.Name, strings.Join(missing, ", "), len(dataset.ClassNames)-len(missing))
	}
	return missing
}
