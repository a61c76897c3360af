package occlusion

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// Shard selects a part of the items: shard I of N, 1 <= I <= N (1-based, as people count
// machines). The zero value selects everything.
type Shard struct{ I, N int }

// ParseShard reads "i/n".
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(s, "/")
	if !ok {
		return Shard{}, fmt.Errorf("shard %q: want i/n, e.g. 1/4", s)
	}
	i, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	if err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("shard %q: want i/n with whole numbers, e.g. 1/4", s)
	}
	sh := Shard{I: i, N: n}
	return sh, sh.validate()
}

func (s Shard) validate() error {
	if s == (Shard{}) {
		return nil
	}
	if s.N < 1 || s.I < 1 || s.I > s.N {
		return fmt.Errorf("shard %d/%d: want 1 <= i <= n", s.I, s.N)
	}
	return nil
}

// Active reports whether s splits the run.
func (s Shard) Active() bool { return s.N > 1 }

func (s Shard) String() string {
	if !s.Active() {
		return "all"
	}
	return fmt.Sprintf("%d/%d", s.I, s.N)
}

// Selects reports whether the item rel belongs to s. It hashes rel rather than using its
// index, so adding or removing images elsewhere in the dataset never moves an item to another
// shard (a resumed shard stays consistent with its finished siblings).
func (s Shard) Selects(rel string) bool {
	if !s.Active() {
		return true
	}
	h := fnv.New64a()
	h.Write([]byte(rel))
	return int(h.Sum64()%uint64(s.N)) == s.I-1
}

// ManifestName is the manifest file this shard writes at the output root.
func (s Shard) ManifestName() string {
	if !s.Active() {
		return ManifestFile
	}
	return fmt.Sprintf("manifest.shard-%d-of-%d.jsonl", s.I, s.N)
}

// journalName is the in-progress journal of this shard, inside the state folder.
func (s Shard) journalName() string {
	if !s.Active() {
		return "journal.jsonl"
	}
	return fmt.Sprintf("journal.shard-%d-of-%d.jsonl", s.I, s.N)
}
