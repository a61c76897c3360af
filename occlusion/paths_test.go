package occlusion

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func symlink(t *testing.T, target, p string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, p); err != nil {
		t.Fatal(err)
	}
}

// A run reads its input only through entries that resolve inside it. A file link to a secret
// outside is not copied, an image linked from outside is not processed, and a folder link or
// a link loop costs its entry alone: the run finishes and reports each one.
func TestRunReadsOnlyInsideInput(t *testing.T) {
	base := t.TempDir()
	in, outside := filepath.Join(base, "in"), filepath.Join(base, "outside")
	rels := makeFolders(t, in, 3)
	writeFile(t, filepath.Join(outside, "secret.txt"), []byte("SECRET"))
	face, err := os.ReadFile(filepath.Join(in, filepath.FromSlash(rels[1])))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(outside, "faces", "face.jpg"), face)
	symlink(t, filepath.Join(outside, "secret.txt"), filepath.Join(in, "train", "secret.txt"))
	symlink(t, filepath.Join(outside, "faces", "face.jpg"), filepath.Join(in, "train", "happy", "stolen.jpg"))
	symlink(t, filepath.Join(outside, "faces"), filepath.Join(in, "train", "more"))
	symlink(t, "happy", filepath.Join(in, "train", "again"))
	symlink(t, "loop_b", filepath.Join(in, "train", "loop_a.jpg"))
	symlink(t, "loop_a.jpg", filepath.Join(in, "train", "loop_b"))

	out := filepath.Join(base, "out")
	sum, err := Run(context.Background(), baseConfig(in, out, KindMask))
	if err != nil {
		t.Fatalf("a tree with bad links must not stop the run: %v", err)
	}
	if sum.Items != len(rels) {
		t.Errorf("%d items, want the %d real images", sum.Items, len(rels))
	}
	got := treeHashes(t, out)
	for rel := range got {
		if strings.Contains(rel, "secret") || strings.Contains(rel, "stolen") || strings.HasPrefix(rel, "train/more") ||
			strings.HasPrefix(rel, "train/again") || strings.Contains(rel, "loop") {
			t.Errorf("output holds %s, read through a link it must not follow", rel)
		}
	}
	var recs []string
	for _, r := range readManifest(t, filepath.Join(out, ManifestFile)) {
		recs = append(recs, r.In)
	}
	sort.Strings(rels)
	if strings.Join(recs, " ") != strings.Join(rels, " ") {
		t.Errorf("manifest lists %v, want %v", recs, rels)
	}
	codes := map[string]string{}
	for _, p := range sum.Problems {
		codes[p.Item] = p.Code
	}
	for rel, code := range map[string]string{
		"train/secret.txt": "outside-input", "train/happy/stolen.jpg": "outside-input", "train/more": "outside-input",
		"train/again": "directory-link", "train/loop_a.jpg": "link-loop", "train/loop_b": "link-loop",
	} {
		if codes[rel] != code {
			t.Errorf("%s reported as %q, want %q", rel, codes[rel], code)
		}
	}
}

// Nothing is written outside OUT: a folder of OUT replaced by a link to another place (an OUT
// edited by hand) is removed and rebuilt as a real folder, and the other place is untouched.
func TestRunWritesOnlyInsideOut(t *testing.T) {
	base := t.TempDir()
	in, elsewhere, out := filepath.Join(base, "in"), filepath.Join(base, "elsewhere"), filepath.Join(base, "out")
	makeFolders(t, in, 3)
	if err := os.MkdirAll(elsewhere, 0o755); err != nil {
		t.Fatal(err)
	}
	symlink(t, elsewhere, filepath.Join(out, "train"))
	symlink(t, elsewhere, filepath.Join(out, stateDir))
	sum, err := Run(context.Background(), baseConfig(in, out, KindMask))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(treeHashes(t, elsewhere)); n != 0 {
		t.Fatalf("the run wrote %d files through links in OUT into %s", n, elsewhere)
	}
	for _, d := range []string{"train", stateDir} {
		st, err := os.Lstat(filepath.Join(out, d))
		if err != nil || !st.IsDir() {
			t.Fatalf("OUT/%s is not a real folder after the run: %v %v", d, st, err)
		}
	}
	var removed []string
	for _, p := range sum.Untrusted {
		removed = append(removed, p.Item)
	}
	sort.Strings(removed)
	if strings.Join(removed, " ") != stateDir+" train" {
		t.Errorf("reported %v, want the two links", sum.Untrusted)
	}
}
