package occlusion

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	"github.com/occfer/occfer/dataset"
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
	// OUT is claimed (links removed) before the slow setup. A setup that fails leaves no OUT
	// behind that it created.
	_, statErr := os.Lstat(cfg.Out)
	if r.untrusted, err = claimOut(cfg.Out, cfg.In); err != nil {
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
	if _, err := dataset.RemoveTemps(r.cfg.Out); err != nil {
		return nil, err
	}
	selected := make(map[string]bool, len(r.selected))
	for _, it := range r.selected {
		selected[it.Rel] = true
	}
	for _, p := range []string{mpath, jpath} { // journal last: its records are newer
		recs, err := readRecords(p)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("resume: %w", err)
		}
		for rel, rec := range recs {
			if selected[rel] && r.verify(rec) {
				done[rel] = rec
			} else {
				delete(done, rel)
			}
		}
	}
	return done, nil
}

// verify reports whether rec's outputs are on disk as recorded. Failed items are never kept:
// resuming retries them (the file may have been fixed).
func (r *runner) verify(rec Record) bool {
	if rec.failed() {
		return false
	}
	if rec.Action == ActionSkipped {
		return rec.Out == ""
	}
	data, err := os.ReadFile(r.outPath(rec.Out))
	if err != nil || sha256Hex(data) != rec.SHA256 {
		return false
	}
	if r.cfg.WriteMasks && rec.occluded() {
		if rec.Mask == "" {
			return false
		}
		if _, err := os.Stat(r.outPath(rec.Mask)); err != nil {
			return false
		}
	}
	return true
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
