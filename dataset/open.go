package dataset

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/occfer/occfer/internal/safepath"
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

// Open reads the dataset at p: a RAF-DB tree, a FERPlus tree (folder or CSV form), fer2013.csv,
// a folder tree, or a single image file. The layout is recognised by its marker files, in this
// order: EmoLabel/list_patition_label.txt (rafdb); FER2013Train|Valid|Test/label.csv
// (ferplus); fer2013.csv with fer2013new.csv (ferplus-csv) or alone (fer2013-csv); else
// folders. Label lines that cannot be used become Problems naming file and line; an error is
// returned only when nothing usable is left or the options are invalid.
func Open(p string, opts OpenOptions) (*Dataset, error) {
	if err := opts.LabelOptions.Validate(); err != nil {
		return nil, fmt.Errorf("open dataset %s: %w", p, err)
	}
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
			Root:    filepath.Dir(p),
			Layout:  LayoutSingle,
			Classes: ClassNames[:],
			Items: []Item{{
				Rel: name, Abs: p, Label: -1, Aligned: opts.Aligned,
				Stem: strings.TrimSuffix(name, filepath.Ext(name)),
			}},
		}, nil
	}
	files, skipped, err := walkFiles(p)
	if err != nil {
		return nil, fmt.Errorf("open dataset %s: %w", p, err)
	}
	present := make(map[string]bool, len(files))
	for _, f := range files {
		present[f] = true
	}
	var d *Dataset
	switch {
	case present[RAFLabelFile]:
		d, err = openRAF(p, files, opts)
	case present[ferPlusLabelPath(0)] || present[ferPlusLabelPath(1)] || present[ferPlusLabelPath(2)]:
		d, err = openFERPlus(p, files, present, opts)
	case present[FER2013CSV]:
		if opts.NeedFiles {
			return nil, fmt.Errorf("open dataset %s: its images are pixel rows inside %s; write them as PNG files first (ffra data %s -o OUT) and give OUT", p, FER2013CSV, p)
		}
		d, err = openFER2013CSV(p, files, present, opts)
	case present[FERPlusCSV]:
		return nil, fmt.Errorf("open dataset %s: %s holds FERPlus's votes but not the images; put the Kaggle %s beside it, or give the folder with FER2013Train/ FER2013Valid/ FER2013Test/", p, FERPlusCSV, FER2013CSV)
	default:
		d, err = openFolders(p, files, opts)
	}
	if err != nil {
		return nil, err
	}
	d.Problems = append(skipped, d.Problems...)
	if len(d.Items) == 0 {
		return nil, fmt.Errorf("open dataset %s: no images found (%s)", p, ProblemDigest(d.Problems, 3))
	}
	return d, nil
}

// walkFiles lists the regular files under root as sorted slash paths, skipping hidden
// folders and files, occfer's temporary files and the side outputs of earlier runs. Entries
// that do not resolve inside root (safepath.Walk: links out of the tree, loops, dangling and
// folder links) are not listed and come back as Problems, one per entry, coded by reason.
func walkFiles(root string) ([]string, []Problem, error) {
	files, skipped, err := safepath.Walk(root, func(rel, name string, dir bool) bool {
		if dir {
			return strings.HasPrefix(name, ".") || outputOnlyDirs[rel]
		}
		return isTempName(name) || isOutputOnly(rel) || strings.HasPrefix(name, ".")
	})
	if err != nil {
		return nil, nil, err
	}
	var problems []Problem
	for _, s := range skipped {
		problems = append(problems, Problem{Path: s.Path, Code: s.Code, Item: s.Rel, Reason: s.Reason})
	}
	return files, problems, nil
}

// sortItems orders items by Rel, the order every layout lists them in.
func sortItems(items []Item) {
	sort.Slice(items, func(i, j int) bool { return items[i].Rel < items[j].Rel })
}
