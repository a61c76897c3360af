package train

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A crash between the two renames of saveCheckpoint leaves last.partial (complete) and
// last.old; openCheckpointDir must pick the new one.
func TestCheckpointSwapRepair(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "last")
	os.MkdirAll(dir+".partial", 0o755)
	os.MkdirAll(dir+".old", 0o755)
	os.WriteFile(filepath.Join(dir+".partial", StateFile), []byte(`{"epoch":5}`), 0o644)
	os.WriteFile(filepath.Join(dir+".old", StateFile), []byte(`{"epoch":4}`), 0o644)
	got, err := openCheckpointDir(dir)
	if err != nil || got != dir {
		t.Fatalf("%q %v", got, err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, StateFile))
	if string(data) != `{"epoch":5}` {
		t.Fatalf("repaired to %s, want epoch 5", data)
	}
	// An incomplete partial (no state.json) is ignored in favour of the old folder.
	dir2 := filepath.Join(root, "best")
	os.MkdirAll(dir2+".partial", 0o755)
	os.MkdirAll(dir2+".old", 0o755)
	os.WriteFile(filepath.Join(dir2+".old", StateFile), []byte(`{"epoch":2}`), 0o644)
	if got, err := openCheckpointDir(dir2); err != nil || got != dir2 {
		t.Fatalf("%q %v", got, err)
	}
	if _, err := openCheckpointDir(filepath.Join(root, "none")); err == nil || !strings.Contains(err.Error(), "no complete checkpoint") {
		t.Fatalf("missing checkpoint: %v", err)
	}
}
