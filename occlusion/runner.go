package occlusion

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"unicode/utf8"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/internal/limits"
	"github.com/occfer/occfer/internal/safepath"
	"github.com/occfer/occfer/warp"
)

// runner holds what every item of a run shares. Workers only read it (faceFinder and the
// templates are safe for concurrent use).
type runner struct {
	cfg       Config
	ds        *dataset.Dataset
	selected  []dataset.Item // this shard's items, sorted by Rel
	templates []*warp.Template
	faces     *faceFinder
	random    RandomConfig // the random kind's drawing settings
	settings  []byte
	lock      *outLock          // OUT's lock, held from newRunner to close
	untrusted []dataset.Problem // what OUT held that was not trusted (Summary.Untrusted)
}

func newRunner(cfg Config) (_ *runner, err error) {
	ds, err := dataset.Open(cfg.In, dataset.OpenOptions{Aligned: cfg.Aligned, RAFImages: cfg.RAFImages, NeedFiles: true})
	if err != nil {
		return nil, err
	}
	if err := safepath.CheckOutput(cfg.Out, cfg.In); err != nil {
		return nil, err
	}
	r := &runner{cfg: cfg, ds: ds, random: cfg.random()}
	// OUT is claimed (links removed, locked) before the slow setup, so a second run on the
	// same OUT is refused at once. A setup that fails leaves no OUT behind that it created.
	_, statErr := os.Lstat(cfg.Out)
	if r.lock, r.untrusted, err = claimOut(cfg.Out, cfg.In, cfg.Shard); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			r.close()
			if os.IsNotExist(statErr) {
				os.Remove(filepath.Join(cfg.Out, stateDir)) // only when empty
				os.Remove(cfg.Out)
			}
		}
	}()
	for _, it := range ds.Items {
		if !utf8.ValidString(it.Rel) {
			// The manifest and journal are JSON, which holds UTF-8 text only: such a name would
			// be recorded with U+FFFD, match no input on resume and be redone every time.
			ds.Problems = append(ds.Problems, dataset.Problem{Path: filepath.Join(ds.Root, filepath.FromSlash(it.Rel)), Code: CodeNameNotUTF8, Item: it.Rel,
				Reason: "the path " + strconv.Quote(it.Rel) + " is not valid UTF-8, so the manifest cannot record it: rename the file (skipped)"})
			continue
		}
		if cfg.Shard.Selects(it.Rel) {
			r.selected = append(r.selected, it)
		}
	}
	if cfg.Kind == KindMask || cfg.Kind == KindSunglasses {
		if r.templates, err = loadTemplates(cfg); err != nil {
			return nil, err
		}
	}
	if r.faces, err = newFaceFinder(cfg, ds); err != nil {
		return nil, err
	}
	if err := r.checkSettings(); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *runner) close() {
	if r.faces != nil {
		r.faces.close()
	}
	for _, t := range r.templates {
		t.Close()
	}
	r.lock.release()
}

// outPath is where rel lands in the output tree.
func (r *runner) outPath(rel string) string {
	return filepath.Join(r.cfg.Out, filepath.FromSlash(rel))
}

// copyAux mirrors the non-image files (label files, annotations, landmarks68.jsonl) so the
// output is a dataset of the same layout. Files already equal are left alone.
func (r *runner) copyAux() error {
	for _, rel := range r.ds.AuxFiles {
		if r.cfg.Kind == KindAlign && rel == dataset.LandmarksFile {
			continue // the crops' landmarks are written by finish (writeAlignedLandmarks)
		}
		data, err := os.ReadFile(filepath.Join(r.ds.Root, filepath.FromSlash(rel)))
		if err != nil {
			return fmt.Errorf("copy %s: %w", rel, err)
		}
		dst := r.outPath(rel)
		if old, err := os.ReadFile(dst); err == nil && bytes.Equal(old, data) {
			continue
		}
		if err := dataset.WriteFileAtomic(dst, data); err != nil {
			return fmt.Errorf("copy %s: %w", rel, err)
		}
	}
	return nil
}

