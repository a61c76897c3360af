package face68

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/occfer/occfer/internal/limits"
)

// Landmark files past their size limit are refused unread: one line naming the file and the
// limit, and no allocation of the file's size (issue 11: bounded resources for landmark files).
func TestLandmarkFileLimits(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name  string
		limit int64
		load  func(string) error
	}{
		{"landmarks68.jsonl", limits.LandmarksFile, func(p string) error { _, err := LoadFile(p); return err }},
		{"landmarks68.csv", limits.LandmarksFile, func(p string) error { _, err := LoadFile(p); return err }},
		{"train_0001_manu_attri.txt", limits.AnnotationFile, func(p string) error { _, err := LoadRAFAnnotation(p); return err }},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(dir, c.name)
			f, err := os.Create(p)
			if err != nil {
				t.Fatal(err)
			}
			f.Truncate(c.limit + 1) // a hole: nothing written
			f.Close()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			err = c.load(p)
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "-byte limit") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("err %v", err)
			}
			if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
				t.Errorf("allocated %d bytes to refuse the file", got)
			}
		})
	}
}

// An error quotes a short excerpt of a bad line, however long the line.
func TestLandmarkErrorsQuoteExcerpts(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat("7", 1<<20)
	csv := filepath.Join(dir, "l.csv")
	os.WriteFile(csv, []byte("a.jpg"+strings.Repeat(",1", 135)+","+long+"x\n"), 0o644)
	ann := filepath.Join(dir, "x_manu_attri.txt")
	os.WriteFile(ann, []byte(long[:1<<19]+"\n"), 0o644)
	for _, p := range []string{csv, ann} {
		var err error
		if strings.HasSuffix(p, ".csv") {
			_, err = LoadFile(p)
		} else {
			_, err = LoadRAFAnnotation(p)
		}
		if err == nil || len(err.Error()) > 400 || !strings.Contains(err.Error(), "bytes)") {
			t.Errorf("%s: %d-byte error %.200q", filepath.Base(p), len(err.Error()), err)
		}
	}
}
