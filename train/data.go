package train

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/internal/limits"
	"github.com/occfer/occfer/train/loader"
	"github.com/occfer/occfer/train/rundir"
)

// SetSpec names a test set on the command line: "PATH" (name = folder base name),
// "NAME=PATH", or a subset of a dataset, "NAME=PATH@LIST" (dataset.SelectSubset).
type SetSpec struct {
	Name, Path string
	List       string // subset list file; "" for the dataset's test split
}

var setNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// ParseSetSpec parses "PATH", "NAME=PATH", "PATH@LIST" or "NAME=PATH@LIST" (PATH must not
// contain "@"; LIST is the part after the first "@"). Without NAME a set is named after its
// folder, a subset after its list file. Names end up in file names (confusion_<name>.png) and
// JSON keys, so they are restricted to letters, digits, . _ -.
func ParseSetSpec(s string) (SetSpec, error) {
	name, path, list := "", s, ""
	if i := strings.Index(s, "="); i > 0 && !strings.ContainsAny(s[:i], `/\@`) {
		name, path = s[:i], s[i+1:]
	}
	if i := strings.Index(path, "@"); i >= 0 {
		path, list = path[:i], path[i+1:]
		if list == "" {
			return SetSpec{}, fmt.Errorf("test set %q: empty list after @", s)
		}
	}
	if path == "" {
		return SetSpec{}, fmt.Errorf("test set %q: empty path", s)
	}
	if name == "" && list != "" {
		name = strings.TrimSuffix(filepath.Base(list), filepath.Ext(list))
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
	return SetSpec{Name: name, Path: path, List: list}, nil
}

// DataOptions are the loading settings shared by train and eval.
type DataOptions struct {
	Workers    int
	CacheBytes int64
	RAFImages  string               // dataset.OpenOptions.RAFImages
	Labels     dataset.LabelOptions // how labels are read (class order, FERPlus mode and classes)
	Log        io.Writer            // problems are reported here (nil: discarded)
	// AllProblems keeps every problem of the label files in LoadedSet.Problems, for a full
	// list (WriteProblems); without it the first dataset.DefaultMaxProblems of each file and
	// reason are kept and the rest counted.
	AllProblems bool
}

// maxProblems is the per-file, per-reason cap of o.
func (o DataOptions) maxProblems() int {
	if o.AllProblems {
		return -1
	}
	return dataset.DefaultMaxProblems
}

// LoadedSet is a decoded set with the record that goes into config.json.
type LoadedSet struct {
	Ref      rundir.DatasetRef
	Set      *loader.Set
	Classes  []string          // what Set's sample labels index: the dataset's classes, or after mapClasses the model's
	Problems []dataset.Problem // label lines, unlabelled items and corrupt images that were skipped (see DataOptions.AllProblems)
}

func openDataset(path string, o DataOptions) (*dataset.Dataset, string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, "", fmt.Errorf("dataset %s: %w", path, err)
	}
	d, err := dataset.Open(abs, dataset.OpenOptions{RAFImages: o.RAFImages, LabelOptions: o.Labels, NeedLabels: true, AllProblems: o.AllProblems})
	if err != nil {
		return nil, "", err
	}
	return d, abs, nil
}

// ValName is the set name of a training dataset's validation split (val/, valid/,
// FER2013Valid/).
const ValName = "val"

// TrainData says which parts of a training dataset a run reads.
type TrainData struct {
	// TestName names the set of the dataset's test split; "" skips its validation and test
	// splits. The validation split is always named ValName.
	TestName string
	// Limit caps the training images (0: all): the first Limit of a permutation drawn from
	// Seed, kept in dataset order. Validation and test splits are never cut.
	Limit int
	Seed  uint64
}

