package occlusion

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/occfer/occfer/dataset"
)

// The output never depends on the worker count or on sharding: one worker, two workers and
// three shards run into separate folders, copied together and merged, give the same files
// byte for byte, manifest and masks included. The faces of a worker's chunk are predicted in
// one batch, so these runs also batch the faces differently: all 9 items together, split
// between two workers, a shard's items only.
func TestDeterministicAcrossWorkersAndShards(t *testing.T) {
	in := t.TempDir()
	makeFolders(t, in, 9)
	tmp := t.TempDir()
	run := func(out string, workers int, shard Shard) Summary {
		t.Helper()
		c := baseConfig(in, out, KindRandom)
		c.Workers, c.Shard, c.WriteMasks = workers, shard, true
		c.Predictor = nil // each run loads the model itself, as the command does
		c.OccluderTypes = AllOccluders
		sum, err := Run(context.Background(), c)
		if err != nil {
			t.Fatalf("workers %d shard %v: %v", workers, shard, err)
		}
		return sum
	}
	one := filepath.Join(tmp, "one")
	run(one, 1, Shard{})
	two := filepath.Join(tmp, "two")
	run(two, 2, Shard{})
	sameTree(t, one, two)

	union := filepath.Join(tmp, "union")
	total := 0
	for i := 1; i <= 3; i++ {
		part := filepath.Join(tmp, "shard", string(rune('0'+i)))
		total += run(part, 2, Shard{I: i, N: 3}).Items
		if _, err := os.Stat(filepath.Join(part, ManifestFile)); !os.IsNotExist(err) {
			t.Fatalf("shard %d wrote a full manifest", i)
		}
		copyTree(t, part, union)
	}
	if total != 9 {
		t.Fatalf("shards hold %d items together, want 9", total)
	}
	if _, err := Merge(union, MergeOptions{}); err != nil {
		t.Fatal(err)
	}
	sameTree(t, one, union)
}

func TestMergeRefusesMissingShard(t *testing.T) {
	in := t.TempDir()
	makeFolders(t, in, 4)
	out := filepath.Join(t.TempDir(), "out")
	c := baseConfig(in, out, KindMask)
	c.Shard = Shard{I: 1, N: 2}
	if _, err := Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	_, err := Merge(out, MergeOptions{})
	if err == nil || !strings.Contains(err.Error(), "[2] of 2 have not finished") {
		t.Fatalf("merge with shard 2 missing: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, ManifestFile)); !os.IsNotExist(err) {
		t.Fatal("a failed merge wrote manifest.jsonl")
	}
}

func TestParseShard(t *testing.T) {
	for s, want := range map[string]Shard{"1/4": {1, 4}, "4/4": {4, 4}, " 2 / 3 ": {2, 3}} {
		got, err := ParseShard(s)
		if err != nil || got != want {
			t.Errorf("ParseShard(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"0/4", "5/4", "1", "a/b", "1/0", "-1/2"} {
		if _, err := ParseShard(s); err == nil {
			t.Errorf("ParseShard(%q) accepted", s)
		}
	}
	// every item lands in exactly one shard
	for _, rel := range []string{"a.jpg", "train/x/b.png", "Image/aligned/train_00001_aligned.jpg"} {
		n := 0
		for i := 1; i <= 5; i++ {
			if (Shard{i, 5}).Selects(rel) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s is in %d of 5 shards", rel, n)
		}
	}
}

// copyTree copies src's files into dst (merging folders), as a user gathering shard outputs.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	for rel := range treeHashes(t, src) {
		data, err := os.ReadFile(filepath.Join(src, rel))
		if err != nil {
			t.Fatal(err)
		}
		if err := dataset.WriteFileAtomic(filepath.Join(dst, rel), data); err != nil {
			t.Fatal(err)
		}
	}
}
