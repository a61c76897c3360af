package occlusion

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// shardedOut runs shards 1/2 and 2/2 of a mask run over in into one OUT.
func shardedOut(t *testing.T, in, out string) {
	t.Helper()
	for i := 1; i <= 2; i++ {
		c := baseConfig(in, out, KindMask)
		c.Shard = Shard{I: i, N: 2}
		if _, err := Run(context.Background(), c); err != nil {
			t.Fatal(err)
		}
	}
}

// A shard part is read back like user input: a record whose "in" leaves the input folder, a
// record of an item that belongs to the other shard, and a record whose output file does not
// hold the recorded bytes are refused with the part and line, before anything is written or
// any input opened; the message says how to redo that shard.
func TestMergeRefusesUntrustedParts(t *testing.T) {
	base := t.TempDir()
	in := filepath.Join(base, "in")
	makeRAF(t, in, 8)
	ref := filepath.Join(base, "ref")
	shardedOut(t, in, ref)
	part := "manifest.shard-1-of-2.jsonl"
	for _, tc := range []struct {
		name string
		edit func(out string, rec map[string]any)
		want string
	}{
		{"in leaves the input", func(_ string, r map[string]any) { r["in"] = "../../../../etc/passwd" }, "../../../../etc/passwd"},
		{"absolute in", func(_ string, r map[string]any) { r["in"] = "/etc/passwd" }, "absolute"},
		{"item of the other shard", func(_ string, r map[string]any) {
			for i := 1; ; i++ {
				if rel := "Image/aligned/train_0000" + string(rune('0'+i)) + "_aligned.jpg"; (Shard{2, 2}).Selects(rel) {
					r["in"], r["out"] = rel, rel
					return
				}
			}
		}, "shard 2/2"},
		{"output bytes differ", func(out string, r map[string]any) {
			writeFile(t, filepath.Join(out, r["out"].(string)), []byte("not the image"))
		}, "sha256"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			copyTree(t, ref, out)
			rewriteRecords(t, filepath.Join(out, part), func(i int, r map[string]any) {
				if i == 0 {
					tc.edit(out, r)
				}
			})
			_, err := Merge(out, MergeOptions{In: in, Preview: 4})
			if err == nil || !strings.Contains(err.Error(), part+":1") || !strings.Contains(err.Error(), tc.want) ||
				!strings.Contains(err.Error(), "--resume --shard 1/2") {
				t.Fatalf("merge: %v; want a refusal naming %s:1, %q and how to redo shard 1/2", err, part, tc.want)
			}
			for _, f := range []string{ManifestFile, "preview.png"} {
				if _, err := os.Stat(filepath.Join(out, f)); !os.IsNotExist(err) {
					t.Errorf("a refused merge wrote %s", f)
				}
			}
		})
	}
}

// Merge is idempotent. Parts are removed only after the manifest and the preview are written,
// so a merge that fails while drawing the preview can simply be run again; a merge after a
// successful one changes nothing and says so.
func TestMergeIdempotent(t *testing.T) {
	base := t.TempDir()
	in := filepath.Join(base, "in")
	makeRAF(t, in, 6)
	single := filepath.Join(base, "single")
	c := baseConfig(in, single, KindMask)
	c.Preview = 4
	if _, err := Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(base, "out")
	shardedOut(t, in, out)

	// The preview fails half-way: one "before" image cannot be read.
	first := filepath.Join(in, "Image/aligned/train_00001_aligned.jpg")
	saved, err := os.ReadFile(first)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(first, []byte("not an image"), 0o644)
	if _, err := Merge(out, MergeOptions{In: in, Preview: 4}); err == nil || !strings.Contains(err.Error(), "preview") {
		t.Fatalf("merge with an unreadable preview image: %v", err)
	}
	parts, _ := filepath.Glob(filepath.Join(out, "manifest.shard-*.jsonl"))
	if len(parts) != 2 {
		t.Fatalf("after a failed preview %d parts are left, want both", len(parts))
	}
	os.WriteFile(first, saved, 0o644)
	res, err := Merge(out, MergeOptions{In: in, Preview: 4})
	if err != nil || res.Parts != 2 || res.Already {
		t.Fatalf("merge again: %+v, %v", res, err)
	}
	sameTree(t, single, out)

	res, err = Merge(out, MergeOptions{In: in, Preview: 4})
	if err != nil || !res.Already || res.Parts != 0 {
		t.Fatalf("merge after a successful merge: %+v, %v; want a no-op", res, err)
	}
	sameTree(t, single, out)
}