// LoadTrain opens the training dataset: its "train" split for training and, unless
// td.TestName is "", its validation split (named ValName) and test split (named td.TestName)
// when it has them: RAF-DB's official test set, FERPlus's FER2013Valid and FER2013Test,
// val/ and test/ folders. Validation comes first in own.
func LoadTrain(ctx context.Context, path string, td TrainData, o DataOptions) (train *LoadedSet, own []*LoadedSet, err error) {
	if td.TestName == ValName {
		return nil, nil, fmt.Errorf("the test split cannot be named %q: that is the validation split's name", ValName)
	}
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
		return nil, nil, fmt.Errorf("dataset %s (%s layout, %d images) has no labelled training images: want a RAF-DB tree (EmoLabel/list_patition_label.txt, train_* images), a FERPlus tree (FER2013Train/label.csv), fer2013.csv, or train/<class>/ folders; %s",
			abs, d.Layout, len(d.Items), dataset.ProblemDigest(append(append([]dataset.Problem(nil), d.Problems...), probs...), 3))
	}
	if td.Limit > 0 && td.Limit < len(samples) {
		keep := dataset.ItemRNG(td.Seed, "", "limit").Perm(len(samples))[:td.Limit]
		slices.Sort(keep)
		cut := make([]loader.Sample, len(keep))
		for i, k := range keep {
			cut[i] = samples[k]
		}
		samples = cut
	}
	// Label-file problems concern every split; report them once, with the training set.
	train, err = loadSet(ctx, "train", abs, d, "train", samples, append(append([]dataset.Problem(nil), d.Problems...), probs...), hash, hashOf, o)
	if err != nil {
		return nil, nil, err
	}
	if td.TestName == "" {
		return train, nil, nil
	}
	for _, sp := range []struct{ split, name string }{{"val", ValName}, {"test", td.TestName}} {
		if s, p := loader.SplitSamples(d, sp.split); len(s) > 0 {
			ls, err := loadSet(ctx, sp.name, abs, d, sp.split, s, p, hash, hashOf, o)
			if err != nil {
				return nil, nil, err
			}
			own = append(own, ls)
		}
	}
	return train, own, nil
}

// LoadTest opens an evaluation dataset (see loader.TestSamples for which images count), or
// the subset of one that spec.List names (dataset.SelectSubset: any split, the list's order;
// its problems name the list's file and line).
func LoadTest(ctx context.Context, spec SetSpec, o DataOptions) (*LoadedSet, error) {
	d, abs, err := openDataset(spec.Path, o)
	if err != nil {
		return nil, err
	}
	hash, hashOf, err := rundir.DatasetHash(d)
	if err != nil {
		return nil, err
	}
	if spec.List != "" {
		return loadSubset(ctx, spec, abs, d, hash, hashOf, o)
	}
	samples, probs, split, err := loader.TestSamples(d)
	if err != nil {
		return nil, err
	}
	return loadSet(ctx, spec.Name, abs, d, split, samples, append(append([]dataset.Problem(nil), d.Problems...), probs...), hash, hashOf, o)
}

// SubsetSplit is the DatasetRef split of a subset list's set.
const SubsetSplit = "list"

// loadSubset loads the images of d that a subset list names.
func loadSubset(ctx context.Context, spec SetSpec, abs string, d *dataset.Dataset, hash, hashOf string, o DataOptions) (*LoadedSet, error) {
	list, err := filepath.Abs(spec.List)
	if err != nil {
		return nil, fmt.Errorf("subset %s: %w", spec.Name, err)
	}
	items, probs, err := dataset.SelectSubset(d, list, o.maxProblems())
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("subset %s: no image of %s listed in %s has a label; %s", spec.Name, abs, list, dataset.ProblemDigest(probs, 3))
	}
	listData, err := limits.ReadFile(list, limits.LabelFile, "subset list")
	if err != nil {
		return nil, fmt.Errorf("subset %s: %w", spec.Name, err)
	}
	listHash := sha256.Sum256(listData)
	// Every listed item counts, whatever split it is in: one pseudo-split for SplitSamples.
	for i := range items {
		items[i].Split = ""
	}
	samples, _ := loader.SplitSamples(&dataset.Dataset{Root: d.Root, Layout: d.Layout, Classes: d.Classes, Items: items}, "")
	ls, err := loadSet(ctx, spec.Name, abs, d, SubsetSplit, samples, probs, combineHash(hash, hex.EncodeToString(listHash[:])), hashOf+" + list sha256", o)
	if err != nil {
		return nil, err
	}
	ls.Ref.List = list
	return ls, nil
}

// combineHash is the hash of a dataset hash and a list file hash together.
func combineHash(a, b string) string {
	h := sha256.Sum256([]byte(a + "\n" + b))
	return "sha256:" + hex.EncodeToString(h[:])
}

