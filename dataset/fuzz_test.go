package dataset

import (
	"bytes"
	"strings"
	"testing"
)

// Fuzz targets of the label readers (make fuzz runs each for FUZZTIME). The label files are
// untrusted input: whatever the bytes, a reader must not panic, must keep at most
// DefaultMaxProblems problems of each file and reason in full, must give each a line of the
// file and a short one-line reason, and must never accept an unsafe name.

// checkProblems asserts the invariants every reader's problems keep.
func checkProblems(t *testing.T, data []byte, probs []Problem) {
	t.Helper()
	lines := bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r")) + 1
	perCode := map[string]int{}
	for _, p := range probs {
		if p.Count <= 1 {
			perCode[p.Code]++
		}
		if p.Line < 0 || p.Line > lines {
			t.Fatalf("problem on line %d of a %d-line file: %+v", p.Line, lines, p)
		}
		if len(p.Reason) > 1024 || strings.ContainsAny(p.Reason, "\n") {
			t.Fatalf("reason of %d bytes: %.300q", len(p.Reason), p.Reason)
		}
	}
	for code, n := range perCode {
		if n > DefaultMaxProblems {
			t.Fatalf("%d problems of %s kept in full", n, code)
		}
	}
}

func FuzzRAFLabels(f *testing.F) {
	for _, s := range []string{"train_00001.jpg 5\ntest_0001.jpg 7\n", "\xef\xbb\xbftrain_1.jpg 1\r\n../x.jpg 2\ngarbage\ntrain_1.jpg 3\n", "a 9\n# c\n\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		labels, probs := parseRAFLabels("labels.txt", data, DefaultMaxProblems)
		checkProblems(t, data, probs)
		for _, l := range labels {
			if _, err := CleanRel(l.name); err != nil || strings.ContainsAny(l.name, `/\`) || l.class < 0 || l.class >= len(ClassNames) {
				t.Fatalf("accepted %+v", l)
			}
		}
	})
}

func FuzzFERPlusLabels(f *testing.F) {
	f.Add([]byte("fer0000000.png,\"(0, 0, 48, 48)\",4,0,0,1,3,2,0,0,0,0\nfer0000001.png,\"(0, 0, 48, 48)\",10,0,0,0,0,0,0,0,0,0\n"))
	f.Add([]byte("Image,box,n,h,s,sa,a,d,f,c,u,nf\n../x.png,b,1,2,3,4,5,6,7,8,9,10\n\"unterminated"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, probs, err := parseFERPlusLabels("label.csv", data, DefaultMaxProblems)
		if err != nil {
			return
		}
		checkProblems(t, data, probs)
		for _, r := range rows {
			if _, err := CleanRel(r.name); err != nil || strings.ContainsAny(r.name, `/\`) || !IsImageName(r.name) {
				t.Fatalf("accepted %q", r.name)
			}
		}
	})
}

func FuzzFER2013CSV(f *testing.F) {
	pix := strings.TrimSpace(strings.Repeat("7 ", 2304))
	f.Add([]byte("emotion,pixels,Usage\n3," + pix + ",Training\n9,1 2,PublicTest\n"))
	f.Add([]byte("Usage,Image name,neutral,happiness,surprise,sadness,anger,disgust,fear,contempt,unknown,NF\nTraining,fer0000000.png,4,0,0,1,3,2,0,0,0,0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if rows, probs, err := parseFER2013("fer2013.csv", data, DefaultMaxProblems); err == nil {
			checkProblems(t, data, probs)
			for _, r := range rows {
				if r.pix != nil && (r.pix.W*r.pix.H != len(r.pix.Pix) || r.pix.W != r.pix.H) {
					t.Fatalf("row %d: %dx%d image of %d pixels", r.line, r.pix.W, r.pix.H, len(r.pix.Pix))
				}
			}
		}
		if _, probs, err := parseFERPlusNew("fer2013new.csv", data, DefaultMaxProblems); err == nil {
			checkProblems(t, data, probs)
		}
	})
}

func FuzzSubsetList(f *testing.F) {
	for _, s := range []string{"test_0001_aligned 3 1\n3/test_0002_aligned.jpg\n1_fer0034656.png 8 0\n", "1247 7\n0\n4\n", "# only a comment\n"} {
		f.Add([]byte(s))
	}
	d := &Dataset{Root: "/r", Layout: LayoutRAFDB, Classes: ClassNames[:], Items: []Item{
		{Rel: "Image/aligned/test_0001_aligned.jpg", Label: 2, Split: "test", Stem: "test_0001"},
		{Rel: "Image/aligned/test_0002_aligned.jpg", Label: -1, Split: "test", Stem: "test_0002"},
	}}
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := parseSubsetList("list.txt", data)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error of several lines: %.300q", err)
			}
			return
		}
		for _, e := range entries {
			idx, _, _ := matchEntry(e, map[string]int{relKey(d.Items[0].Rel): 0, relKey(d.Items[1].Rel): 1},
				map[string][]int{"test_0001": {0}, "test_0002": {1}}, d.Items)
			if idx >= len(d.Items) {
				t.Fatalf("entry %+v matched item %d", e, idx)
			}
		}
	})
}
