// Package dataset reads the dataset layouts that occfer understands and holds the conventions
// that every stage shares: class names and orders, safe relative paths, atomic writes and
// per-item RNGs.
//
// Layouts (docs/datasets-layouts.md; FERPlus's label modes in docs/datasets-ferplus.md):
//   - "rafdb": a RAF-DB basic tree, recognised by EmoLabel/list_patition_label.txt, with
//     images in Image/aligned/<stem>_aligned.jpg and/or Image/original/<stem>.jpg.
//   - "ferplus": FERPlus's folder form, FER2013Train/ FER2013Valid/ FER2013Test/ each with a
//     label.csv of ten crowd votes per image (Barsoum et al. 2016).
//   - "ferplus-csv": Kaggle's fer2013.csv with FERPlus's fer2013new.csv beside it; images are
//     decoded from the CSV into memory (Item.Pixels), never written into the tree.
//   - "fer2013-csv": fer2013.csv alone, with FER2013's own seven labels.
//   - "folders": any tree of images, optionally split into train/, val/ (valid/) and test/
//     top folders, optionally one folder per class: expression names (and aliases), digits
//     with a ClassOrder, or any names ImageFolder-style.
//   - "single": one image file.
//
// Every layout names its classes with canonical names (Dataset.Classes, CanonicalClass), so
// models and test sets are matched by name. Label lines that cannot be used become Problems
// that name file, line and a reason code; reading goes on without them. Text files may carry
// a UTF-8 byte-order mark, CRLF line ends and trailing blanks (internal/textfile).
//
// Only metadata is held in memory for image-file layouts; images are decoded by the stage
// that needs them.
package dataset
