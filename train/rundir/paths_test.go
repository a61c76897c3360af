package rundir

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/occfer/occfer/dataset"
)

// A dataset's manifest.jsonl is hashed only when it is a file inside the dataset: a link to a
// file outside is refused, never read.
func TestDatasetHashReadsOnlyInsideTheTree(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "data")
	os.MkdirAll(filepath.Join(root, "happy"), 0o755)
	os.WriteFile(filepath.Join(root, "happy", "a.jpg"), []byte("a"), 0o644)
	os.WriteFile(filepath.Join(base, "secret"), []byte("outside"), 0o644)
	if err := os.Symlink(filepath.Join(base, "secret"), filepath.Join(root, ManifestFile)); err != nil {
		t.Fatal(err)
	}
	d, err := dataset.Open(root, dataset.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	h, of, err := DatasetHash(d)
	if err == nil || !strings.Contains(err.Error(), "outside") {
		t.Fatalf("hash %s of %s through a link out of the tree: %v", h, of, err)
	}
}
