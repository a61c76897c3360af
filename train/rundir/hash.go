// Package rundir owns the files of a training run folder: config.json, metrics.jsonl,
// report.json, and the content hashes that tie a run to the exact datasets it read.
package rundir

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/occfer/occfer/dataset"
	"github.com/occfer/occfer/internal/safepath"
)

// ManifestFile is the manifest that `occlude` writes at an output root; when present it
// already lists every output file with its hash, so hashing it identifies the dataset.
const ManifestFile = "manifest.jsonl"

// DatasetHash identifies the content of a dataset cheaply: the SHA-256 of its
// manifest.jsonl when it has one, else of the sorted list of "rel\tsize" lines of every image
// and auxiliary file (label file, landmarks). File sizes catch re-encodes and edits without
// reading 15k images; a changed label file changes its size or the manifest. Images held in
// memory (fer2013.csv) count by path only: their CSV file is an auxiliary file.
func DatasetHash(d *dataset.Dataset) (hash, of string, err error) {
	if d.Layout != dataset.LayoutSingle {
		// Read only when it is a file inside the dataset (safepath.Within): a manifest.jsonl
		// that is a link out of the tree is not the dataset's.
		mp, err := safepath.Within(d.Root, ManifestFile)
		var f *os.File
		if err == nil {
			f, err = os.Open(mp)
		}
		if err == nil {
			defer f.Close()
			h := sha256.New()
			if _, err := io.Copy(h, f); err != nil {
				return "", "", fmt.Errorf("hash %s: %w", mp, err)
			}
			return "sha256:" + hex.EncodeToString(h.Sum(nil)), ManifestFile, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", "", fmt.Errorf("hash %s: %w", filepath.Join(d.Root, ManifestFile), err)
		}
	}
	rels := make([]string, 0, len(d.Items)+len(d.AuxFiles))
	inMemory := map[string]bool{}
	for _, it := range d.Items {
		rels = append(rels, it.Rel)
		if it.Abs == "" {
			inMemory[it.Rel] = true
		}
	}
	rels = append(rels, d.AuxFiles...)
	sort.Strings(rels)
	h := sha256.New()
	for _, rel := range rels {
		if inMemory[rel] {
			fmt.Fprintf(h, "%s\tcsv\n", rel)
			continue
		}
		st, err := os.Stat(filepath.Join(d.Root, filepath.FromSlash(rel)))
		if err != nil {
			return "", "", fmt.Errorf("hash dataset %s: %w", d.Root, err)
		}
		fmt.Fprintf(h, "%s\t%d\n", rel, st.Size())
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), "file list + sizes", nil
}
