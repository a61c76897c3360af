package occlusion

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/internal/limits"
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

// MergeResult says what Merge did.
type MergeResult struct {
	Manifest string // OUT/manifest.jsonl
	Parts    int    // manifest parts merged (and removed); 0 when Already
	Already  bool   // OUT was merged before (no parts, a complete manifest): nothing merged
	Preview  string // OUT/preview.png when drawn
	// Untrusted are the links found in OUT and removed (CodeOutputLink).
	Untrusted []dataset.Problem
}

// Merge combines the manifest parts of a sharded run in out (all of shard 1..n, each written
// by a finished shard) into manifest.jsonl, byte for byte what a single run writes, draws the
// preview when asked, and only then removes the parts: a merge stopped at any point is redone
// by running it again. A merge of an OUT already merged (no parts, manifest.jsonl present) is
// a no-op that says so (MergeResult.Already), drawing the preview from the manifest when asked.
// Shards may have run into separate folders that were then copied together; their settings
// files must agree.
//
// The parts are read like user input: every record must be valid (Record.check), belong to
// the shard of its part, and name an output in OUT that holds the recorded bytes; the first
// that does not stops the merge before anything is written, naming part and line and the
// shard to redo with --resume. OUT is locked for the merge (no shard may run meanwhile).
func Merge(out string, opts MergeOptions) (MergeResult, error) {
	var res MergeResult
	if _, err := os.ReadDir(out); err != nil { // OUT must exist: merge creates no output folder
		return res, fmt.Errorf("merge: %w", err)
	}
	if opts.In != "" {
		if err := safepath.CheckOutput(out, opts.In); err != nil {
			return res, fmt.Errorf("merge: %w", err)
		}
	}
	l, links, err := claimOut(out, opts.In, Shard{})
	res.Untrusted = links
	if err != nil {
		return res, fmt.Errorf("merge: %w", err)
	}
	defer l.release()
	parts, n, err := findParts(out)
	if err != nil {
		return res, err
	}
	mpath := filepath.Join(out, ManifestFile)
	res.Manifest = mpath
	if n == 0 {
		return mergedBefore(out, opts, res)
	}
	all := map[string]Record{}
	for i := 1; i <= n; i++ {
		recs, err := readPart(out, parts[i], Shard{I: i, N: n})
		if err != nil {
			return res, err
		}
		for _, rec := range recs {
			if _, dup := all[rec.In]; dup {
				return res, fmt.Errorf("merge %s: %s appears in two shards' manifests; were the shards run with different shard counts?", out, rec.In)
			}
			all[rec.In] = rec.Record
		}
	}
	if items, err := settingsItems(out); err == nil && items != len(all) {
		return res, fmt.Errorf("merge %s: the shards recorded %d images but the dataset has %d; were the shards run on different inputs?", out, len(all), items)
	}
	data, err := encodeManifest(all)
	if err != nil {
		return res, err
	}
	if err := dataset.WriteFileAtomic(mpath, data); err != nil {
		return res, fmt.Errorf("merge: %w", err)
	}
	if res.Preview, err = mergePreview(out, opts, all); err != nil {
		return res, err
	}
	for _, p := range parts {
		if err := os.Remove(p); err != nil {
			return res, fmt.Errorf("merge: remove part: %w", err)
		}
	}
	res.Parts = n
	return res, nil
}

// findParts lists the manifest parts in out by shard index, and their shard count (0: none).
// Every shard 1..n must have its part.
func findParts(out string) (map[int]string, int, error) {
	entries, err := os.ReadDir(out)
	if err != nil {
		return nil, 0, fmt.Errorf("merge: %w", err)
	}
	parts := map[int]string{}
	n := 0
	for _, e := range entries {
		m := partName.FindStringSubmatch(e.Name())
		if m == nil || !e.Type().IsRegular() {
			continue
		}
		i, err1 := strconv.Atoi(m[1])
		k, err2 := strconv.Atoi(m[2])
		if err1 != nil || err2 != nil || (Shard{I: i, N: k}).validate() != nil {
			return nil, 0, fmt.Errorf("merge %s: %s is no part of a sharded run: remove it", out, e.Name())
		}
		if n != 0 && k != n {
			return nil, 0, fmt.Errorf("merge %s: manifest parts of different shard counts (%d and %d): remove the stale ones", out, n, k)
		}
		n = k
		parts[i] = filepath.Join(out, e.Name())
	}
	var missing []int
	for i := 1; i <= n; i++ {
		if parts[i] == "" {
			missing = append(missing, i)
		}
	}
	if len(missing) > 0 {
		return nil, 0, fmt.Errorf("merge %s: shards %v of %d have not finished (no manifest part); run them, with --resume if interrupted", out, missing, n)
	}
	return parts, n, nil
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

// mergedBefore is Merge on an OUT without parts: a no-op when its manifest is complete (the
// preview drawn from it when asked), else the error that there is nothing to merge.
func mergedBefore(out string, opts MergeOptions, res MergeResult) (MergeResult, error) {
	recs, bad, err := readRecords(res.Manifest)
	if errors.Is(err, os.ErrNotExist) {
		return res, fmt.Errorf("merge %s: no manifest.shard-I-of-N.jsonl parts found (run occlude with --shard first)", out)
	}
	if err != nil {
		return res, fmt.Errorf("merge: %w", err)
	}
	if len(bad) > 0 {
		return res, fmt.Errorf("merge %s: no parts to merge, and %s: %s", out, ManifestFile, bad[0])
	}
	res.Already = true
	if opts.Preview > 0 {
		all := map[string]Record{}
		for _, rec := range recs {
			if reason := verifyOutput(out, rec.Record); rec.Action != ActionSkipped && reason != "" {
				return res, fmt.Errorf("merge: %s:%d: %s", res.Manifest, rec.Line, reason)
			}
			all[rec.In] = rec.Record
		}
		if res.Preview, err = mergePreview(out, opts, all); err != nil {
			return res, err
		}
	}
	return res, nil
}

// mergePreview draws OUT/preview.png when asked and returns its path.
func mergePreview(out string, opts MergeOptions, recs map[string]Record) (string, error) {
	if opts.Preview <= 0 {
		return "", nil
	}
	root := opts.In
	if st, err := os.Stat(root); err == nil && !st.IsDir() {
		root = filepath.Dir(root)
	}
	if err := writePreview(root, out, recs, opts.Preview); err != nil {
		return "", err
	}
	return filepath.Join(out, "preview.png"), nil
}

// settingsItems reads the dataset size recorded in the run settings.
func settingsItems(out string) (int, error) {
	b, err := limits.ReadFile(filepath.Join(out, stateDir, settingsFile), limits.RunFile, "run settings")
	if err != nil {
		return 0, err
	}
	var s runSettings
	if err := json.Unmarshal(b, &s); err != nil {
		return 0, err
	}
	return s.Items, nil
}