func loadSet(ctx context.Context, name, abs string, d *dataset.Dataset, split string, samples []loader.Sample,
	probs []dataset.Problem, hash, hashOf string, o DataOptions) (*LoadedSet, error) {
	set, err := loader.Load(ctx, name, samples, loader.LoadOptions{Workers: o.Workers, CacheBytes: o.CacheBytes})
	if err != nil {
		return nil, fmt.Errorf("dataset %s (%s split): %w", abs, splitName(split), err)
	}
	probs = append(probs, set.Skipped...)
	skipped := 0
	for _, p := range probs {
		if p.Code != dataset.CodeLabelDiffers { // a note: the image is evaluated
			skipped += p.Weight()
		}
	}
	ls := &LoadedSet{
		Ref: rundir.DatasetRef{Name: name, Path: abs, Layout: string(d.Layout), Classes: d.Classes, Split: split,
			Images: set.Len(), Skipped: skipped, Hash: hash, HashOf: hashOf},
		Set: set, Classes: d.Classes, Problems: probs,
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

// reportProblems prints skipped entries: the count of each reason, then the first 10, so a
// broken label file does not flood the terminal but one corrupt image is always visible.
// report.json has the counts and the first examples of each reason; WriteProblems (ffra
// --problems FILE) lists them all.
func reportProblems(w io.Writer, name string, probs []dataset.Problem) {
	if w == nil || len(probs) == 0 {
		return
	}
	var counts []string
	total := 0
	for _, g := range dataset.GroupProblems(probs, 0) {
		counts = append(counts, fmt.Sprintf("%d %s", g.Count, g.Code))
		total += g.Count
	}
	fmt.Fprintf(w, "%s: skipped %d entries (%s):\n", name, total, strings.Join(counts, ", "))
	shown := 0
	for _, p := range probs {
		if p.Count > 1 {
			continue // a count standing for problems not kept one by one
		}
		if shown == 10 {
			break
		}
		fmt.Fprintf(w, "  %s\n", p)
		shown++
	}
	if shown < total {
		fmt.Fprintf(w, "  ... and %d more (counted in report.json; --problems FILE lists all)\n", total-shown)
	}
}

// mapClasses rewrites the labels (and soft targets) of s from its dataset's classes to
// classes, matching names with dataset.SameClass, so a test set whose classes are a
// permutation of the model's, or named by aliases, is scored correctly. A dataset class with
// images (or soft-target weight) that classes lacks is an error naming it; classes the
// dataset lacks are fine (their rows stay empty).
func mapClasses(s *LoadedSet, classes []string, owner string) error {
	if slices.Equal(s.Classes, classes) {
		return nil
	}
	to := make([]int, len(s.Classes))
	for i, c := range s.Classes {
		to[i] = dataset.IndexOfClass(classes, c)
	}
	images := make([]int, len(s.Classes))
	weighted := make([]bool, len(s.Classes))
	for _, smp := range s.Set.Samples {
		images[smp.Label]++
		weighted[smp.Label] = true
		for k, p := range smp.Target {
			weighted[k] = weighted[k] || p > 0
		}
	}
	for i, c := range s.Classes {
		if to[i] < 0 && weighted[i] {
			hint := ""
			if c == dataset.Contempt && strings.HasPrefix(s.Ref.Layout, "ferplus") {
				hint = " (read FERPlus with 7 classes: --ferplus-classes 7)"
			}
			return fmt.Errorf("set %s has class %s (%d images), which %s lacks (its classes: %s)%s",
				s.Ref.Name, c, images[i], owner, strings.Join(classes, ", "), hint)
		}
	}
	for i := range s.Set.Samples {
		smp := &s.Set.Samples[i]
		smp.Label = to[smp.Label]
		if smp.Target != nil {
			t := make([]float32, len(classes))
			for k, p := range smp.Target {
				if to[k] >= 0 {
					t[to[k]] = p
				}
			}
			smp.Target = t
		}
	}
	s.Classes = classes
	return nil
}

// checkClasses warns when a test set lacks a class: its recall is undefined and the mean
// class accuracy averages the classes present.
func checkClasses(w io.Writer, s *LoadedSet) []string {
	var missing []string
	for c, n := range s.Set.ClassCounts(len(s.Classes)) {
		if n == 0 {
			missing = append(missing, s.Classes[c])
		}
	}
	if len(missing) > 0 && w != nil {
		fmt.Fprintf(w, "warning: test set %s has no images of %s; mean class accuracy averages the other %d classes\n",
			s.Ref.Name, strings.Join(missing, ", "), len(s.Classes)-len(missing))
	}
	return missing
}
