package synth

import (
	"fmt"
	"sort"
	"strings"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/landmarks/face68"
)

// RAF-DB tree paths written by Generate.
const (
	LabelFile     = dataset.RAFLabelFile  // "EmoLabel/list_patition_label.txt"
	LandmarksFile = dataset.LandmarksFile // "landmarks68.jsonl", picked up by occlude
	// MarkerFile records a run's options so a rerun can recognise its own output. It sits in
	// .occfer/, which dataset walks skip, so it never becomes an aux file that occlude copies.
	MarkerFile = ".occfer/synth.json"
	imageDir   = "Image/aligned/"
)

// item is one image to generate.
type item struct {
	split string // "train" or "test"
	stem  string // "train_00001", "test_0001"
	rel   string // "Image/aligned/train_00001_aligned.jpg"
	class int
}

// plan lists every image of a run. Train stems have 5 digits and test stems 4, as in RAF-DB,
// which caps the splits at 99999 and 9999 images. Labels are balanced (class counts differ by
// at most one) and shuffled per split with the split's own RNG, so a file's number says
// nothing about its class.
func plan(opts Options) ([]item, error) {
	var items []item
	for _, sp := range []struct {
		name   string
		n, max int
		digits int
	}{{"train", opts.Train, 99999, 5}, {"test", opts.Test, 9999, 4}} {
		if sp.n < 0 || sp.n > sp.max {
			return nil, fmt.Errorf("synth: %s count %d out of range 0..%d (RAF-DB stems have %d digits)", sp.name, sp.n, sp.max, sp.digits)
		}
		classes := make([]int, sp.n)
		for i := range classes {
			classes[i] = i % len(ClassNames)
		}
		r := dataset.ItemRNG(opts.Seed, sp.name, "synth/labels")
		r.Shuffle(len(classes), func(i, j int) { classes[i], classes[j] = classes[j], classes[i] })
		for i, c := range classes {
			stem := fmt.Sprintf("%s_%0*d", sp.name, sp.digits, i+1)
			items = append(items, item{split: sp.name, stem: stem, rel: imageDir + stem + "_aligned.jpg", class: c})
		}
	}
	return items, nil
}

// labelFile renders list_patition_label.txt: train lines then test lines, each in stem order,
// as RAF-DB ships it; the value is the class index plus one.
func labelFile(items []item) []byte {
	var b strings.Builder
	for _, it := range items {
		fmt.Fprintf(&b, "%s.jpg %d\n", it.stem, it.class+1)
	}
	return []byte(b.String())
}

// landmarksFile renders landmarks68.jsonl, one line per image sorted by path (the order
// dataset.Open lists items in), coordinates with 3 decimals so the bytes are stable.
func landmarksFile(items []item, shapes []face68.Shape) []byte {
	idx := make([]int, len(items))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return items[idx[a]].rel < items[idx[b]].rel })
	var b []byte
	for _, i := range idx {
		b = face68.AppendJSONL(b, items[i].rel, shapes[i], 3)
	}
	return b
}