// resumeState returns the records of items that are finished and verified. Without Resume it
// clears this shard's journal and manifest, so a stale manifest never sits beside new outputs.
// With it, the manifest and journal are read like user input: a line that is no valid record
// (Record.check), a record of another seed, and a record whose files in OUT do not match it
// are not kept (their items are redone) and are reported in r.untrusted.
func (r *runner) resumeState() (map[string]Record, error) {
	done := map[string]Record{}
	mpath := filepath.Join(r.cfg.Out, r.cfg.Shard.ManifestName())
	jpath := filepath.Join(r.cfg.Out, stateDir, r.cfg.Shard.journalName())
	if !r.cfg.Resume {
		for _, p := range []string{jpath, mpath} {
			if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
				return nil, fmt.Errorf("clear previous run: %w", err)
			}
		}
		return done, nil
	}
	if r.lock.alone() { // with shards beside it, their temporary files may be in flight
		if _, err := dataset.RemoveTemps(r.cfg.Out); err != nil {
			return nil, err
		}
	}
	selected := make(map[string]bool, len(r.selected))
	for _, it := range r.selected {
		selected[it.Rel] = true
	}
	for _, p := range []string{mpath, jpath} { // journal last: its records are newer
		recs, bad, err := readRecords(p)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("resume: %w", err)
		}
		r.untrusted = append(r.untrusted, bad...)
		for _, rec := range recs {
			if !selected[rec.In] {
				delete(done, rec.In) // an image no longer in the input (or in another shard)
				continue
			}
			reason := r.verify(rec.Record)
			if reason == "" {
				done[rec.In] = rec.Record
				continue
			}
			delete(done, rec.In)
			if reason != retry {
				r.untrusted = append(r.untrusted, dataset.Problem{Path: p, Line: rec.Line, Code: CodeUntrustedRecord, Item: rec.In, Reason: reason})
			}
		}
	}
	return done, nil
}

// retry is verify's answer for a failed item: not kept, so resuming retries it (the file may
// have been fixed), and not reported, since nothing is wrong with the record.
const retry = "retry"

// verify returns "" when rec (already through Record.check) is this run's and its outputs are
// in OUT as recorded: the output file holds bytes of the recorded sha256 and, with masks, the
// mask exists. Otherwise it says why, or returns retry for a failed item.
func (r *runner) verify(rec Record) string {
	if rec.failed() {
		return retry
	}
	if rec.Seed != r.cfg.Seed {
		return fmt.Sprintf("%s: seed %d, the run's is %d", rec.In, rec.Seed, r.cfg.Seed)
	}
	if rec.Action == ActionSkipped {
		return ""
	}
	if reason := verifyOutput(r.cfg.Out, rec); reason != "" {
		return reason
	}
	if r.cfg.WriteMasks && rec.occluded() && rec.Mask == "" {
		return fmt.Sprintf("%s: no mask recorded (the run writes masks)", rec.In)
	}
	return ""
}

// verifyOutput checks that the files rec names in OUT are there, inside OUT (links resolved),
// and that the output holds bytes of the recorded sha256; it returns why not, or "".
func verifyOutput(out string, rec Record) string {
	p, err := safepath.Within(out, rec.Out)
	if err != nil {
		return fmt.Sprintf("%s: output: %v", rec.In, err)
	}
	data, err := limits.ReadFile(p, limits.ImageFile, "output")
	if err != nil {
		return fmt.Sprintf("%s: output: %v", rec.In, err)
	}
	if got := sha256Hex(data); got != rec.SHA256 {
		return fmt.Sprintf("%s: the sha256 of %s is %s, the record says %s", rec.In, p, got, rec.SHA256)
	}
	if rec.Mask != "" {
		if _, err := safepath.Within(out, rec.Mask); err != nil {
			return fmt.Sprintf("%s: mask: %v", rec.In, err)
		}
	}
	return ""
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
