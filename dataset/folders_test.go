package dataset

import (
	"slices"
	"strings"
	"testing"
)

func TestOpenClassFolders(t *testing.T) {
	digits := map[string]string{
		"train/0/a.png": "x", "train/3/b.png": "x", "train/6/c.png": "x", "valid/3/d.png": "x", "test/9/e.png": "x",
	}
	t.Run("digits without an order are refused, naming the folders", func(t *testing.T) {
		root := writeTree(t, digits)
		_, err := Open(root, OpenOptions{NeedLabels: true})
		if err == nil {
			t.Fatal("digit folders accepted without --class-order")
		}
		for _, want := range []string{"train/0/", "train/3/", "valid/3/", "test/9/", "--class-order", "fer2013"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q lacks %q", err, want)
			}
		}
		d, err := Open(root, OpenOptions{}) // occlude: no labels needed
		if err != nil || len(d.Items) != 5 || d.Items[0].Label != -1 {
			t.Errorf("unlabelled open: %v %+v", err, d)
		}
	})
	orders := []struct {
		order   string
		classes []string
		labels  map[string]int // rel -> label
		bad     string         // rel with an out-of-range digit
	}{
		{"fer2013", []string{Anger, Disgust, Fear, Happiness, Sadness, Surprise, Neutral},
			map[string]int{"train/0/a.png": 0, "train/3/b.png": 3, "train/6/c.png": 6, "valid/3/d.png": 3}, "test/9/e.png"},
		{"rafdb", ClassNames[:], map[string]int{"train/3/b.png": 2, "train/6/c.png": 5, "valid/3/d.png": 2}, "train/0/a.png"},
		{"ferplus", ferPlusClasses[:], map[string]int{"train/0/a.png": 0, "train/3/b.png": 3, "train/6/c.png": 6, "valid/3/d.png": 3}, "test/9/e.png"},
		{"Happiness,sad,Neutral,angry", []string{Happiness, Sadness, Neutral, Anger}, map[string]int{"train/0/a.png": 0}, "train/6/c.png"},
	}
	for _, o := range orders {
		t.Run("order "+o.order, func(t *testing.T) {
			d, err := Open(writeTree(t, digits), OpenOptions{NeedLabels: true, LabelOptions: LabelOptions{ClassOrder: o.order}})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(d.Classes, o.classes) {
				t.Errorf("classes %v, want %v", d.Classes, o.classes)
			}
			for _, it := range d.Items {
				if w, ok := o.labels[it.Rel]; ok && it.Label != w {
					t.Errorf("%s: label %d, want %d", it.Rel, it.Label, w)
				}
				if it.Rel == "valid/3/d.png" && it.Split != "val" {
					t.Errorf("valid/ is split %q, want val", it.Split)
				}
			}
			found := false
			for _, p := range d.Problems {
				found = found || (p.Item == o.bad && p.Code == CodeUnknownLabel)
			}
			if !found {
				t.Errorf("no unknown-label problem for %s: %v", o.bad, d.Problems)
			}
		})
	}
	t.Run("named folders with contempt", func(t *testing.T) {
		d, err := Open(writeTree(t, map[string]string{
			"train/happy/a.png": "x", "train/Contempt/b.png": "x", "train/misc/c.png": "x", "test/sad/d.png": "x",
		}), OpenOptions{NeedLabels: true})
		if err != nil {
			t.Fatal(err)
		}
		if want := append(append([]string{}, ClassNames[:]...), Contempt); !slices.Equal(d.Classes, want) {
			t.Errorf("classes %v, want %v", d.Classes, want)
		}
		labels := map[string]int{}
		for _, it := range d.Items {
			labels[it.Rel] = it.Label
		}
		if labels["train/Contempt/b.png"] != 7 || labels["train/happy/a.png"] != 3 || labels["test/sad/d.png"] != 4 || labels["train/misc/c.png"] != -1 {
			t.Errorf("labels %v", labels)
		}
		if len(d.Problems) != 1 || d.Problems[0].Code != CodeNoClassFolder || d.Problems[0].Item != "train/misc/c.png" {
			t.Errorf("problems %v", d.Problems)
		}
	})
	t.Run("ImageFolder names", func(t *testing.T) {
		d, err := Open(writeTree(t, map[string]string{"train/cat/a.png": "x", "train/dog/b.png": "x", "val/cat/c.png": "x"}), OpenOptions{NeedLabels: true})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(d.Classes, []string{"cat", "dog"}) || d.Items[0].Label != 0 || d.Items[1].Label != 1 || d.Items[2].Label != 0 {
			t.Errorf("classes %v items %+v", d.Classes, d.Items)
		}
		// Deeper trees are no ImageFolder: unlabelled, no problems.
		deep, err := Open(writeTree(t, map[string]string{"Image/aligned/a.png": "x", "Image/original/b.png": "x"}), OpenOptions{NeedLabels: true})
		if err != nil || deep.Items[0].Label != -1 || len(deep.Problems) != 0 {
			t.Errorf("deep tree: %v %+v", err, deep)
		}
	})
	if _, err := Open(writeTree(t, digits), OpenOptions{LabelOptions: LabelOptions{ClassOrder: "emotions"}}); err == nil || !strings.Contains(err.Error(), "affectnet") {
		t.Errorf("unknown order: %v", err)
	}
}

// TestRAFLabelFileBOMAndCRLF: a label file saved with a BOM and CRLF loses no line, and a
// three-column file names its file and lines.
func TestRAFLabelFileBOMAndCRLF(t *testing.T) {
	root := writeTree(t, map[string]string{
		RAFLabelFile:                            "\xEF\xBB\xBFtrain_00001.jpg 5 \r\ntest_0001.jpg 7\r\n\r\n",
		"Image/aligned/train_00001_aligned.jpg": "x",
		"Image/aligned/test_0001_aligned.jpg":   "x",
	})
	d, err := Open(root, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Problems) != 0 || d.Items[0].Label != 6 || d.Items[1].Label != 4 {
		t.Errorf("items %+v problems %v", d.Items, d.Problems)
	}
	three := writeTree(t, map[string]string{
		RAFLabelFile:                            "train_00001.jpg 5 1\ntest_0001.jpg 7 2\n",
		"Image/aligned/train_00001_aligned.jpg": "x",
	})
	d, err = Open(three, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Problems) != 2 || d.Problems[1].Line != 2 || !strings.Contains(d.Problems[1].String(), RAFLabelFile+":2: want") {
		t.Errorf("problems %v", d.Problems)
	}
	if dg := ProblemDigest(d.Problems, 1); !strings.Contains(dg, "2 bad-line") || !strings.Contains(dg, ":1: want") {
		t.Errorf("digest %q", dg)
	}
}
