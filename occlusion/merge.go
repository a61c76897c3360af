package occlusion

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/internal/safepath"
)

var partName = regexp.MustCompile(`^manifest\.shard-(\d+)-of-(\d+)\.jsonl$`)

// MergeOptions configures Merge.
type MergeOptions struct {
	// In and Preview draw OUT/preview.png from the merged manifest (Preview pairs; the input
	// root is needed for the "before" images). Zero Preview: no sheet.
	In      string
	Preview int
}

// Merge combines the manifest parts of a sharded run in out (all of shard 1..n, each written
// by a finished shard) into manifest.jsonl, byte for byte what a single run writes, and
// removes the parts. Shards may have run into separate folders that were then copied
// together; their settings files must agree. The parts are read like user input: every record
// must be valid (Record.check), belong to the shard of its part, and name an output in OUT
// that holds the recorded bytes; the first that does not stops the merge before anything is
// written, naming part and line and the shard to redo with --resume. OUT is locked for the
// merge (no shard may run meanwhile).
func Merge(out string, opts MergeOptions) (string, error) {
	if _, err := os.ReadDir(out); err != nil { // OUT must exist: merge creates no output folder
		return "", fmt.Errorf("merge: %w", err)
	}
	if opts.In != "" {
		if err := safepath.CheckOutput(out, opts.In); err != nil {
			return "", fmt.Errorf("merge: %w", err)
		}
	}
	l, _, err := claimOut(out, opts.In, Shard{})
	if err != nil {
		return "", fmt.Errorf("merge: %w", err)
	}
	defer l.release()
	entries, err := os.ReadDir(out)
	if err != nil {
		return "", fmt.Errorf("merge: %w", err)
	}
	parts := map[int]string{}
	n := 0
	for _, e := range entries {
		m := partName.FindStringSubmatch(e.Name())
		if m == nil {
			continue
		}
		i, _ := strconv.Atoi(m[1])
		k, _ := strconv.Atoi(m[2])
		if n != 0 && k != n {
			return "", fmt.Errorf("merge %s: manifest parts of different shard counts (%d and %d): remove the stale ones", out, n, k)
		}
		n = k
		parts[i] = filepath.Join(out, e.Name())
	}
	if n == 0 {
		return "", fmt.Errorf("merge %s: no manifest.shard-I-of-N.jsonl parts found (run occlude with --shard first)", out)
	}
	var missing []int
	for i := 1; i <= n; i++ {
		if parts[i] == "" {
			missing = append(missing, i)
		}
	}
	if len(missing) > 0 {
		return "", fmt.Errorf("merge %s: shards %v of %d have not finished (no manifest part); run them, with --resume if interrupted", out, missing, n)
	}
	all := map[string]Record{}
	idx := make([]int, 0, n)
	for i := range parts {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	for _, i := range idx {
		recs, err := readPart(out, parts[i], Shard{I: i, N: n})
		if err != nil {
			return "", err
		}
		for _, rec := range recs {
			if _, dup := all[rec.In]; dup {
				return "", fmt.Errorf("merge %s: %s appears in two shards' manifests; were the shards run with different shard counts?", out, rec.In)
			}
			all[rec.In] = rec.Record
		}
	}
	if n, err := settingsItems(out); err == nil && n != len(all) {
		return "", fmt.Errorf("merge %s: the shards recorded %d images but the dataset has %d; were the shards run on different inputs?", out, len(all), n)
	}
	data, err := encodeManifest(all)
	if err != nil {
		return "", err
	}
	mpath := filepath.Join(out, ManifestFile)
	if err := dataset.WriteFileAtomic(mpath, data); err != nil {
		return "", fmt.Errorf("merge: %w", err)
	}
	for _, p := range parts {
		if err := os.Remove(p); err != nil {
			return "", fmt.Errorf("merge: remove part: %w", err)
		}
	}
	if opts.Preview > 0 {
		root := opts.In
		if st, err := os.Stat(root); err == nil && !st.IsDir() {
			root = filepath.Dir(root)
		}
		if err := writePreview(root, out, all, opts.Preview); err != nil {
			return "", err
		}
	}
	return mpath, nil
}

// readPart reads the manifest part of shard s and checks each record like user input: valid,
// of an item of s, its output in OUT with the recorded bytes. The error names part and line
// and says how to redo the shard, whose resume redoes exactly such records.
func readPart(out, p string, s Shard) ([]lineRecord, error) {
	recs, bad, err := readRecords(p)
	if err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	redo := fmt.Sprintf("rerun that shard with its occlude command and --resume --shard %s, then merge again", s)
	if len(bad) > 0 {
		return nil, fmt.Errorf("merge: %s; %s", bad[0], redo)
	}
	for _, rec := range recs {
		reason := ""
		switch {
		case !s.Selects(rec.In):
			reason = fmt.Sprintf("%s is an image of shard %s, not of %s", rec.In, shardOf(rec.In, s.N), s)
		case rec.Action != ActionSkipped:
			reason = verifyOutput(out, rec.Record)
		}
		if reason != "" {
			return nil, fmt.Errorf("merge: %s:%d: %s; %s", p, rec.Line, reason, redo)
		}
	}
	return recs, nil
}

// shardOf is the shard of n that holds rel.
func shardOf(rel string, n int) Shard {
	for i := 1; i <= n; i++ {
		if s := (Shard{I: i, N: n}); s.Selects(rel) {
			return s
		}
	}
	return Shard{}
}

// settingsItems reads the dataset size recorded in the run settings.
func settingsItems(out string) (int, error) {
	b, err := os.ReadFile(filepath.Join(out, stateDir, settingsFile))
	if err != nil {
		return 0, err
	}
	var s runSettings
	if err := json.Unmarshal(b, &s); err != nil {
		return 0, err
	}
	return s.Items, nil
}
