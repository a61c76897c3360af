package rundir

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/occfer/occfer/internal/limits"
)

// A run folder's files are read back like user input (issue 11): one made huge by a hand edit
// is refused by its size, unread, with its name, instead of being read whole into memory.
// The files are sparse, so the test writes nothing of their size.
func TestRunFilesBounded(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		read func() error
	}{
		{ConfigFile, func() error { var v map[string]any; return ReadJSON(filepath.Join(dir, ConfigFile), &v) }},
		{MetricsFile, func() error { _, err := ReadMetrics(dir); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.name)
			if err := os.WriteFile(p, []byte("{}\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := tc.read(); err != nil {
				t.Fatalf("a small %s: %v", tc.name, err)
			}
			if err := os.Truncate(p, limits.RunFile+1); err != nil {
				t.Fatal(err)
			}
			err := tc.read()
			if !errors.Is(err, limits.ErrTooLarge) || !strings.Contains(err.Error(), p) {
				t.Fatalf("a %d-byte %s: %v", limits.RunFile+1, tc.name, err)
			}
		})
	}
}
