// Package plot draws the toolkit's figures with gonum.org/v1/plot, rasterised to PNG at DPI
// in Liberation Sans (embedded in gonum, so no system font is needed):
//
//   - Curves: training curves, loss and accuracy against the epoch for the training set and
//     every test set (a run folder's curves.png), with whole-number epoch ticks (IntegerTicks).
//   - Confusion: a confusion-matrix heat map over any number of classes, each cell showing its
//     count and row rate, with a colour bar (a run folder's confusion_<set>.png).
//   - Sweep: a metric against a swept parameter, several series with mean ± std error bars
//     over seeds (MeanStd) and optional published reference values (the protocol tables'
//     figures, e.g. accuracy against λ for FM_RAF-DB and SG_RAF-DB).
//   - OverlayCAM and CAMFigure: class activation maps blended over the image (FFRA-Net
//     Fig. 6); image compositing, with the caption set by internal/imgtext.
//
// Figures are deterministic: the same input gives the same PNG bytes, so a resumed run
// rewrites identical files. The package is cgo-free (TestNoCgo) and returns errors, never
// panics, on bad input. Callers encode with EncodePNG and write atomically.
package plot
