package dataset

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// RAFLabelFile is the label file that marks a RAF-DB basic tree.
const RAFLabelFile = "EmoLabel/list_patition_label.txt"

// LandmarksFile is the optional generic landmarks file at a dataset root (see docs/design.md).
const LandmarksFile = "landmarks68.jsonl"

// outputOnlyFiles are written by occfer runs at an output root; they describe that run, not the
// data, so they are not carried into another run's mirrored output.
var outputOnlyFiles = map[string]bool{"manifest.jsonl": true, "preview.png": true, "summary.json": true}

// isOutputOnly reports whether a root-level file was written by an earlier occfer run: the
// files above, and the manifest parts of a sharded occlude run (manifest.shard-i-of-n.jsonl).
func isOutputOnly(rel string) bool {
	return outputOnlyFiles[rel] || (strings.HasPrefix(rel, "manifest.shard-") && strings.HasSuffix(rel, ".jsonl"))
}

// outputOnlyDirs hold per-run side outputs (occlusion masks, run state) at an output root.
var outputOnlyDirs = map[string]bool{"occlusion_masks": true, ".occfer": true}

var imageExts = map[string]bool{
	".jpg": true, ".jpeg": true, ".png": true, ".bmp": true, ".tif": true, ".tiff": true, ".webp": true,
}

// IsImageName reports whether a file name has an image extension occfer reads.
func IsImageName(name string) bool {
	return imageExts[strings.ToLower(path.Ext(name))]
}

// Open reads the dataset at p: a RAF-DB tree, a folder tree, or a single image file.
func Open(p string, opts OpenOptions) (*Dataset, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("open dataset %s: %w", p, err)
	}
	if !st.IsDir() {
		if !IsImageName(p) {
			return nil, fmt.Errorf("open dataset %s: not a folder and not an image file (extensions: jpg, jpeg, png, bmp, tif, tiff, webp)", p)
		}
		name := filepath.Base(p)
		return &Dataset{
			Root:   filepath.Dir(p),
			Layout: LayoutSingle,
			Items: []Item{{
				Rel: name, Abs: p, Label: -1, Aligned: opts.Aligned,
				Stem: strings.TrimSuffix(name, filepath.Ext(name)),
			}},
		}, nil
	}
	files, err := walkFiles(p)
	if err != nil {
		return nil, fmt.Errorf("open dataset %s: %w", p, err)
	}
	var d *Dataset
	if _, err := os.Stat(filepath.Join(p, filepath.FromSlash(RAFLabelFile))); err == nil {
		d, err = openRAF(p, files, opts)
		if err != nil {
			return nil, err
		}
	} else {
		d = openFolders(p, files, opts)
	}
	if len(d.Items) == 0 {
		return nil, fmt.Errorf("open dataset %s: no images found (%d problems: %s)", p, len(d.Problems), firstProblems(d.Problems))
	}
	return d, nil
}

// walkFiles lists regular files under root as sorted slash paths, skipping hidden folders,
// occfer's temporary files and the side outputs of earlier runs.
func walkFiles(root string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, rerr := filepath.Rel(root, p)
		if rerr != nil {
			return rerr
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." && (strings.HasPrefix(d.Name(), ".") || (outputOnlyDirs[rel])) {
				return filepath.SkipDir
			}
			return nil
		}
		if isTempName(d.Name()) || isOutputOnly(rel) || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		if d.Type().IsRegular() || d.Type()&fs.ModeSymlink != 0 {
			files = append(files, rel)
		}
		return nil
	})
	sort.Strings(files)
	return files, err
}

// openFolders reads a plain tree. A top folder named train/ or test/ (val/ too) sets the
// split; the first folder below it that names a class sets the label.
func openFolders(root string, files []string, opts OpenOptions) *Dataset {
	d := &Dataset{Root: root, Layout: LayoutFolders}
	for _, rel := range files {
		if !IsImageName(rel) {
			d.AuxFiles = append(d.AuxFiles, rel)
			continue
		}
		parts := strings.Split(rel, "/")
		it := Item{Rel: rel, Abs: filepath.Join(root, filepath.FromSlash(rel)), Label: -1, Aligned: opts.Aligned}
		it.Stem = strings.TrimSuffix(parts[len(parts)-1], path.Ext(rel))
		dirs := parts[:len(parts)-1]
		if len(dirs) > 0 {
			switch strings.ToLower(dirs[0]) {
			case "train", "training":
				it.Split, dirs = "train", dirs[1:]
			case "test", "testing":
				it.Split, dirs = "test", dirs[1:]
			case "val", "valid", "validation":
				it.Split, dirs = "val", dirs[1:]
			}
		}
		for _, dir := range dirs {
			if c := ClassIndex(dir); c >= 0 {
				it.Label = c
				break
			}
		}
		d.Items = append(d.Items, it)
	}
	return d
}

func firstProblems(ps []Problem) string {
	var s []string
	for i, p := range ps {
		if i == 3 {
			s = append(s, "...")
			break
		}
		s = append(s, p.String())
	}
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, "; ")
}
