package dataset

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// linkTree builds a folder tree with one real image per class folder and the link kinds a
// hostile or careless tree holds. Outside files live in a sibling folder.
func linkTree(t *testing.T) (root, outside string) {
	t.Helper()
	base := t.TempDir()
	root, outside = filepath.Join(base, "in"), filepath.Join(base, "outside")
	write := func(p, data string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := func(target, p string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(outside, "secret.txt"), "SECRET")
	write(filepath.Join(outside, "face.jpg"), "outside image")
	write(filepath.Join(outside, "dir", "x.jpg"), "outside folder image")
	write(filepath.Join(root, "train", "happy", "a.jpg"), "a")
	write(filepath.Join(root, "train", "sad", "b.jpg"), "b")
	write(filepath.Join(root, "notes.txt"), "notes")
	link(filepath.Join(outside, "secret.txt"), filepath.Join(root, "train", "secret.txt")) // absolute, outside
	link("../../../outside/face.jpg", filepath.Join(root, "train", "happy", "stolen.jpg")) // relative, outside
	link(filepath.Join(outside, "dir"), filepath.Join(root, "train", "sad", "outdir"))     // folder, outside
	link("../happy", filepath.Join(root, "train", "sad", "happydup"))                      // folder, inside
	link("loop2", filepath.Join(root, "train", "loop1.jpg"))                               // loop
	link("loop1.jpg", filepath.Join(root, "train", "loop2"))                               //
	link("missing.jpg", filepath.Join(root, "train", "happy", "broken.jpg"))               // dangling
	link("../happy/a.jpg", filepath.Join(root, "train", "sad", "alias.jpg"))               // file, inside (relative)
	link(filepath.Join(root, "notes.txt"), filepath.Join(root, "train", "notes_link.txt")) // file, inside (absolute)
	return root, outside
}

// An input tree is read only through entries that resolve inside it: links out of the tree,
// loops, dangling links and folder links are skipped and reported one by one, with a reason
// code, and the tree still opens; links that stay inside are read like the files they name.
func TestOpenFollowsOnlyLinksInsideTheTree(t *testing.T) {
	root, _ := linkTree(t)
	d, err := Open(root, OpenOptions{})
	if err != nil {
		t.Fatalf("a tree with bad links must still open: %v", err)
	}
	var items []string
	for _, it := range d.Items {
		items = append(items, it.Rel)
	}
	if got, want := strings.Join(items, " "), "train/happy/a.jpg train/sad/alias.jpg train/sad/b.jpg"; got != want {
		t.Errorf("items %q, want %q", got, want)
	}
	if got, want := strings.Join(d.AuxFiles, " "), "notes.txt train/notes_link.txt"; got != want {
		t.Errorf("aux files %q, want %q", got, want)
	}
	codes := map[string]string{}
	for _, p := range d.Problems {
		if p.Item != "" {
			codes[p.Item] = p.Code
		}
		if p.Code != "" && !strings.HasPrefix(p.Path, root) {
			t.Errorf("problem %v does not name the entry under %s", p, root)
		}
	}
	for rel, code := range map[string]string{
		"train/secret.txt":       "outside-input",
		"train/happy/stolen.jpg": "outside-input",
		"train/sad/outdir":       "outside-input",
		"train/sad/happydup":     "directory-link",
		"train/loop1.jpg":        "link-loop",
		"train/loop2":            "link-loop",
		"train/happy/broken.jpg": "broken-link",
	} {
		t.Run(strings.ReplaceAll(rel, "/", "_"), func(t *testing.T) {
			if codes[rel] != code {
				t.Errorf("%s reported as %q, want %q (problems: %v)", rel, codes[rel], code, d.Problems)
			}
		})
	}
}

// A symlinked dataset root is the user's choice and is followed; the rule applies below it.
func TestOpenThroughLinkedRoot(t *testing.T) {
	root, _ := linkTree(t)
	alias := filepath.Join(t.TempDir(), "alias")
	if err := os.Symlink(root, alias); err != nil {
		t.Fatal(err)
	}
	d, err := Open(alias, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Items) != 3 || len(d.AuxFiles) != 2 {
		t.Fatalf("through a linked root: %d items, aux %v", len(d.Items), d.AuxFiles)
	}
}
