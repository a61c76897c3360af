package dataset

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func writeList(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "list.txt")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSelectSubsetRAN matches generated lists in every RAN form, and a plain name list, and
// reports missing, duplicate and unlabelled names and label disagreements with file:line.
func TestSelectSubsetRAN(t *testing.T) {
	raf := writeTree(t, map[string]string{
		RAFLabelFile:                          "test_0001.jpg 4\ntest_0002.jpg 7\ntest_0003.jpg 1\ntrain_00001.jpg 4\n",
		"Image/aligned/test_0001_aligned.jpg": "x", "Image/aligned/test_0002_aligned.jpg": "x",
		"Image/aligned/test_0003_aligned.jpg": "x", "Image/aligned/test_0004_aligned.jpg": "x",
		"Image/aligned/train_00001_aligned.jpg": "x",
	})
	fp := ferPlusTree(t)
	cases := []struct {
		name, root, list string
		want             []string // matched Rel, in list order
		problems         []string // "line code"
	}{
		{"Occlusion-RAF-DB form", raf,
			"\xEF\xBB\xBFtest_0001_aligned 3 1\r\ntest_0002_aligned 6 4\r\ntest_0003_aligned 5 2\r\ntest_9999_aligned 0 1\r\ntest_0004_aligned 0 3\r\n",
			[]string{"Image/aligned/test_0001_aligned.jpg", "Image/aligned/test_0002_aligned.jpg", "Image/aligned/test_0003_aligned.jpg"},
			[]string{"3 " + CodeLabelDiffers, "4 " + CodeListed, "5 " + CodeNoLabel}},
		{"Pose-RAF-DB form", raf, "3/test_0001_aligned.jpg\n6/test_0002_aligned.png\n\n# comment\n3/test_0001_aligned.jpg\n",
			[]string{"Image/aligned/test_0001_aligned.jpg", "Image/aligned/test_0002_aligned.jpg"}, []string{"5 " + CodeDuplicate}},
		{"plain names and paths", raf, "test_0003\nImage/aligned/train_00001_aligned.jpg\n../x.jpg\n",
			[]string{"Image/aligned/test_0003_aligned.jpg", "Image/aligned/train_00001_aligned.jpg"}, []string{"3 " + CodeListed}},
		{"Pose-FERPlus form", fp, "0/fer0000001.jpg\n1/fer0000002.jpg\n0/fer0000000.jpg\n",
			[]string{"FER2013Train/fer0000001.png", "FER2013Train/fer0000002.png"}, []string{"3 " + CodeNoLabel}},
		{"Occlusion-FERPlus form", fp, "1_fer0000006.png 8 0\n0_fer0000002.png 8 2\n1_fer0000404.png 8 1\n",
			[]string{"FER2013Valid/fer0000006.png", "FER2013Train/fer0000002.png"}, []string{"2 " + CodeLabelDiffers, "3 " + CodeListed}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := Open(c.root, OpenOptions{})
			if err != nil {
				t.Fatal(err)
			}
			list := writeList(t, c.list)
			items, probs, err := SelectSubset(d, list, DefaultMaxProblems)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, it := range items {
				got = append(got, it.Rel)
				if !strings.HasPrefix(it.Source, list+":") {
					t.Errorf("%s: source %q", it.Rel, it.Source)
				}
			}
			if strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Errorf("matched %v, want %v", got, c.want)
			}
			var gotP []string
			for _, p := range probs {
				gotP = append(gotP, strconv.Itoa(p.Line)+" "+p.Code)
				if p.Path != list || !strings.Contains(p.String(), list+":"+strconv.Itoa(p.Line)+":") {
					t.Errorf("problem %v does not name the list and line", p)
				}
			}
			if strings.Join(gotP, ",") != strings.Join(c.problems, ",") {
				t.Errorf("problems %v, want %v\n%v", gotP, c.problems, probs)
			}
		})
	}
}

// TestSelectSubsetSplitsAndAmbiguity: a stem in train and test takes the test image; two
// test images with one stem are ambiguous; a RAN label file given as the list is refused.
func TestSelectSubsetSplitsAndAmbiguity(t *testing.T) {
	root := writeTree(t, map[string]string{
		"train/happy/a.png": "x", "test/happy/a.png": "x", "test/happy/b.png": "x", "test/sad/b.jpg": "x",
	})
	d, err := Open(root, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	items, probs, err := SelectSubset(d, writeList(t, "a\nb\n"), DefaultMaxProblems)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].Rel != "test/happy/a.png" || len(probs) != 1 || probs[0].Code != CodeAmbiguous || !strings.Contains(probs[0].Reason, "test/sad/b.jpg") {
		t.Errorf("items %v problems %v", items, probs)
	}
	if _, _, err := SelectSubset(d, writeList(t, "1247 7\n0\n4\n2\n"), DefaultMaxProblems); err == nil || !strings.Contains(err.Error(), "label file") {
		t.Errorf("RAN label file as a list: %v", err)
	}
}
