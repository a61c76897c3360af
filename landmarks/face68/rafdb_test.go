package face68

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadRAFManual reads testdata/landmarks/Annotation/manual/test_0001_manu_attri.txt,
// a file in RAF-DB's layout (5 tab-separated points, then gender, race and
// age lines) holding the astronaut's 5 points to 2 decimals and made-up
// attributes.
func TestLoadRAFManual(t *testing.T) {
	pts, err := LoadRAFAnnotation("../../testdata/landmarks/Annotation/manual/test_0001_manu_attri.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := []Point{{203.17, 101.5}, {246.83, 104}, {225, 127}, {201, 140}, {245, 141}}
	if len(pts) != len(want) {
		t.Fatalf("%d points", len(pts))
	}
	for i := range want {
		if pts[i] != want[i] {
			t.Errorf("point %d = %v, want %v", i, pts[i], want[i])
		}
	}
}

func rafFile(n int, tail string) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "%d.5\t%d.25\n", 10+i, 20+i)
	}
	return b.String() + tail
}

func TestLoadRAFAuto(t *testing.T) {
	file := writeTemp(t, "train_00001_auto_attri.txt", rafFile(37, ""))
	pts, err := LoadRAFAnnotation(file)
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 37 || pts[0] != (Point{10.5, 20.25}) || pts[36] != (Point{46.5, 56.25}) {
		t.Errorf("got %d points, first %v last %v", len(pts), pts[0], pts[len(pts)-1])
	}
}

func TestLoadRAFErrors(t *testing.T) {
	cases := []struct{ name, file, content, want string }{
		{"too few", "a_manu_attri.txt", rafFile(4, ""), "4 landmarks, want 5"},
		{"too few before attributes", "a_manu_attri.txt", rafFile(4, "1\n0\n2\n"), "line 5: landmark 4: want \"x y\""},
		{"too many", "a_manu_attri.txt", rafFile(6, ""), "line 6: 5 landmarks already read"},
		{"bad number", "a_manu_attri.txt", strings.Replace(rafFile(5, ""), "12.5", "12,5", 1), "line 3: landmark 2: bad number \"12,5\""},
		{"auto short", "a_auto_attri.txt", rafFile(36, ""), "36 landmarks, want 37"},
		{"not raf", "a.txt", rafFile(5, ""), "not a RAF-DB annotation"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			file := writeTemp(t, c.file, c.content)
			_, err := LoadRAFAnnotation(file)
			if err == nil || !strings.Contains(err.Error(), file) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want the file name and %q", err, c.want)
			}
		})
	}
	if _, err := LoadRAFAnnotation(filepath.Join(t.TempDir(), "x_manu_attri.txt")); err == nil {
		t.Error("missing file accepted")
	}
}

func TestLoadRAFBOMAndCRLF(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "test_0001_manu_attri.txt")
	data := "\xEF\xBB\xBF" + strings.ReplaceAll(rafFile(RAFManualPoints, "1\n0\n2\n"), "\n", " \r\n")
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	pts, err := LoadRAFAnnotation(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != RAFManualPoints || pts[0] != (Point{10.5, 20.25}) || pts[4] != (Point{14.5, 24.25}) {
		t.Errorf("points %v", pts)
	}
}
