package dataset

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"image"
	"image/png"
	"path"
	"path/filepath"
	"strconv"
)

// ExportSummary counts what Export wrote.
type ExportSummary struct {
	Images     int // PNG files written
	LabelFiles int // FERPlus label.csv files written
}

// Export writes the images of a CSV dataset (fer2013.csv, with or without fer2013new.csv) as
// 8-bit grayscale PNG files under out, at their item paths, so that image-file tools (occlude)
// can read them: FERPlus's folder form (FER2013Train/ FER2013Valid/ FER2013Test/, each with a
// label.csv of name, face box and the ten votes of every named row, dropped or not) when the
// votes are known, else FER2013's folder export (train|val|test/<class>/fer0000000.png).
// Reading the export back gives the same items, labels and paths as the CSV. Files are
// written atomically and the PNG bytes depend only on the pixels, so a rerun rewrites the same
// bytes. out must not lie inside the input tree.
func Export(d *Dataset, out string) (ExportSummary, error) {
	var sum ExportSummary
	if !d.InMemory() {
		return sum, fmt.Errorf("export %s: a %s dataset is image files already; only CSV datasets (%s) need exporting", d.Root, d.Layout, FER2013CSV)
	}
	if err := CheckOutput(d.Root, out); err != nil {
		return sum, err
	}
	labels := map[string]*bytes.Buffer{}
	writers := map[string]*csv.Writer{}
	for _, it := range d.Items {
		if it.Pixels == nil {
			return sum, fmt.Errorf("export %s: item %s has no pixels", d.Root, it.Rel)
		}
		g := &image.Gray{Pix: it.Pixels.Pix, Stride: it.Pixels.W, Rect: image.Rect(0, 0, it.Pixels.W, it.Pixels.H)}
		var buf bytes.Buffer
		if err := png.Encode(&buf, g); err != nil {
			return sum, fmt.Errorf("export %s: %w", it.Rel, err)
		}
		if err := WriteFileAtomic(filepath.Join(out, filepath.FromSlash(it.Rel)), buf.Bytes()); err != nil {
			return sum, err
		}
		sum.Images++
		if d.Layout != LayoutFERPlusCSV {
			continue
		}
		dir := path.Dir(it.Rel)
		if writers[dir] == nil {
			labels[dir] = &bytes.Buffer{}
			writers[dir] = csv.NewWriter(labels[dir])
		}
		rec := []string{path.Base(it.Rel), fmt.Sprintf("(0, 0, %d, %d)", it.Pixels.W, it.Pixels.H)}
		for _, v := range it.Votes {
			rec = append(rec, strconv.Itoa(v))
		}
		if err := writers[dir].Write(rec); err != nil {
			return sum, fmt.Errorf("export %s: %w", dir, err)
		}
	}
	for _, f := range ferPlusFolders {
		w := writers[f.dir]
		if w == nil {
			continue
		}
		w.Flush()
		if err := w.Error(); err != nil {
			return sum, fmt.Errorf("export %s: %w", f.dir, err)
		}
		if err := WriteFileAtomic(filepath.Join(out, f.dir, FERPlusLabelFile), labels[f.dir].Bytes()); err != nil {
			return sum, err
		}
		sum.LabelFiles++
	}
	return sum, nil
}
