// Package dataset reads the dataset layouts that occfer understands and holds the conventions
// that every stage shares: class names, safe relative paths, atomic writes and per-item RNGs.
//
// Layouts:
//   - "rafdb": a RAF-DB basic tree, recognised by EmoLabel/list_patition_label.txt, with
//     images in Image/aligned/<stem>_aligned.jpg and/or Image/original/<stem>.jpg.
//   - "folders": any tree of images, optionally split into train/ and test/ top folders,
//     optionally one folder per class (folder names matched to ClassNames).
//   - "single": one image file.
//
// Only metadata is held in memory; images are decoded by the stage that needs them.
package dataset
