package loader

import (
	"strings"
	"testing"

	"github.com/occfer/occfer/dataset"
)

func TestSplitAndTestSamples(t *testing.T) {
	d := &dataset.Dataset{Root: "/r", Items: []dataset.Item{
		{Rel: "train/happy/a.jpg", Abs: "/r/train/happy/a.jpg", Label: 3, Split: "train"},
		{Rel: "train/x/b.jpg", Abs: "/r/train/x/b.jpg", Label: -1, Split: "train"},
		{Rel: "test/sad/c.jpg", Abs: "/r/test/sad/c.jpg", Label: 4, Split: "test"},
	}}
	s, p := SplitSamples(d, "train")
	if len(s) != 1 || s[0].Label != 3 || len(p) != 1 || p[0].Path != "/r/train/x/b.jpg" || !strings.Contains(p[0].Reason, "no class label") {
		t.Fatalf("train samples %+v problems %+v", s, p)
	}
	ts, _, split, err := TestSamples(d)
	if err != nil || split != "test" || len(ts) != 1 || ts[0].Label != 4 {
		t.Fatalf("test samples %+v split %q err %v", ts, split, err)
	}
	// A plain class-folder tree without train/test: every labelled image is a test image.
	flat := &dataset.Dataset{Root: "/f", Items: []dataset.Item{{Rel: "angry/a.png", Abs: "/f/angry/a.png", Label: 5}}}
	if ts, _, split, err := TestSamples(flat); err != nil || split != "" || len(ts) != 1 {
		t.Fatalf("flat tree: %+v %q %v", ts, split, err)
	}
	// Only training images: not a test set.
	only := &dataset.Dataset{Root: "/o", Items: []dataset.Item{{Rel: "train/happy/a.jpg", Label: 3, Split: "train"}}}
	if _, _, _, err := TestSamples(only); err == nil || !strings.Contains(err.Error(), "/o") {
		t.Fatalf("train-only tree accepted as test set: %v", err)
	}
}
