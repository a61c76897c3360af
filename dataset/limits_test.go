package dataset

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/occfer/occfer/internal/limits"
)

// sparse makes p a file of size bytes without writing them (a hole reads as zeros).
func sparse(t *testing.T, p string, size int64) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
}

// Label files past their size limit are refused unread, with one line naming the file and the
// limit (issue 11: bounded resources for label files).
func TestLabelFileLimits(t *testing.T) {
	for _, c := range []struct {
		name, rel string
		limit     int64
	}{
		{"RAF-DB labels", RAFLabelFile, limits.LabelFile},
		{"FERPlus label.csv", "FER2013Train/label.csv", limits.LabelFile},
		{"fer2013.csv", FER2013CSV, limits.DataCSV},
	} {
		t.Run(c.name, func(t *testing.T) {
			root := writeTree(t, map[string]string{"Image/aligned/train_00001_aligned.jpg": "x"})
			p := filepath.Join(root, filepath.FromSlash(c.rel))
			sparse(t, p, c.limit+1)
			_, err := Open(root, OpenOptions{})
			if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "-byte limit") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("err %v", err)
			}
		})
	}
	t.Run("subset list", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "list.txt")
		sparse(t, p, limits.LabelFile+1)
		if _, err := ReadSubsetList(p); err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "-byte limit") {
			t.Fatalf("err %v", err)
		}
	})
}

// A problem quotes at most a short excerpt of the line it is about: a label file with a
// megabyte-long line makes a problem of a hundred bytes, not of megabytes.
func TestProblemsQuoteExcerpts(t *testing.T) {
	long := strings.Repeat("x", 1<<20)
	root := writeTree(t, map[string]string{
		RAFLabelFile:                            long + " 1 2\n" + long + ".jpg 1\ntrain_00001.jpg 1\n",
		"Image/aligned/train_00001_aligned.jpg": "x",
	})
	d, err := Open(root, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Problems) != 2 {
		t.Fatalf("%d problems: %v", len(d.Problems), d.Problems)
	}
	for _, p := range d.Problems {
		if len(p.Reason) > 300 || !strings.Contains(p.Reason, "(1048580 bytes)") && !strings.Contains(p.Reason, "(1048576 bytes)") {
			t.Errorf("line %d: %d-byte reason %.200q", p.Line, len(p.Reason), p.Reason)
		}
	}
}

// A label file of many lines naming missing images keeps every count but only the first
// problems of each kind in full: memory and reports stay small however long the file (issue
// 11: 1,000,000 such lines made ffra train write a 157 MB report.json and use 2 GB).
// OpenOptions.AllProblems keeps them all, for a full list written on request.
func TestProblemsCappedPerCode(t *testing.T) {
	var b strings.Builder
	b.WriteString("train_00001.jpg 1\n")
	const missing = 200_000
	for i := range missing {
		fmt.Fprintf(&b, "train_m%07d.jpg 1\n", i)
	}
	b.WriteString("bad line here\n")
	root := writeTree(t, map[string]string{RAFLabelFile: b.String(), "Image/aligned/train_00001_aligned.jpg": "x"})
	d, err := Open(root, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Problems) > 2*DefaultMaxProblems+2 {
		t.Fatalf("%d problems kept in full, want at most %d per code", len(d.Problems), DefaultMaxProblems)
	}
	groups := GroupProblems(d.Problems, 3)
	if len(groups) != 2 || groups[0].Code != CodeMissingImage || groups[0].Count != missing || len(groups[0].Examples) != 3 ||
		groups[1].Code != CodeBadLine || groups[1].Count != 1 {
		t.Fatalf("groups %+v", groups)
	}
	if !strings.Contains(groups[0].Examples[0], "list_patition_label.txt:2: image Image/aligned/train_m0000000_aligned.jpg") {
		t.Errorf("first example %q", groups[0].Examples[0])
	}
	if got := ProblemDigest(d.Problems, 2); !strings.HasPrefix(got, fmt.Sprintf("%d problems (%d missing-image, 1 bad-line)", missing+1, missing)) {
		t.Errorf("digest %.200s", got)
	}
	all, err := Open(root, OpenOptions{AllProblems: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Problems) != missing+1 {
		t.Fatalf("AllProblems kept %d, want %d", len(all.Problems), missing+1)
	}
}
